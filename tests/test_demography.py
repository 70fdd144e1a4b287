"""Demography and the yearly outcomes of a projection (docs/MODEL.md 3.4.24, 3.4.26): ages only
go up, exits follow the yearly rates by age, the young enter in their month, the labour force
moves by entries less exits, and the yearly outcomes add up to the monthly stocks and to each
worker's own record of months."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.population import NOT_WORKING, OUTSIDE, OVER_AGE, TRAINING
from sim.core.work_record import PLACE_OF_STATUS
from sim.experiments.runner import simulate

from .conftest import SEEDS, small_config, small_model

pytestmark = pytest.mark.model

# exit rates large enough that a year at 10,000 workers tells them apart
RATES = ["population.exit_rate_under_50=0.05", "population.exit_rate_50s=0.15",
         "population.exit_rate_60s=0.4"]


def _bands(age: np.ndarray) -> np.ndarray:
    return np.digitize(age, [50, 60])  # 0: under 50, 1: 50s, 2: 60 and over


def test_nobody_gets_younger_and_everyone_ages_once_a_year(seed):
    model = small_model("scenario.end=2022-06", seed=seed)
    w = model.workers
    start = w.age.copy()
    while model.t < len(model.labels) - 1:
        before = w.age.copy()
        model.step()
        grew = w.age.astype(int) - before
        assert grew.min() >= 0 and grew.max() <= 1
        # the birthday month, and only it
        assert np.array_equal(grew == 1, w.birthday == model.month_of_year)
    assert np.all(w.age.astype(int) - start == np.where(w.birthday <= 6, 2, 1))


def test_exits_follow_the_yearly_rates_by_age():
    """Over three seeds, the exits in each age band in 2021 match the monthly hazards summed
    over the workers at risk (a z-score per band); nobody stays past the last working age."""
    observed, expected, variance = np.zeros(3), np.zeros(3), np.zeros(3)
    for seed in SEEDS:
        model = small_model(*RATES, "population.last_working_age=100", seed=seed)
        p = model.p.population
        w = model.workers
        monthly = 1 - (1 - np.array([p.exit_rate_under_50, p.exit_rate_50s, p.exit_rate_60s])) ** (1 / 12)
        for _ in range(12):
            # at risk this month: in the labour force, by the age after this month's birthdays
            birthday = w.birthday == model.month_of_year % 12 + 1
            band = _bands(w.age + birthday)
            at_risk = w.status != OUTSIDE
            model.step()
            left = at_risk & (w.status == OUTSIDE)
            observed += np.bincount(band[left], minlength=3)
            hazard = monthly[band[at_risk]]
            expected += np.bincount(band[at_risk], weights=hazard, minlength=3)
            variance += np.bincount(band[at_risk], weights=hazard * (1 - hazard), minlength=3)
    z = (observed - expected) / np.sqrt(variance)
    assert np.all(np.abs(z) < 4), (observed, expected)


def test_no_one_works_past_the_last_working_age():
    model = small_model("population.last_working_age=64", "scenario.end=2021-12")
    model.run()
    w = model.workers
    assert not np.any((w.age > 64) & (w.status != OUTSIDE))
    assert np.any((w.age > 64) & (w.status == OUTSIDE))  # there were such workers to retire


def test_turning_60_makes_over_age_labour_in_its_reporting_group():
    model = small_model("scenario.end=2021-12")
    w = model.workers
    turning = np.flatnonzero((w.age == 59) & (w.status != OUTSIDE))
    model.run()
    stayed = turning[w.status[turning] != OUTSIDE]
    assert len(stayed) > 10 and np.all(w.capacity[stayed] == OVER_AGE)
    led = model.ledger
    kept = {k: v.copy() for k, v in led.by_group.items()}
    led.recount()
    assert all(np.array_equal(kept[k], led.by_group[k]) for k in kept)


def test_the_young_enter_in_their_month_and_look_for_work(seed):
    model = small_model("scenario.end=2022-12", seed=seed)
    w = model.workers
    young = np.flatnonzero(w.entry_month > 0)
    assert len(young) > 0 and np.all(w.status[young] == OUTSIDE)
    assert np.all(w.age[young] < 16)
    entered_ok = 0
    while model.t < len(model.labels) - 1:
        model.step()
        due = young[w.entry_month[young] == model.t]
        later = young[w.entry_month[young] > model.t]
        assert np.all(w.status[later] == OUTSIDE)
        assert np.all(w.age[due] == 16)
        # they decided this month: in work, in a course, or not working with a review to come
        assert np.all(w.status[due] != OUTSIDE)
        assert np.all((w.status[due] != NOT_WORKING) | (w.next_review[due] > model.t))
        entered_ok += len(due)
    # each entered in its month (none was missed), and a year's worth did
    assert entered_ok == np.sum(w.entry_month[young] <= model.t) > 50


def test_the_labour_force_moves_by_entries_less_exits():
    model = simulate(small_config("scenario=transition_continue", "scenario.end=2023-12"))
    rec = model.recorder
    lf = [rec.year_summary(y)["labour_force"] for y in (2021, 2022, 2023)]
    before = rec.by_month[0]["labour_force"]
    w = model.workers
    k = 1 / model.scale
    entered = [np.sum((w.entry_month > 12 * i) & (w.entry_month <= 12 * (i + 1))) * k
               for i in range(3)]
    changes = np.diff([before] + lf)
    exits = np.array(entered) - changes
    assert np.all(exits > 0) and np.all(np.array(entered) > 0)
    # the young entrants are this far of the labour force a year (population.entry_rate)
    assert entered[0] / before == pytest.approx(model.p.population.entry_rate, rel=0.15)


def test_demography_off_keeps_the_labour_force():
    model = simulate(small_config("scenario.demography=false", "scenario.end=2022-12"))
    assert model.recorder.year_summary(2022)["labour_force"] == model.recorder.by_month[0]["labour_force"]


def test_the_age_structure_moves_as_the_national_series():
    """M4: the share of migrant workers over 50 rose from 27.3% (2021) to 30.6% (2023), about
    1.6 points a year. The model's share among workers who worked away rises too, and by a
    similar amount (between a half and three points a year): ageing in place, fewer entrants."""
    model = simulate(small_config("population.scale=0.02", "scenario=transition_continue",
                                  "scenario.end=2023-12"))
    share = [model.recorder.year_summary(y)["over_50_share"] for y in (2021, 2022, 2023)]
    per_year = (share[2] - share[0]) / 2
    assert 0.005 < per_year < 0.03, share


@pytest.fixture(scope="module")
def two_years():
    return simulate(small_config("scenario=transition_continue", "scenario.end=2022-12"))


def test_job_months_add_up_to_the_monthly_stocks_and_the_workers_record(two_years):
    model = two_years
    rec = model.recorder
    year = rec.year_summary(2022)
    months = [i for i, m in enumerate(rec.months) if m.startswith("2022-")]
    statuses = ("out_of_province", "in_province", "local_job", "workshop", "public_welfare")
    for status in statuses:
        assert year[f"job_months_{status}"] == pytest.approx(
            sum(rec.by_month[i][status] for i in months))
    assert year["job_months"] == pytest.approx(sum(year[f"job_months_{s}"] for s in statuses))
    # every worker's own months by place (sim.core.work_record), summed, are the same months
    by_place = model.work_months.sum(axis=0) / model.scale
    assert by_place[0] == pytest.approx(year["job_months_out_of_province"])
    assert by_place[1] == pytest.approx(year["job_months_in_province"])
    assert by_place[2] == pytest.approx(year["job_months_local_job"] + year["job_months_workshop"])
    assert by_place[3] == pytest.approx(year["job_months_public_welfare"])
    assert np.all(PLACE_OF_STATUS[[TRAINING, NOT_WORKING, OUTSIDE]] == -1)


def test_who_worked_during_the_year_bounds_the_december_stock(two_years):
    rec = two_years.recorder
    for y in (2021, 2022):
        year = rec.year_summary(y)
        assert year["worked_any_month"] >= year["in_work_december"]
        assert year["worked_6_months"] <= year["worked_any_month"]
        # person-months: at most twelve for each who worked, at least one
        assert year["worked_any_month"] <= year["job_months"] <= 12 * year["worked_any_month"]
        income = year["wage_income"] + year["nonwage_income"]
        assert year["income_per_person"] == pytest.approx(income / year["persons"])


def test_the_year_by_group_adds_up_to_everyone(two_years):
    rec = two_years.recorder
    rows = rec.year_groups(2022)
    total = rec.year_summary(2022)
    for metric in ("job_months", "in_work_december", "labour_force"):
        by_sex = sum(v for m, g, v in rows if m == metric and g.startswith("sex="))
        by_region = sum(v for m, g, v in rows if m == metric and g.startswith("region="))
        assert by_sex == pytest.approx(total[metric]) and by_region == pytest.approx(total[metric])


def test_below_line_households_count_the_years_income(two_years):
    model = two_years
    hh = model.households
    yearly = hh.income_year / hh.persons  # December: the year's income
    expected = np.sum(yearly < model.p.policy.monitoring.monitoring_line) / model.scale
    assert model.recorder.year_summary(2022)["below_line_households"] == pytest.approx(expected)
