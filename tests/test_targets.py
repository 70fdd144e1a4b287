"""The figures a run is compared with: the article's (seeds/figures.yaml) and the evidence's
(seeds/evidence.yaml), each of one kind (input, fitted, check, spent) with its source; the fit
table compares each in its own way (a bound by its shortfall, a band by the distance to it) and
shows the spent figures apart from the checks."""

from __future__ import annotations

import pytest

from sim.experiments import targets

pytestmark = pytest.mark.model


def test_article_figures_are_consistent():
    by_id = {t["id"]: t for t in targets.targets()}
    assert sorted(by_id, key=lambda k: int(k[1:])) == [f"T{i}" for i in range(1, 13)]
    assert by_id["T2"]["value"] + by_id["T3"]["value"] + by_id["T4"]["value"] == by_id["T1"]["value"]
    assert by_id["T5"]["level_2020"] + by_id["T5"]["increase"] == pytest.approx(
        by_id["T1"]["value"], abs=100)


def test_every_figure_has_a_kind_a_source_and_a_reading():
    figures = targets.compared()
    assert {f["kind"] for f in figures} == {"input", "fitted", "check", "spent"}
    for f in figures:
        assert f.get("source") and f.get("model_reading"), f["id"]
        if f["kind"] == "input":
            assert f.get("given_metric"), f["id"]
        if f["kind"] == "fitted" and f.get("in_distance", True):
            assert 0 < f["tolerance"] <= 0.05, f["id"]
    # inputs are the policy sizes the model is given; the fitted figures are at least eight
    # besides those implied by others; checks at least three
    assert {f["id"] for f in figures if f["kind"] == "input"} == {"T6", "T7", "T8", "T10", "T12",
                                                                  "T9n"}
    assert sum(f["kind"] == "fitted" and f.get("in_distance", True) for f in figures) >= 8
    assert sum(f["kind"] == "check" for f in figures) >= 3
    # E3 and N3 had their inputs set with them in view: spent, never checks again
    assert {f["id"] for f in figures if f["kind"] == "spent"} == {"E3", "N3"}
    # the 外出務工 series has one reading, all work wherever: N5 over everyone who worked
    assert next(f for f in figures if f["id"] == "N5")["metric"] == "all_work_6_months_share"


def test_only_figures_up_to_2021_or_national_ones_are_used():
    for f in targets.evidence():
        assert f["year"] <= 2021, f["id"]
        national = f["id"][0] in "NM"
        assert national or f["kind"] in ("fitted", "check", "spent", "prior", "context")


def test_fit_table_errors_bounds_and_bands():
    summary = {f["metric"]: float(f["value"]) for f in targets.compared()}
    summary["workshop_room"] = 35_000.0
    summary["worked_any_month"] *= 1.1
    summary["trained_employed_share"] = 0.35  # inside the band [0.30, 0.40)
    summary["recovery_april"] = 0.99  # above the bound 0.95
    table = targets.fit_table(summary)
    assert table["T1"]["rel_error"] == pytest.approx(0.1)
    assert table["T9"]["rel_error"] == 0.0 and table["E3"]["rel_error"] == 0.0
    summary["trained_employed_share"] = 0.45  # above the band: the distance to its top
    summary["recovery_april"] = 0.90  # below the bound: the shortfall
    table = targets.fit_table(summary)
    assert table["T9"]["rel_error"] == pytest.approx(0.05 / 0.40)
    assert table["E3"]["rel_error"] == pytest.approx(-0.05 / 0.95)
    assert table["T6"]["kind"] == "input" and table["T6"]["given"] == 35_000.0


def test_the_printout_keeps_the_kinds_apart():
    summary = {f["metric"]: float(f["value"]) for f in targets.compared()}
    del summary["recovery_may"]  # a spent figure this run does not measure (another scenario)
    text = targets.format_fit_table(targets.fit_table(summary))
    inputs, fitted, checks, spent = (text.index(h) for h in ("Inputs", "Fitted", "Checks", "Spent"))
    assert inputs < text.index("T6 ") < fitted < text.index("N5 ") < checks < text.index("N4 ")
    assert checks < text.index("M6a ") < text.index("N10 ") < spent < text.index("E3 ") \
        < text.index("N3 ")
    assert "in view, not checks" in text[spent:].splitlines()[0]
    e3, n3 = (next(line for line in text.splitlines() if line.startswith(f"  {i} "))
              for i in ("E3", "N3"))
    assert e3.endswith("in view, not a check") and "+0.00%" in e3
    assert "(another scenario: sim-validate)  in view, not a check" in n3
    assert "filled" in text
    counterfactual = targets.format_fit_table(targets.fit_table(summary), counterfactual=True)
    assert "%" not in counterfactual.split("Fitted")[1]  # no errors for a counterfactual


def test_yuan_are_printed_with_thousands_separators():
    """Pay and income (units `yuan a month`, `yuan a year`) as people are: 5,013, not 5013.000."""
    summary = {f["metric"]: float(f["value"]) for f in targets.compared()}
    summary["pay_out_of_province"] = 5406.4
    text = targets.format_fit_table(targets.fit_table(summary))
    m6a, n10 = (next(line for line in text.splitlines() if line.startswith(f"  {i} "))
                for i in ("M6a", "N10"))
    assert "<=5,013" in m6a and " 5,406 " in m6a and "+7.85%" in m6a
    assert "[9,412, 13,805)" in n10 and " 12,550 " in n10
    assert "5013.000" not in text and "12550.000" not in text
