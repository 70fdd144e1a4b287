"""Helpers of the hostile-input suite (`pytest -m hostile`): run a command as a user would (its
own process), and check the three things every refusal must keep: exit status 2, one clean
paragraph on stderr (no traceback), and every file that existed before still there, byte for
byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# the console scripts of pyproject.toml and the module whose main() each runs
COMMANDS = {"sim": "run", "sim-collect": "collect", "sim-plot": "plot", "sim-report": "report",
            "sim-validate": "validate", "sim-calibrate": "calibrate", "sim-study": "study",
            "sim-bench": "bench", "sim-dashboard": "dashboard"}


def command(prog: str, *args: str, cwd: Path, env: dict | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """`prog args...` in a fresh process in `cwd` (as the console script would run it)."""
    code = (f"import sys; sys.argv[0] = {prog!r}; "
            f"from sim.commands.{COMMANDS[prog]} import main; main()")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def snapshot(*roots: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under the roots, the roots included."""
    found: dict[str, bytes | None] = {}
    for root in roots:
        root = Path(root)
        if not root.exists():
            continue
        found[str(root)] = None if root.is_dir() else root.read_bytes()
        if root.is_dir():
            for p in root.rglob("*"):
                if p.is_file() and not p.is_symlink():
                    found[str(p)] = p.read_bytes()
                elif p.is_dir():
                    found[str(p)] = None
    return found


def assert_kept(before: dict[str, bytes | None], *roots: Path) -> None:
    """Everything in `before` is still there, files byte for byte."""
    after = snapshot(*roots)
    lost = [p for p in before if p not in after]
    assert not lost, f"lost: {lost[:5]}"
    changed = [p for p, data in before.items() if data is not None and after[p] != data]
    assert not changed, f"changed: {changed[:5]}"


def assert_refused(proc: subprocess.CompletedProcess, prog: str, *words: str) -> str:
    """Exit status 2 and one paragraph on stderr that starts with the command's name and holds
    each of `words` (the thing refused, what is allowed); no traceback anywhere."""
    err = proc.stderr.strip()
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], err[-3000:])
    assert "Traceback" not in err + proc.stdout, err
    assert err.startswith(f"{prog}: "), err
    assert "\n" not in err, f"not one paragraph:\n{err}"
    for w in words:
        assert w in err, (w, err)
    return err
