"""The Ray launcher (the `ray` extra) runs a sweep on a local Ray and gives the same numbers, file
for file, as the basic launcher.

This is an opt-in check: it runs where the extra is installed (`uv sync --extra ray`, then
`uv run pytest tests/test_launchers.py`) and is skipped elsewhere. CI does not install Ray: a local
Ray takes most of a minute to start on a busy 2-core machine and can time out there, and a CI that
fails on a timeout says nothing about the model. The README records a run of this check. The basic
and joblib launchers are compared in every CI run (tests/test_reliability.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments.sweep_results import RESULTS

RAY_INSTALLED = importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is not None
SWEEP = ["-m", "population.scale=0.004", "scenario.burn_in_months=2", "quiet=true", "seed=0,1",
         "policy.training.scale=0,2"]
FILES = ("timeseries.parquet", "yearly.parquet")


def sweep(cwd: Path, folder: str, *launcher: str) -> pd.DataFrame:
    res = subprocess.run([sys.executable, "-m", "sim.commands.run", *SWEEP, *launcher,
                          f"hydra.sweep.dir={cwd / folder}"], cwd=cwd, capture_output=True,
                         text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    return pd.read_parquet(cwd / folder / RESULTS)


@pytest.mark.skipif(not RAY_INSTALLED,
                    reason="opt-in: the ray extra is not installed (uv sync --extra ray)")
def test_ray_launcher_gives_the_basic_launchers_numbers(tmp_path):
    ray = sweep(tmp_path, "ray", "hydra/launcher=ray")
    basic = sweep(tmp_path, "basic")
    assert len(ray) == 4 and set(ray.status) == {"ok"}
    assert ray["in_work"].nunique() == 4  # four different jobs
    timing = [c for c in ray.columns if c.startswith("wall")]
    pd.testing.assert_frame_equal(ray.drop(columns=timing), basic.drop(columns=timing))
    for job in ray.job:
        for name in FILES:
            assert (tmp_path / "ray" / job / name).read_bytes() == \
                (tmp_path / "basic" / job / name).read_bytes(), (job, name)
