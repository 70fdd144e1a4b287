"""The calibration end to end at a tiny scale: the search lowers the objective from a start moved
off the fit, the sensitivities say which figures each parameter moves, and `sim-calibrate` writes
a fitted config and a report that say the same."""

from __future__ import annotations

import numpy as np
import yaml

from sim.commands import calibrate
from sim.experiments import calibration
from sim.experiments.compose import load

TINY = ["population.scale=0.004", "scenario.burn_in_months=2"]
TWO = calibration.FREE[:2]  # the out-of-province and in-province option constants


def test_the_search_lowers_the_objective_from_a_start_off_the_fit():
    cfg = load(TINY)
    x_fit = np.array([p.get(cfg) for p in TWO])
    start = x_fit + np.array([1.5, -1.5])
    table = calibration.simulate_targets(calibration.with_values(cfg, TWO, start), [0])
    before = float(calibration.residuals(table) @ calibration.residuals(table))
    fit = calibration.fit(cfg, [0], TWO, max_evaluations=12, x0=start, show=False)
    assert fit.objective < 0.5 * before
    assert np.all(np.abs(fit.x - x_fit) < np.abs(start - x_fit))  # back towards the fit


def test_the_sensitivities_tie_each_constant_to_its_own_figure():
    cfg = load(TINY)
    x = np.array([p.get(cfg) for p in TWO])
    J = calibration.sensitivity(cfg, [0], TWO, x, step=0.5)
    ids = sorted(calibration.TOLERANCE, key=lambda t: int(t[1:]))
    # a higher out-of-province constant raises T2 (out of province) and lowers T3; the
    # in-province constant the other way round
    t2, t3 = ids.index("T2"), ids.index("T3")
    assert J[t2, 0] > 0 and J[t3, 0] < 0
    assert J[t3, 1] > 0 and J[t2, 1] < 0


def test_sim_calibrate_writes_the_fitted_config_and_its_report(tmp_path):
    out, report = tmp_path / "fitted.yaml", tmp_path / "report.md"
    calibrate.main(["--scale", "0.004", "--max-evals", "3", "--refine-steps", "1",
                    "--refine-scale", "0.004", "--output", str(out), "--report", str(report),
                    "scenario.burn_in_months=2"])
    fitted = yaml.safe_load(out.read_text())
    assert fitted["fitted_for_labour_force"] == 2_500_000
    for p in calibration.FREE:
        node = fitted
        for part in p.key.split("."):
            node = node[part]
        assert p.lower <= node <= p.upper, p.key
    text = report.read_text()
    for section in ("## Fit", "## Fitted parameters", "## Sensitivity at the optimum", "## Flags"):
        assert section in text
