"""Neural posterior estimation (sim-calibrate's default method) is calibrated: on a problem whose
posterior is known it passes simulation-based calibration, an overconfident estimator fails it,
and on the model itself it recovers parameters from data the model made.

CI installs the calibrate extra (.ci/run); elsewhere these tests are skipped unless it is
installed, except in CI (CI=true), where a missing extra is a failure."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pandas as pd
import pytest

from sim.experiments import npe, posterior
from sim.experiments.reference_table import Box

if importlib.util.find_spec("flowjax") is None:
    REASON = "the calibrate extra is not installed (uv sync --extra calibrate)"
    if os.environ.get("CI"):
        pytest.fail(f"{REASON}: CI installs it (.ci/run)", pytrace=False)
    pytest.skip(REASON, allow_module_level=True)

HELD_OUT = 200


def _toy(seed: int, n: int = 3000):
    """Three parameters uniform on (0, 1): the first two move two figures (one of them bent),
    the third moves none (its posterior is its prior); a third figure is noise."""
    params = [posterior.Parameter(f"p{i}", (f"x.p{i}",), 0.0, 1.0) for i in range(3)]
    rng = np.random.default_rng(seed)
    theta = pd.DataFrame(rng.uniform(0, 1, (n, 3)), columns=["p0", "p1", "p2"])
    figures = pd.DataFrame({"a": theta.p0 + 0.5 * theta.p1 + rng.normal(0, 0.05, n),
                            "b": theta.p1 - theta.p0 ** 2 + rng.normal(0, 0.05, n),
                            "c": rng.normal(0, 1, n)})
    return params, theta, figures


@pytest.fixture(scope="module")
def toy():
    params, theta, figures = _toy(0)
    estimator = npe.train(theta.iloc[HELD_OUT:], figures.iloc[HELD_OUT:], params, Box.prior(params))
    return params, theta, figures, estimator


def test_the_estimator_passes_simulation_based_calibration_on_a_known_problem(toy):
    params, theta, figures, estimator = toy
    table = npe.sbc_table(npe.ranks(estimator, theta.iloc[:HELD_OUT], figures.iloc[:HELD_OUT]))
    assert table.passes.all(), table.to_dict("records")
    # the figures pin p0 and p1; p2 is left as its prior
    draws = estimator.draws({"a": 0.8, "b": 0.2, "c": 0.0}, 2000, seed=1)
    width = draws.quantile(0.95) - draws.quantile(0.05)
    assert width.p0 < 0.3 and width.p1 < 0.3 and width.p2 > 0.8, width.to_dict()


def test_an_overconfident_estimator_fails_simulation_based_calibration(toy):
    """The check can fail: the same flow with its spread halved covers too little."""
    params, theta, figures, estimator = toy
    narrow = npe.Estimator(**{**estimator.__dict__, "u_sd": estimator.u_sd * 0.4})
    table = npe.sbc_table(npe.ranks(narrow, theta.iloc[:HELD_OUT], figures.iloc[:HELD_OUT]))
    identified = table.set_index("parameter").loc[["p0", "p1"]]
    assert not identified.passes.any() and (identified.coverage < 0.8).all(), table.to_dict("records")


def test_the_truncation_box_holds_the_draws_and_stays_inside_the_prior(toy):
    params, theta, figures, estimator = toy
    draws = estimator.draws({"a": 0.8, "b": 0.2, "c": 0.0}, 4000, seed=2)
    prior = Box.prior(params)
    box = npe.truncation_box(draws, params, prior)
    for p in params:
        assert prior.low[p.name] <= box.low[p.name] <= draws[p.name].min() + 1e-9
        assert draws[p.name].max() - 1e-9 <= box.high[p.name] <= prior.high[p.name]
    assert box.volume_share(params) < 0.5  # the figures cut p0 and p1
    assert max(npe.at_the_edges(draws, params, box, prior).values()) < 0.01


def test_sbc_table_counts_coverage_and_flags_a_lopsided_histogram():
    rng = np.random.default_rng(3)
    uniform = pd.DataFrame({"ok": rng.uniform(0, 1, 400), "low": rng.uniform(0, 1, 400) ** 3})
    table = npe.sbc_table(uniform).set_index("parameter")
    assert table.loc["ok", "passes"] and not table.loc["low", "passes"]
    # coverage is the share of ranks inside [0.05, 0.95]
    r = uniform["low"]
    assert table.loc["low", "coverage"] == pytest.approx(((r >= 0.05) & (r <= 0.95)).mean())


@pytest.mark.long
def test_npe_recovers_parameters_from_data_the_model_made(tmp_path):
    """The whole method on the model: a round of runs from the priors of three parameters (the
    migrant constants, T2/T3, and relative pay, N6a) at 3,000 agents; data made at known values
    (the mean of eight other seeds). Each posterior 90% interval covers its known value and is
    under half its prior's width, and on the held-out runs each 90% interval covers the known
    value in 80% to 97% of them. The rank-uniformity half of the SBC rule is not asserted at this
    size (700 training runs; at 500 and 700 it rejected one parameter at 1%): the shipped
    calibration applies the whole rule (conf/calibration/sbc.json)."""
    from sim.experiments import calibration, npe_calibration
    from sim.experiments.compose import load

    base = load(["scenario.burn_in_months=12"])
    by_name = {p.name: p for p in posterior.priors()}
    params = [by_name[n] for n in ("asc_out_of_province", "asc_in_province", "relative_pay")]
    truth = {"asc_out_of_province": 0.4, "asc_in_province": -0.3, "relative_pay": 0.9}
    data = calibration.model_data(base, params, truth, 3000)
    result = npe_calibration.run(calibration.with_values(base, params, truth), params, tmp_path,
                                 rounds=[900], workers=3000, seed=1, draws=2000, procs=2, data=data)
    table = result.ident.table.set_index("parameter")
    for name, value in truth.items():
        row = table.loc[name]
        assert row.posterior_low <= value <= row.posterior_high, (name, row.to_dict())
        assert row.width_ratio < 0.5, (name, row.width_ratio)
    assert result.sbc.coverage.between(0.80, 0.97).all(), result.sbc.to_dict("records")
