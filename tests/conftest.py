"""Shared helpers: small models built from the shipped configs."""

from __future__ import annotations

import pytest

from sim.core.model import LaborExportModel
from sim.experiments.compose import load

SMALL = ["population.scale=0.004", "scenario.burn_in_months=12"]  # 10,000 workers
SEEDS = (0, 1, 2)


def small_config(*overrides: str):
    return load(SMALL + list(overrides))


def small_model(*overrides: str, seed: int = 0) -> LaborExportModel:
    return LaborExportModel(small_config(f"seed={seed}", *overrides))


@pytest.fixture(params=SEEDS)
def seed(request) -> int:
    return request.param
