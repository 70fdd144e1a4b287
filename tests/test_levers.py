"""Every lever switches off from the command line, and then its programme and its cost are nil."""

from __future__ import annotations

import pytest

from sim.core.params import LEVERS
from sim.experiments import runner

from .conftest import small_config

pytestmark = pytest.mark.model

# the programme output each lever produces, which must vanish with it
OUTPUT = {
    "training": "trained",
    "referral": "cost_referral",
    "transport": "transported",
    "workshops": "workshop",
    "hiring_subsidy": "subsidised_hires",
    "public_welfare": "public_welfare",
    "startup_loans": "startup_jobs",
    "labour_brands": "brand_jobs",
    "zero_employment": "zero_employment_placements",
    "monitoring": "identified_households",
}


@pytest.fixture(scope="module")
def baseline():
    return runner.run(small_config()).summary["metrics"]


@pytest.mark.parametrize("lever", LEVERS)
def test_lever_off_removes_its_programme_and_cost(lever, baseline):
    assert baseline[OUTPUT[lever]] > 0, "the lever does something in the baseline"
    off = runner.run(small_config(f"policy/{lever}=off")).summary["metrics"]
    assert off[OUTPUT[lever]] == 0
    assert off[f"cost_{lever}"] == 0
    assert baseline[f"cost_{lever}"] > 0


def test_scaling_a_lever_scales_its_programme(baseline):
    double = runner.run(small_config("policy.training.scale=2")).summary["metrics"]
    assert double["trainees"] == pytest.approx(2 * baseline["trainees"], rel=0.05)
    assert double["cost_training"] == pytest.approx(2 * baseline["cost_training"], rel=0.05)


@pytest.mark.parametrize("scale", [0.0, 0.5, 2.0])
def test_workshop_costs_scale_with_the_places_bought(scale, baseline):
    """The tax relief follows the workshops' lever: sites close and reopen on their own draws
    whatever their room, so the cost is the baseline's times the scale (nothing at scale 0)."""
    run = runner.run(small_config(f"policy.workshops.scale={scale}")).summary["metrics"]
    assert run["cost_workshops"] == pytest.approx(scale * baseline["cost_workshops"], rel=1e-9)
