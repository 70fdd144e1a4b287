"""The shipped baseline against the article's figures that the calibration fits: at 1:10 the
mean over three seeds lands within the fit's own tolerance (sim.experiments.calibration) plus the
seed spread at that scale.

The spread was measured over ten seeds at 1:10 (relative error, standard deviation in per cent):
T1 0.11, T2 0.45, T3 0.40, T4 0.06, T5 0.06, T11 0.39. The allowance for seed noise is three
standard errors of a three-seed mean. Figures that are inputs (T6-T8, T10, T12: room and seats
the model is given) are not a test of the fit; T9 is a bound, checked on its own."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiments import targets
from sim.experiments.calibration import TOLERANCE
from sim.experiments.runner import simulate

from .conftest import small_config

pytestmark = pytest.mark.model

SEED_SD = {"T1": 0.0011, "T2": 0.0045, "T3": 0.0040, "T4": 0.0006, "T5": 0.0006, "T11": 0.0039}
SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def fit_tables():
    return [targets.fit_table(simulate(small_config("population.scale=0.1",
                                                    "scenario.burn_in_months=24",
                                                    f"seed={s}")).recorder.year_summary(2021))
            for s in SEEDS]


@pytest.mark.parametrize("figure", sorted(SEED_SD, key=lambda t: int(t[1:])))
def test_the_fitted_figures_are_met_within_the_fit_tolerance_and_the_seed_spread(fit_tables, figure):
    errors = np.array([table[figure]["rel_error"] for table in fit_tables])
    allowed = TOLERANCE[figure] + 3 * SEED_SD[figure] / np.sqrt(len(SEEDS))
    assert abs(errors.mean()) <= allowed, (figure, errors.mean(), allowed)


def test_the_trained_share_in_work_meets_the_articles_bound(fit_tables):
    assert all(table["T9"]["model"] >= 0.30 for table in fit_tables)
