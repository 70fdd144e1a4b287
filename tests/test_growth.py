"""Growth after 2021 from the national series, and the epidemic calendar after 2021
(docs/MODEL.md 3.4.25): the series give each year's growth, this population keeps its 2021 gap to
the national growth, the month paths compound and interpolate as stated, and every event of the
calendar is dated, placed and sourced."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.core.growth import demand_index, national_growth, own_growth, pay_growth, pay_index
from sim.core.timeline import disruption
from sim.core.validation import ConfigError, validate
from sim.experiments.compose import load

pytestmark = pytest.mark.model

M1 = {"2020": 16959, "2021": 17172, "2022": 17190, "2023": 17658}  # EVIDENCE M1


@pytest.fixture(scope="module")
def shipped():
    return load(["scenario=transition_continue"])


def test_national_growth_is_the_ratio_of_levels_and_the_recent_mean_after_the_last_year():
    assert national_growth(M1, 2021) == pytest.approx(17172 / 16959 - 1)
    assert national_growth(M1, 2023) == pytest.approx(17658 / 17190 - 1)
    recent = np.mean([17172 / 16959 - 1, 17190 / 17172 - 1, 17658 / 17190 - 1])
    assert national_growth(M1, 2024) == pytest.approx(recent)
    assert national_growth(M1, 2025) == pytest.approx(recent)


def test_this_population_keeps_its_2021_gap_to_the_national_growth():
    for own_2021 in (-0.02, 0.013, 0.05):
        gap = own_2021 - national_growth(M1, 2021)
        assert own_growth(own_2021, M1, 2021) == own_2021
        for year in (2022, 2023, 2025):
            assert own_growth(own_2021, M1, year) - national_growth(M1, year) == pytest.approx(gap)
    # no series: the 2021 rate holds
    assert own_growth(0.04, {}, 2024) == 0.04 and pay_growth(0.088, {}, 2023) == 0.088
    assert pay_growth(0.088, M1, 2021) == 0.088
    assert pay_growth(0.088, M1, 2022) == pytest.approx(17190 / 17172 - 1)


def test_demand_compounds_month_by_month_at_each_years_rate():
    rates = {2021: 0.05, 2022: -0.02, 2023: 0.01}
    rate = rates.__getitem__
    assert demand_index(rate, 0) == 1.0 and demand_index(rate, -5) == 1.0
    for t in range(1, 13):
        assert demand_index(rate, t) == pytest.approx(1.05 ** (t / 12))
    assert demand_index(rate, 24) / demand_index(rate, 12) == pytest.approx(0.98)
    assert demand_index(rate, 30) / demand_index(rate, 24) == pytest.approx(1.01 ** 0.5)


def test_pay_runs_straight_in_logs_between_the_middles_of_the_years():
    rates = {2020: 0.1, 2021: 0.088, 2022: 0.045, 2023: 0.038, 2024: 0.03}
    rate = rates.__getitem__
    # the level of 2021's middle is 1; a year's middle is its rate above the year before's
    assert np.sqrt(pay_index(rate, 2021, 6) * pay_index(rate, 2021, 7)) == pytest.approx(
        1.0, rel=1e-3)
    for year in (2022, 2023):
        middle = np.sqrt(pay_index(rate, year, 6) * pay_index(rate, year, 7))
        before = np.sqrt(pay_index(rate, year - 1, 6) * pay_index(rate, year - 1, 7))
        assert middle / before == pytest.approx(1 + rates[year], rel=2e-3)
    # continuous at the turn of the year, and rising while the rates are positive
    path = [pay_index(rate, y, m) for y in (2020, 2021, 2022, 2023) for m in range(1, 13)]
    steps = np.diff(np.log(path))
    assert np.all(steps > 0) and steps.max() < np.log(1.1) / 12 * 1.01


def test_the_calendar_after_2021_adds_to_the_2021_calendar(shipped):
    cfg = shipped
    assert disruption(cfg, "2021-01") == cfg.scenario.disruption["2021-01"]
    april = sum(e.strength for e in cfg.events.values() if e.month == "2022-04")
    assert april > 0 and disruption(cfg, "2022-04") == pytest.approx(april)
    assert disruption(cfg, "2022-07") == 0.0
    half = replace(cfg, scenario=replace(cfg.scenario, disruption_scale=0.5))
    assert disruption(half, "2022-04") == pytest.approx(0.5 * april)
    none = load(["scenario=transition_continue", "events=none"])
    assert disruption(none, "2022-04") == 0.0


def test_every_event_of_the_shipped_calendar_is_dated_placed_and_sourced(shipped):
    events = shipped.events
    assert {e.month for e in events.values()} >= {"2022-01", "2022-04", "2022-11", "2022-12"}
    for name, e in events.items():
        assert e.month.startswith("2022-") and 0 < e.strength <= 1, name
        assert e.place.strip() and e.what.strip() and e.source.strip(), name


@pytest.mark.parametrize("key, value, named", [
    ("source", "", "events.xian_lockdown.source"),
    ("month", "2021-13", "events.xian_lockdown.month"),
    ("strength", 1.5, "events.xian_lockdown.strength"),
])
def test_a_bad_event_is_refused_by_name(shipped, key, value, named):
    events = dict(shipped.events)
    events["xian_lockdown"] = replace(events["xian_lockdown"], **{key: value})
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        validate(replace(shipped, events=events))


def test_a_series_with_a_gap_is_refused(shipped):
    gap = {"2020": 1.0, "2021": 1.0, "2023": 1.0}
    with pytest.raises(ConfigError, match=r"series\.outgoing_migrants"):
        validate(replace(shipped, series=replace(shipped.series, outgoing_migrants=gap)))


def test_without_growth_after_2021_demand_and_pay_stay_at_their_2021_path(shipped):
    from sim.core.model import LaborExportModel

    levels = {}
    for flag in ("true", "false"):
        model = LaborExportModel(load(["scenario=transition_continue", "population.scale=0.002",
                                       "scenario.burn_in_months=12", "scenario.end=2022-12",
                                       f"scenario.growth_after_2021={flag}"]))
        path = []
        while model.t < len(model.labels) - 1:
            model.step()
            path.append((model.destination_demand, model.local_demand, model.wage_levels[0]))
        levels[flag] = np.array(path)
    assert np.array_equal(levels["true"][:12, :2], levels["false"][:12, :2])  # 2021 the same
    held = levels["false"][12:]
    assert np.allclose(held[:, :2], levels["false"][11, :2])  # demand held from December 2021
    assert not np.allclose(levels["true"][12:, :2], levels["true"][11, :2])
