"""The package as a user meets it: typed entry points and a light ``import staffplan``."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _mypy(tmp_path: Path, files: dict[str, str]) -> tuple[int, str]:
    """Run mypy with the project's settings on the given snippets; (exit code, output)."""
    pytest.importorskip("mypy", reason="mypy is a dev dependency (pip install -e '.[dev]')")
    paths = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    cmd = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--cache-dir",
        str(tmp_path / ".mypy_cache"),
        "--no-error-summary",
        *paths,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, check=False)
    return out.returncode, out.stdout + out.stderr


def _readme_python() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README.md has no ```python block"
    return "\n".join(blocks)


# Precise return types of the Erlang functions: float for scalars, ndarray for
# arrays and lists; a wrong assert_type below must be reported (the last block).
_ERLANG_TYPES = textwrap.dedent(
    """
    from typing import assert_type

    import numpy as np

    from staffplan import erlang

    agents = np.arange(10, 15)
    assert_type(erlang.traffic(100, 180.0, interval_min=30), float)
    assert_type(erlang.erlang_b(12, 10.0), float)
    assert_type(erlang.erlang_c(12, 10.0), float)
    assert_type(erlang.service_level(12, 10.0, 180.0, 20), float)
    assert_type(erlang.asa(12, 10.0, 180.0), float)
    assert_type(erlang.occupancy(12, 10.0), float)
    assert_type(erlang.erlang_c(agents, 10.0), np.ndarray)
    assert_type(erlang.service_level(agents, [9.0] * 5, 180.0, 20), np.ndarray)
    assert_type(erlang.required_agents(100.0, 180.0, interval_min=30), float)
    assert_type(erlang.required_agents(np.array([100.0]), 180.0, shrinkage=0.3), np.ndarray)
    assert_type(erlang.erlang_a(12, 10.0, 180.0, 60.0, 20).service_level, float)
    assert_type(erlang.erlang_a(agents, 10.0, 180.0, 60.0, 20).p_abandon, np.ndarray)
    """
)
_WRONG = textwrap.dedent(
    """
    from typing import assert_type

    import numpy as np

    from staffplan import erlang

    assert_type(erlang.erlang_c(12, 10.0), np.ndarray)
    """
)


def test_readme_examples_and_erlang_return_types_pass_mypy(tmp_path):
    code, out = _mypy(
        tmp_path,
        {
            "readme_example.py": _readme_python(),
            "erlang_types.py": _ERLANG_TYPES,
            "wrong.py": _WRONG,
        },
    )
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert [e for e in errors if "wrong.py" not in e] == [], out
    # The checker does look: a deliberately wrong expectation is reported.
    assert any("wrong.py:8" in e and "assert-type" in e for e in errors), out
    assert code == 1


def test_import_staffplan_leaves_heavy_modules_unloaded():
    # The everyday entry points must not pay for the solver, statsmodels or plotting
    # before a stage needs them (timings are in benchmarks/bench_everyday.py).
    code = (
        "import sys, staffplan\n"
        "staffplan.plan\n"
        "from staffplan.plan import Scenario, ServiceTarget, compare\n"
        "heavy = ('ortools', 'statsmodels', 'matplotlib', 'scipy.stats')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_plan_is_a_function_whichever_import_comes_first():
    import types

    code = (
        "import types, sys\n"
        "from staffplan.plan import Scenario\n"
        "import staffplan\n"
        "assert isinstance(staffplan.plan, types.FunctionType), staffplan.plan\n"
        "assert staffplan.plan is sys.modules['staffplan.plan'].plan\n"
        "print(staffplan.plan.__module__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "staffplan.plan._pipeline"
    import staffplan

    assert isinstance(staffplan.plan, types.FunctionType)
