"""The Ray launcher (the `ray` extra) runs a sweep on a local Ray and gives the same numbers, file
for file, as the basic launcher: the cluster path docs/running.md offers.

CI installs the extra (`.ci/run`: `uv sync --extra ray`), so this runs on every landing; a local
Ray takes most of a minute to start on a busy 2-core machine, so the sweep's timeout is 15
minutes. Elsewhere it is skipped unless the extra is installed, except in CI (CI=true), where a
missing extra is a failure. The basic and joblib launchers are compared in tests/test_reliability.py."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments.sweep_results import RESULTS

RAY_INSTALLED = importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is not None
SWEEP = ["-m", "population.scale=0.004", "scenario.burn_in_months=12", "quiet=true", "seed=0,1",
         "policy.training.scale=0,2"]
FILES = ("timeseries.parquet", "yearly.parquet")


def sweep(cwd: Path, folder: str, *launcher: str) -> pd.DataFrame:
    # Ray started under `uv run` (as CI runs the tests) starts its workers with `uv run` in the
    # job's folder, here outside the project, where no environment has Ray: workers use this
    # interpreter instead (docs/running.md)
    env = {**os.environ, "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0"}
    res = subprocess.run([sys.executable, "-m", "sim.commands.run", *SWEEP, *launcher,
                          f"hydra.sweep.dir={cwd / folder}"], cwd=cwd, capture_output=True,
                         text=True, timeout=300, env=env)
    assert res.returncode == 0, res.stderr[-3000:]
    return pd.read_parquet(cwd / folder / RESULTS)


@pytest.mark.long
def test_ray_launcher_gives_the_basic_launchers_numbers(tmp_path):
    if not RAY_INSTALLED:
        reason = "the ray extra is not installed (uv sync --extra ray)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI installs it (.ci/run)")
        pytest.skip(reason)
    ray = sweep(tmp_path, "on_ray", "hydra/launcher=ray")
    basic = sweep(tmp_path, "basic")
    assert len(ray) == 4 and set(ray.status) == {"ok"}
    assert ray["in_work"].nunique() == 4  # four different jobs
    timing = [c for c in ray.columns if c.startswith("wall")]
    pd.testing.assert_frame_equal(ray.drop(columns=timing), basic.drop(columns=timing))
    for job in ray.job:
        for name in FILES:
            assert (tmp_path / "on_ray" / job / name).read_bytes() == \
                (tmp_path / "basic" / job / name).read_bytes(), (job, name)
