"""Patterns the calibration did not use (docs/MODEL.md, Calibration: checks): women work away less
than locally; migrants go home for the Spring Festival and leave after it; a 2020-like spring
closure is followed by recovery within a few months. Means over several seeds."""

from __future__ import annotations

import numpy as np

from sim import runner

from .conftest import SEEDS, small_config

MIGRANT = ("out_of_province", "in_province")


def series(*overrides):
    frames = [runner.run(small_config("population.scale=0.01", "scenario.burn_in_months=24",
                                      f"seed={s}", *overrides)).timeseries
              for s in SEEDS]
    ts = frames[0].copy()
    ts["value"] = np.mean([f["value"].to_numpy() for f in frames], axis=0)
    return ts


def value(ts, month, metrics, group="all"):
    rows = ts[(ts.month == month) & ts.metric.isin(metrics) & (ts.group == group)]
    return float(rows.value.sum())


def test_women_are_a_smaller_share_of_workers_away_than_of_local_workers():
    ts = series()
    away_f = value(ts, "2021-12", MIGRANT, "sex=female")
    away = value(ts, "2021-12", MIGRANT)
    local_f = value(ts, "2021-12", ["in_county"], "sex=female")
    local = value(ts, "2021-12", ["in_county"])
    assert away_f / away < local_f / local - 0.03


def test_migrants_go_home_for_the_festival_and_leave_after_it():
    """2021: festival in February; 2022: in January (the festival fell on 1 February). Back
    above 95% of the level before it within three months."""
    ts = series("scenario.end=2022-04", "scenario.disruption_scale=0")  # the festival alone
    for before, festival, after in (("2021-01", "2021-02", "2021-04"),
                                    ("2021-12", "2022-01", "2022-04")):
        level = value(ts, before, MIGRANT)
        assert value(ts, festival, MIGRANT) < 0.95 * level
        assert value(ts, after, MIGRANT) > 0.95 * level


def test_a_spring_closure_is_followed_by_recovery_within_months():
    ts = series("scenario=epidemic_2020")
    before = value(ts, "2021-01", MIGRANT)
    assert value(ts, "2021-03", MIGRANT) < 0.9 * before
    assert value(ts, "2021-06", MIGRANT) > 0.95 * before
