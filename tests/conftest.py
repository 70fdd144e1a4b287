"""Shared helpers: small models built from the shipped configs."""

from __future__ import annotations

import pytest

from sim.core.model import LaborExportModel
from sim.experiments.compose import load


def pytest_collection_modifyitems(items):
    """The longest tests (marked `long`) first: spread over workers (pytest -n), a long test
    started last would be the suite's tail."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)

SMALL = ["population.scale=0.004", "scenario.burn_in_months=12"]  # 10,000 workers
SEEDS = (0, 1, 2)


def small_config(*overrides: str):
    return load(SMALL + list(overrides))


def small_model(*overrides: str, seed: int = 0) -> LaborExportModel:
    return LaborExportModel(small_config(f"seed={seed}", *overrides))


@pytest.fixture(params=SEEDS)
def seed(request) -> int:
    return request.param


# ---- finished outputs of `sim`, made once per session: copy them before changing them ------------
# the smallest run the model allows (about 550 workers, a year of burn-in): the files' layout
# and kinds are those of any run, which is what the readers and the commands are tested on
TINY_RUN = ["population.scale=0.0002", "scenario.burn_in_months=12", "quiet=true"]


def _sim(*args: str, cwd) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "sim.commands.run", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory):
    """A finished run folder (summary.json, timeseries, yearly and groups parquet, .hydra/)."""
    root = tmp_path_factory.mktemp("finished_run")
    _sim(*TINY_RUN, f"hydra.run.dir={root / 'run'}", cwd=root)
    return root / "run"


@pytest.fixture(scope="session")
def finished_sweep(tmp_path_factory):
    """A finished sweep folder of two jobs (seeds 0 and 1), gathered: results.parquet and
    groups.parquet beside the job folders 0 and 1."""
    root = tmp_path_factory.mktemp("finished_sweep")
    _sim("-m", "seed=0,1", *TINY_RUN, f"hydra.sweep.dir={root / 'sweep'}", cwd=root)
    return root / "sweep"
