"""The notebooks run end to end (stored without outputs; executed here so they never rot)."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
#: Each notebook must finish within this budget [s] (kernel start included).
BUDGET_S = 60
#: Figures each notebook shows (its ``plot_*`` cells), as PNG outputs.
FIGURES = {
    "01_quickstart_plan": 4,
    "02_what_if": 2,
    "03_staff_to_quantile": 2,
    "04_people_roster": 1,
}


def test_notebooks_exist():
    names = {p.name for p in NOTEBOOKS}
    assert {"01_quickstart_plan.ipynb", "02_what_if.ipynb", "03_staff_to_quantile.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=BUDGET_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert errors == []
    assert elapsed < BUDGET_S, f"{path.name} took {elapsed:.0f} s"
    # The figures are displayed, not only made: each plot cell leaves a PNG image.
    images = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "image/png" in out.get("data", {})
    ]
    assert len(images) == FIGURES[path.stem], [
        cell.source for cell in nb.cells if "plot_" in cell.source
    ]
    for out in images:
        png = base64.b64decode(out["data"]["image/png"])
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
