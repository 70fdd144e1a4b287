"""Households recounted from the agents' columns: income of the month, households with nobody in
work and households below the monitoring line, each month, against the model's own arrays and
the reported totals."""

from __future__ import annotations

import numpy as np
import pytest

from . import oracles
from .conftest import small_model

pytestmark = pytest.mark.model


def test_household_income_zero_employment_and_the_line_recount(seed):
    model = small_model("population.scale=0.02", seed=seed)
    line_bound = 0
    for _ in range(12):
        model.step()
        income, zero, below = oracles.household_recount(model)
        # pay and non-wage income are float32 columns, and a household's running wage sum
        # keeps rounding residues of under a fen: equal to that precision
        assert np.allclose(model.month_income, income, rtol=1e-6, atol=0.01)
        assert np.array_equal(model.zero_employment, zero)
        assert np.array_equal(model.below_line, below)
        current = model.recorder.current
        k = 1 / model.scale
        assert current["zero_employment_households"] == pytest.approx(zero.sum() * k)
        assert current["households_below_line"] == pytest.approx(below.sum() * k)
        assert current["household_income"] == pytest.approx(income.sum() * k, rel=1e-6)
        line_bound += int(0 < below.sum() < len(below))
    assert line_bound == 12  # the line divides the households: the test can tell them apart


def test_the_years_income_is_the_sum_of_its_months(seed):
    model = small_model("population.scale=0.02", seed=seed)
    months = []
    for _ in range(12):
        model.step()
        months.append(oracles.household_recount(model)[0])
    assert np.allclose(model.households.income_year, np.sum(months, axis=0), rtol=1e-6,
                       atol=0.12)
    yearly = model.recorder.year_summary(2021)["household_income"]
    assert yearly == pytest.approx(np.sum(months) / model.scale, rel=1e-6)
