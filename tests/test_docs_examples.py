"""Every Python block of README.md and docs/*.md runs as written, and prints what it says.

The blocks of one page run in order in one namespace (a page reads top to bottom), in a
scratch folder.  A ```` ```text ```` block right after a Python block is that block's
output: the test compares them line for line, so a number the page quotes there is the
number the code gives.  Pages with whole-week plans run in the slow suite (``-m slow``).
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.S | re.M)

#: Pages whose blocks take more than a few seconds (whole-week plans, 20 s rosters).
SLOW = {"README.md", "docs/calendars.md", "docs/certainty.md", "docs/people.md"}
#: Pages not yet runnable as written, with the reason (each is a known gap, not a pass).
NOT_RUNNABLE: dict[str, str] = {}


def blocks(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, code, expected output or None) of each Python block of ``path``."""
    text = path.read_text(encoding="utf-8")
    found = list(_BLOCK.finditer(text))
    out = []
    for i, m in enumerate(found):
        if m.group(1) != "python":
            continue
        expected = None
        nxt = found[i + 1] if i + 1 < len(found) else None
        if nxt is not None and nxt.group(1) == "text" and not text[m.end() : nxt.start()].strip():
            expected = nxt.group(2)
        out.append((text[: m.start()].count("\n") + 1, m.group(2), expected))
    return out


def _pages() -> list[object]:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    params: list[object] = []
    for page in pages:
        name = page.relative_to(ROOT).as_posix()
        if not blocks(page):
            continue
        marks = [pytest.mark.slow] if name in SLOW else []
        if name in NOT_RUNNABLE:
            marks.append(pytest.mark.skip(reason=NOT_RUNNABLE[name]))
        params.append(pytest.param(name, marks=marks, id=name))
    return params


@pytest.mark.parametrize("page", _pages())
def test_page_examples_run_and_print_what_the_page_says(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict[str, object] = {"__name__": "__doc_example__"}
    differ = []
    for line, code, expected in blocks(ROOT / page):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, f"{page}:{line}", "exec"), namespace)
        if expected is None:
            continue
        got = [row.rstrip() for row in printed.getvalue().strip().splitlines()]
        want = [row.rstrip() for row in expected.strip().splitlines()]
        if got != want:
            differ.append(f"{page}:{line}: printed {got}, the page says {want}")
    if differ and _wall_limited(namespace):
        # The page's numbers are those of the deterministic search; a machine too busy to
        # give it its budget returns another roster (and its plan says so in a warning).
        where = ", ".join(d.split(": printed", 1)[0] for d in differ)
        pytest.skip(f"a roster was cut by the wall clock (busy machine); output differs at {where}")
    assert not differ, "\n".join(differ)


def _wall_limited(namespace: dict[str, object]) -> bool:
    """Whether a plan of the page warns that the wall clock cut its roster search."""
    return any(
        "deterministic budget" in str(w)
        for value in namespace.values()
        for w in getattr(value, "warnings", ()) or ()
        if isinstance(getattr(value, "warnings", None), tuple)
    )


def test_the_block_reader_pairs_code_with_its_output() -> None:
    page = ROOT / "docs" / "what-if.md"
    found = blocks(page)
    assert found and all(code.strip() for _, code, _ in found)
    assert any(expected for *_, expected in found)  # the worked examples show their output
