"""The article's figures come from seeds/figures.yaml and the fit table compares with them."""

from __future__ import annotations

import pytest

from sim.experiments import targets

pytestmark = pytest.mark.model


def test_figures_are_consistent():
    by_id = {t["id"]: t for t in targets.targets()}
    assert sorted(by_id, key=lambda k: int(k[1:])) == [f"T{i}" for i in range(1, 13)]
    assert by_id["T2"]["value"] + by_id["T3"]["value"] + by_id["T4"]["value"] == by_id["T1"]["value"]
    assert by_id["T5"]["level_2020"] + by_id["T5"]["increase"] == pytest.approx(
        by_id["T1"]["value"], abs=100)


def test_fit_table_errors_and_bounds():
    summary = {t["metric"]: t["value"] for t in targets.targets()}
    summary["in_work"] *= 1.1
    summary["trained_employed_share"] = 0.45  # above the article's lower bound of 30%
    table = targets.fit_table(summary)
    assert table["T1"]["rel_error"] == pytest.approx(0.1)
    assert table["T9"]["rel_error"] == 0.0
    summary["trained_employed_share"] = 0.27  # below it: the shortfall counts
    assert targets.fit_table(summary)["T9"]["rel_error"] == pytest.approx(-0.1)
    text = targets.format_fit_table(table)
    assert "T12" in text and ">=0.300" in text
