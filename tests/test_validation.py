"""sim-validate's verdicts on a small made-up posterior (sim.experiments.validation): the fitted
figures by their median's error in tolerances, the checks by their declared rule on the median
(the interval never decides) and only when pre-registered for the posterior, the spent figures
apart, the posterior-predictive distance, and the JSON line with its counts."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest

from sim.core.validation import InputError
from sim.experiments import calibration, input_files, preregistration, targets, validation
from sim.experiments.compose import load
from sim.experiments.posterior import load_draws

pytestmark = pytest.mark.model

POSTERIOR = "conf/calibration/posterior.csv"
IDENTIFICATION = "conf/calibration/identification.csv"
T2_ERRORS = (-3.0, -0.5, 0.0, 0.5, 3.0)  # T2's error in tolerances, draw by draw
T3_ERROR = 2.0  # T3's, in every draw


def _figure(fid: str) -> dict:
    return next(f for f in targets.compared() if f["id"] == fid)


def made_up_draws() -> pd.DataFrame:
    """Five draws: every fitted figure at its value except T2 (spread around it) and T3 (two
    tolerances off); checks T9 with a median above its band though the interval overlaps it, N4
    within its tolerance, M6a above its bound, M6b below its, N10 above its band."""
    rows: dict[str, list[float]] = {}
    for f in targets.fitted():
        rows[f["metric"]] = [float(f["value"])] * 5
    t2, t3 = _figure("T2"), _figure("T3")
    rows[t2["metric"]] = [t2["value"] * (1 + k * t2["tolerance"]) for k in T2_ERRORS]
    rows[t3["metric"]] = [t3["value"] * (1 + T3_ERROR * t3["tolerance"])] * 5
    rows["trained_employed_share"] = [0.35, 0.41, 0.43, 0.47, 0.52]  # median 0.43
    rows["in_work_sep_over_aug"] = [1.0, 1.004, 1.006, 1.008, 1.02]  # median 1.006
    rows["pay_out_of_province"] = [5300.0, 5350.0, 5400.0, 5450.0, 5500.0]
    rows["pay_county_wage"] = [3600.0, 3650.0, 3700.0, 3750.0, 3800.0]
    rows["income_per_person"] = [18000.0, 18500.0, 18800.0, 19000.0, 19500.0]
    rows["recovery_april"] = [0.95, 0.96, 0.97, 0.98, 0.99]
    rows["recovery_may"] = [0.98, 0.99, 1.0, 1.01, 1.02]
    rows["recovery_april_migrants"] = [0.85, 0.87, 0.88, 0.89, 0.91]
    rows["recovery_may_migrants"] = [0.91, 0.93, 0.95, 0.96, 0.98]
    for key, _, _ in validation.DIAGNOSTICS:
        rows[key] = [0.5, 0.6, 0.7, 0.8, 0.9]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def cfg():
    return load([])


@pytest.fixture
def posterior_file(tmp_path):
    """A posterior.csv of five draws, three distinct: the shipped draw 0 three times, 1 and 2."""
    shipped = pd.read_csv(POSTERIOR, comment="#")
    rows = shipped.iloc[[0, 0, 0, 1, 2]].reset_index(drop=True)
    rows["draw"] = range(len(rows))
    path = tmp_path / "posterior.csv"
    path.write_text("# a made-up posterior\n" + rows.to_csv(index=False), encoding="utf-8")
    return path


@pytest.fixture
def result(posterior_file, cfg) -> validation.Validation:
    """T9 and N4 pre-registered for this posterior (the at-fit copy declares them, nothing else)."""
    now = preregistration.read()
    at_fit = copy.deepcopy(now)
    at_fit["checks"] = [c for c in at_fit["checks"] if c["id"] in ("T9", "N4")]
    statuses = preregistration.status(now, at_fit, cfg)
    point = {key: 0.7 for key, _, _ in validation.DIAGNOSTICS}
    return validation.assess(made_up_draws(), point, load_draws(posterior_file), now, statuses)


def test_the_json_line_counts_what_the_draws_show(result, tmp_path):
    line = validation.summary_line(result, input_files.read_identification(IDENTIFICATION))
    n_fitted = len(targets.fitted())
    n_distance = len(calibration.distance_figures())
    # the distance of each draw: T2's and T3's errors in tolerances, the rest at their values
    distances = np.sqrt(np.array(T2_ERRORS) ** 2 + T3_ERROR ** 2)
    assert line["fitted"] == n_fitted
    assert line["fitted_medians_within_tolerance"] == n_fitted - 1  # all but T3
    assert line["article_medians_within_tolerance"] == 5  # T1, T2, T4, T5, T11 of the six
    assert line["checks"] == 5
    assert line["checks_preregistered"] == 2  # T9 and N4
    assert line["checks_met"] == 1  # N4; T9's median is above its band
    assert line["distinct_draws"] == 3
    assert line["ess"] == round(5 ** 2 / (3 ** 2 + 1 + 1), 1)  # multiplicities 3, 1, 1
    assert line["posterior_draws"] == 5
    assert line["sbc_parameters_passing"] is None  # not run: not made up
    assert line["ppd_distance_median"] == pytest.approx(np.median(distances), abs=1e-3)
    assert line["ppd_distance_within_root_n"] == pytest.approx(
        np.mean(distances <= np.sqrt(n_distance)))
    assert line["stay_post"] == 0.7 and line["identified"] <= line["parameters"]
    # what sim-report reads back: numbers, and null for what was not measured
    path = tmp_path / "validation.json"
    path.write_text(json.dumps(line), encoding="utf-8")
    assert input_files.read_validation_state(path) == line


def test_fitted_figures_are_judged_by_the_medians_error_in_tolerances(result):
    f = result.fitted.set_index("id")
    assert f.loc["T2", "in_tolerances"] == pytest.approx(0.0, abs=1e-9)
    assert f.loc["T2", "within"] and f.loc["T2", "share_within"] == pytest.approx(0.6)
    assert f.loc["T3", "in_tolerances"] == pytest.approx(T3_ERROR)
    assert not f.loc["T3", "within"] and f.loc["T3", "share_within"] == 0.0
    assert f.loc["N5", "metric"] == "all_work_6_months_share"


def test_a_median_outside_its_band_is_a_miss_though_the_interval_overlaps_it(result):
    c = result.checks.set_index("id")
    assert c.loc["T9", "low"] < 0.40 and c.loc["T9", "median"] >= 0.40  # the interval overlaps
    assert not c.loc["T9", "met"] and c.loc["T9", "counted"]
    assert c.loc["N4", "met"] and c.loc["N4", "counted"]
    # M6b's median meets its bound, but it was not declared before this fit: not counted
    assert c.loc["M6b", "met"] and not c.loc["M6b", "counted"]
    assert c.loc["M6b", "status"] == preregistration.NOT_DECLARED


def test_the_report_lists_checks_by_their_status_and_the_spent_figures_apart(result):
    text = validation.report_markdown(result, {"command": "sim-validate", "minutes": 1.0,
                                               "workers": 25_000})
    checks = text[text.index("## Checks, judged by the median"):text.index("### Not counted")]
    apart = text[text.index("### Not counted"):text.index("## Spent figures")]
    spent = text[text.index("## Spent figures"):text.index("## Behaviour")]
    assert "| T9 |" in checks and "| missed |" in checks and "| N4 |" in checks
    assert "| met |" in checks and "met by the median: 1 of 2" in checks
    assert "| M6a |" not in checks and "| M6a |" in apart and "| N10 |" in apart
    assert "not declared before the fit" in apart and "would meet" in apart
    assert "| met |" not in apart and "| missed |" not in apart
    # each check's earlier readings and their verdicts beside it
    assert "↳ T9, earlier" in checks and "met on overlap" in checks
    assert "↳ N10, earlier" in apart and "far above the band" in apart
    # spent: the first reading and verdict, today's values of both readings, not a check
    e3 = next(line for line in spent.splitlines() if line.startswith("| E3 |"))
    assert "migrant work only" in e3 and "missed (0.857 to 0.920" in e3
    assert "0.952 to 0.988 (0.970)" in e3 and "0.854 to 0.906 (0.880)" in e3
    assert e3.endswith("| not a check (in view) |")
    assert "| E3 |" not in checks + apart
    assert "## Posterior-predictive distance" in text and "at most sqrt(" in text
    assert "3 distinct parameter sets" in text


def test_a_fitted_figure_without_a_tolerance_says_so(monkeypatch, result):
    fitted = [dict(f) for f in targets.fitted()]
    del next(f for f in fitted if f["id"] == "E1")["tolerance"]
    monkeypatch.setattr(targets, "fitted", lambda: fitted)
    table = validation.fitted_table(result.draws).set_index("id")
    assert table.loc["E1", "within"] is None and table.loc["T2", "within"]
    text = validation.report_markdown(validation.Validation(**{**result.__dict__, "fitted":
                                                               table.reset_index()}),
                                      {"command": "sim-validate", "minutes": 1.0, "workers": 25_000})
    e1 = next(line for line in text.splitlines() if line.startswith("| E1 |"))
    assert e1.count("no tolerance") == 3


def test_the_posteriors_shape_from_multiplicities_or_weights():
    frame = pd.DataFrame({"a": [1.0, 1.0, 1.0, 2.0, 3.0], "b": [5, 5, 5, 6, 6]})
    assert validation.posterior_shape(frame) == (3, pytest.approx(25 / 11))
    weighted = pd.DataFrame({"a": [1.0, 2.0, 3.0], "weight": [1.0, 1.0, 2.0]})
    assert validation.posterior_shape(weighted) == (3, pytest.approx(16 / 6))


def test_sbc_is_read_when_run_and_null_when_not(tmp_path):
    path = tmp_path / "sbc.json"
    path.write_text(json.dumps({"parameters_passing": 12}), encoding="utf-8")
    assert validation.sbc_parameters_passing(path) == 12
    path.write_text(json.dumps({"parameters_passing": "most"}), encoding="utf-8")
    with pytest.raises(InputError, match="parameters_passing.*allowed"):
        validation.sbc_parameters_passing(path)


@pytest.mark.hostile
@pytest.mark.parametrize("content", ['{"fitted": "many"}', '{"checks": [1, 2]}', '[1, 2]'])
def test_a_validation_summary_with_other_values_than_numbers_or_null_is_refused(tmp_path, content):
    path = tmp_path / "validation.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="allowed: the validation summary"):
        input_files.read_validation_state(path)


def test_the_scale_table_puts_each_size_in_tolerances_and_the_json_counts_the_article(result):
    """The point fit at the draws' size and at full scale: each figure's relative error over its
    tolerance at both, and their gap; the JSON counts the article's figures within two
    tolerances at full scale and the largest gap."""
    t4 = next(f for f in targets.fitted() if f["id"] == "T4")
    t11 = next(f for f in targets.fitted() if f["id"] == "T11")
    small = {t4["metric"]: t4["value"] * 1.01, t11["metric"]: t11["value"]}
    full = {t4["metric"]: t4["value"] * 1.05, t11["metric"]: t11["value"] * 0.85}
    table = validation.scale_table(small, full).set_index("id")
    assert table.loc["T4", "small_in_tolerances"] == pytest.approx(0.01 / t4["tolerance"])
    assert table.loc["T4", "full_in_tolerances"] == pytest.approx(0.05 / t4["tolerance"])
    assert table.loc["T4", "gap_in_tolerances"] == pytest.approx(0.04 / t4["tolerance"])
    assert table.loc["T11", "full_in_tolerances"] == pytest.approx(-0.15 / t11["tolerance"])
    v = copy.copy(result)
    v.scale, v.full_seeds = table.reset_index(), 3
    line = validation.summary_line(v, pd.DataFrame({"role": ["behaviour"], "identified": [True]}))
    assert line["full_scale_article_within_two_tolerances"] == int(0.05 / t4["tolerance"] <= 2) \
        + int(0.15 / t11["tolerance"] <= 2)
    assert line["scale_gap_max_tolerances"] == pytest.approx(
        max(0.04 / t4["tolerance"], 0.15 / t11["tolerance"]), abs=1e-3)
    assert "## The point fit at full scale" in validation.report_markdown(
        v, {"command": "sim-validate", "minutes": 1, "workers": 25000})
