"""Peer libraries that need another interpreter (for example Python >= 3.12).

Benchmarks compare staffplan with peer packages side by side.  Some peers
require a newer Python than the one staffplan runs on; this module builds a
small cached virtual environment for such a peer and runs code in it, passing
JSON on stdin and reading JSON from stdout.

``peer_python(spec, venv_dir)`` returns the interpreter of a venv that has
``spec`` installed (created once, then reused), or ``None`` with a printed
reason.  ``run_peer(python, code, payload, timeout_s)`` runs ``code`` there:
the code reads the payload with ``json.load(sys.stdin)`` and prints one JSON
object as the last line of its output.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_VENV_ROOT", "find_python", "peer_python", "run_peer"]

DEFAULT_VENV_ROOT = Path(__file__).resolve().parent / ".peer-venv"
_MIN_VERSION = (3, 12)


def _version_of(python: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [str(python), "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.split()
        return int(out[0]), int(out[1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def find_python(minimum: tuple[int, int] = _MIN_VERSION) -> Path | None:
    """Locate an interpreter of at least ``minimum`` (this one, pyenv, or on PATH)."""
    if sys.version_info[:2] >= minimum:
        return Path(sys.executable)
    candidates: list[str] = []
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    for root in {pyenv_root, "/root/.pyenv"}:
        candidates += sorted(glob.glob(f"{root}/versions/3.*/bin/python3"), reverse=True)
    pyenv = shutil.which("pyenv")
    if pyenv:
        try:
            names = subprocess.run(
                [pyenv, "versions", "--bare"], capture_output=True, text=True, timeout=30
            ).stdout.split()
            root = subprocess.run(
                [pyenv, "root"], capture_output=True, text=True, timeout=30
            ).stdout.strip()
            candidates += [f"{root}/versions/{n}/bin/python3" for n in names]
        except (OSError, subprocess.SubprocessError):
            pass
    for minor in range(20, minimum[1] - 1, -1):
        found = shutil.which(f"python3.{minor}")
        if found:
            candidates.append(found)
    best: tuple[tuple[int, int], Path] | None = None
    for cand in candidates:
        if not Path(cand).exists():
            continue
        ver = _version_of(cand)
        # Prefer the oldest version that qualifies: peers are most likely to have wheels there.
        if ver is not None and ver >= minimum and (best is None or ver < best[0]):
            best = (ver, Path(cand))
    return None if best is None else best[1]


def _venv_python(venv_dir: Path) -> Path:
    return venv_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def peer_python(
    package_spec: str,
    venv_dir: Path | None = None,
    *,
    minimum: tuple[int, int] = _MIN_VERSION,
) -> Path | None:
    """Interpreter of a cached venv with ``package_spec`` installed, or None.

    Parameters
    ----------
    package_spec : str
        A pip requirement, e.g. ``"pyworkforce>=0.5.2"``.
    venv_dir : Path, optional
        Where the venv lives; default ``benchmarks/.peer-venv/<name>``.  It is
        created once; a marker file records the installed spec so a later call
        with the same spec reuses it without touching the network.
    minimum : (int, int)
        Lowest acceptable Python version.

    Returns
    -------
    Path or None
        The venv's interpreter, or None after printing why (no suitable
        Python, venv creation or installation failed).
    """
    if venv_dir is None:
        name = "".join(c if c.isalnum() else "-" for c in package_spec.split(";")[0]).strip("-")
        venv_dir = DEFAULT_VENV_ROOT / name
    venv_dir = Path(venv_dir)
    python = _venv_python(venv_dir)
    marker = venv_dir / ".staffplan-peer.json"
    if python.exists() and marker.exists():
        try:
            if json.loads(marker.read_text()).get("spec") == package_spec:
                return python
        except (OSError, ValueError):
            pass
    base = find_python(minimum)
    if base is None:
        print(
            f"skipping peer {package_spec!r}: needs Python >= {minimum[0]}.{minimum[1]} and none was "
            "found (looked at this interpreter, pyenv versions and python3.X on PATH)"
        )
        return None
    try:
        if not python.exists():
            venv_dir.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [str(base), "-m", "venv", str(venv_dir)], check=True, capture_output=True, text=True
            )
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                package_spec,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except subprocess.CalledProcessError as exc:
        tail = (exc.stderr or exc.stdout or "").strip().splitlines()[-1:] or ["(no output)"]
        print(f"skipping peer {package_spec!r}: installing it failed: {tail[0]}")
        return None
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"skipping peer {package_spec!r}: {exc}")
        return None
    marker.write_text(json.dumps({"spec": package_spec, "base_python": str(base)}))
    return python


def run_peer(python: Path, code: str, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """Run ``code`` in ``python`` with ``payload`` as JSON on stdin; return its JSON answer.

    The code must print one JSON object as the last line of stdout.  Raises
    ``RuntimeError`` with the peer's stderr tail when it fails or times out.
    """
    try:
        proc = subprocess.run(
            [str(python), "-c", code],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"peer run exceeded {timeout_s:g} s") from None
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"peer run failed (exit {proc.returncode}): {tail}")
    lines = [ln for ln in proc.stdout.strip().splitlines() if ln.strip()]
    if not lines:
        raise RuntimeError("peer run printed nothing")
    return json.loads(lines[-1])
