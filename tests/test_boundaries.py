"""The boundaries of the work record, demography and growth, pinned exactly (issue 22): the month
a worker's count of months reaches six, where a year's record starts and what stands for 2020,
the last working age and the age bands' edges, the month each thing happens, and the first
year and size of each growth term after 2021.

Where a rule is deterministic it is checked exactly; where it draws, it is driven to a sure
outcome (a yearly rate of 0 or 1) or checked against its configured rate over seeds. Nothing
here reads today's random stream, so a rewrite that draws differently but keeps the rules passes,
and a one-step change of any boundary fails (docs/MODEL.md 3.4.16, 3.4.17, 3.4.24-3.4.26).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.core import timeline, work_record
from sim.core.employment import hire, leave_labour_force, release, start_training
from sim.core.households import update_households
from sim.core.levers import zero_employment
from sim.core.metrics import COUNT_FLOWS
from sim.core.model import LaborExportModel
from sim.core.population import (FIRM, IN_PROVINCE, LOCAL_JOB, NO_EMPLOYER, NOT_WORKING,
                                 OUT_OF_PROVINCE, OUTSIDE, OVER_AGE, PUBLIC_WELFARE, TRAINING,
                                 WORKSHOP)
from sim.experiments.compose import load

from . import oracles

pytestmark = pytest.mark.model

TINY = ["population.scale=0.002", "scenario.burn_in_months=12", "quiet=true"]  # ~5,000 workers
NEVER = np.iinfo(np.int16).max  # the review month of a worker outside the labour force


def tiny_model(*overrides: str, seed: int = 0) -> LaborExportModel:
    return LaborExportModel(load(TINY + [f"seed={seed}", *overrides]))


def run_months(model: LaborExportModel):
    """Step to the end of the run; yield after each month the state before it (status, age,
    capacity, can_migrate)."""
    w = model.workers
    while model.t < len(model.labels) - 1:
        before = (w.status.copy(), w.age.copy(), w.capacity.copy(), w.can_migrate.copy())
        model.step()
        yield before


# =================================================================================================
# The work record (sim.core.work_record, Recorder.year_summary, groups): who worked, where, how long
# =================================================================================================
# A scripted year: every worker is put out of work at the end of 2020, then a few probes hold the
# statuses their line gives, one letter a month; the month ends as the model's step ends it (the
# record counts it, the recorder records it). So every figure of the year is known exactly.
CODE = {"O": OUT_OF_PROVINCE, "I": IN_PROVINCE, "L": LOCAL_JOB, "W": WORKSHOP,
        "P": PUBLIC_WELFARE, "T": TRAINING, ".": NOT_WORKING, "X": OUTSIDE}
WORK = "OILWP"


def scripted_model(*overrides: str) -> LaborExportModel:
    """A model at the end of 2020 with nobody in work or in a course (the December 2020 record
    keeps the built state): what the record counts from January is what the script says."""
    model = tiny_model("scenario=transition_continue", "scenario.end=2022-12", *overrides)
    release(model, np.flatnonzero(model.workers.status < NOT_WORKING))
    return model


def probes(model, *specs: tuple[bool | None, int | None]) -> np.ndarray:
    """One worker of the labour force for each (female, age) asked (None: any), all distinct, in
    counties with a workshop (a probe may work in one)."""
    w = model.workers
    has_workshop = np.bincount(model.workshops.county, minlength=model.counties.n) > 0
    free = (w.status != OUTSIDE) & has_workshop[w.county]
    out = []
    for female, age in specs:
        ok = free & ((w.female == female) if female is not None else True)
        ok &= (w.age == age) if age is not None else True
        row = int(np.flatnonzero(ok)[0])
        free[row] = False
        out.append(row)
    return np.array(out)


def _put(model, rows: np.ndarray, status: int) -> None:
    """Move `rows` to `status` the way the model moves workers (through the running counts):
    out of the job or course held first, then into the new one."""
    w = model.workers
    rows = rows[w.status[rows] != status]
    if len(rows) == 0:
        return
    if status == OUTSIDE:
        leave_labour_force(model, rows)
        return
    assert not np.any(w.status[rows] == OUTSIDE)  # a script never brings a leaver back
    release(model, rows[w.status[rows] != NOT_WORKING])
    n = len(rows)
    if status == TRAINING:
        start_training(model, rows, np.full(n, model.t + 12))
    elif status == WORKSHOP:  # a workshop of the worker's own county
        sites = np.array([np.flatnonzero(model.workshops.county == c)[0] for c in w.county[rows]])
        hire(model, rows, np.full(n, WORKSHOP, np.int8), workshop=sites)
    elif status == LOCAL_JOB:
        hire(model, rows, np.full(n, LOCAL_JOB, np.int8), employer=np.full(n, FIRM, np.int8))
    elif status != NOT_WORKING:
        hire(model, rows, np.full(n, status, np.int8))


def scripted_month(model, rows: np.ndarray, letters: str) -> dict[str, float]:
    """One month of the step with its behaviour replaced by the script: the calendar moves on
    (in January the year's record restarts), the probes take the month's statuses, and the
    month ends as `LaborExportModel.step` ends it. Returns the month's record."""
    model.t += 1
    timeline.set_month(model)
    model.flow = dict.fromkeys(COUNT_FLOWS, 0.0)
    codes = np.array([CODE[c] for c in letters])
    for status in np.unique(codes):
        _put(model, rows[codes == status], int(status))
    update_households(model)
    work_record.tally(model)
    model.recorder.record()
    return model.recorder.current


def scripted_year(model, rows: np.ndarray, lines: list[str]) -> list[dict[str, float]]:
    """Twelve scripted months; `lines` holds one line of twelve letters per probe."""
    assert all(len(line) == 12 for line in lines)
    return [dict(scripted_month(model, rows, "".join(line[m] for line in lines)))
            for m in range(12)]


def people(model, value: float) -> int:
    """A reported count (people at full scale) as simulated workers."""
    count = value * model.scale
    assert count == pytest.approx(round(count), abs=1e-6)
    return round(count)


# who reaches six months of work, and when (the month index 1-12 of the sixth month; None: never)
SIX_MONTHS = [
    ("five months away", "OOOOO.......", None),
    ("six months away", "OOOOOO......", 6),
    ("six months one in two", "O.O.O.O.O.O.", 11),
    ("six months late in the year", "......OOOOOO", 12),
    ("five of work and three of training", "OOOTTTOO....", None),
    ("three in the county, three on a post", "LLLPPP......", 6),
    ("three away, three in a workshop", "OOOWWW......", 6),
    ("twelve in the province", "IIIIIIIIIIII", 6),
    ("a course all year", "TTTTTTTTTTTT", None),
    ("at home all year", "............", None),
]


def test_a_worker_counts_six_months_in_the_month_its_sixth_month_of_work_ends():
    """worked_6_months counts a worker from the end of the month in which its months of work
    of the year, in any place, reach six; a course or a month at home is no month of work."""
    model = scripted_model()
    rows = probes(model, *[(None, None)] * len(SIX_MONTHS))
    months = scripted_year(model, rows, [line for _, line, _ in SIX_MONTHS])
    for m, record in enumerate(months, start=1):
        expected = sum(1 for _, _, six in SIX_MONTHS if six is not None and six <= m)
        assert people(model, record["worked_6_months"]) == expected, m
        worked = sum(1 for _, line, _ in SIX_MONTHS if any(c in WORK for c in line[:m]))
        assert people(model, record["worked_any_month"]) == worked, m
    december = months[-1]
    assert people(model, december["worked_any_month"]) == 8  # the course and home: never
    # N5: of those mostly away (the five away lines and the twelve in the province; three away
    # and three in a workshop is a tie, which goes to the county), those with six months or more
    assert december["migrant_6_months_share"] == pytest.approx(4 / 6)


# where a worker counts: the place of most months, a tie to the nearer place
MAIN_PLACE = [
    ("out 5, in 4", "OOOOOIIII...", "out_of_province"),
    ("out 4, in 4", "OOOOIIII....", "in_province"),
    ("out 4, county 4", "OOOOLLLL....", "in_county"),
    ("in 4, county 4", "IIIIWWWW....", "in_county"),
    ("out 3, in 2, county 2 (a job and a post)", "OOOIILP.....", "out_of_province"),
    ("in 3, out 2, county 2", "IIIOOLW.....", "in_province"),
    ("in 4, out 3, county 3", "OOO.IIII.LLL", "in_province"),
    ("out 3, county 4 (posts count in the county)", "OOOPPPP.....", "in_county"),
    ("out 1, training 11", "OTTTTTTTTTTT", "out_of_province"),
    ("county 1", "...........W", "in_county"),
]


def test_each_worker_counts_at_the_place_of_most_months_and_a_tie_goes_to_the_nearer_place():
    model = scripted_model()
    rows = probes(model, *[(None, None)] * len(MAIN_PLACE))
    december = scripted_year(model, rows, [line for _, line, _ in MAIN_PLACE])[-1]
    for place in ("out_of_province", "in_province", "in_county"):
        expected = sum(1 for _, _, main in MAIN_PLACE if main == place)
        assert people(model, december[f"worked_{place}"]) == expected, place


def test_women_and_over_50_are_shares_of_whom_the_nbs_would_count():
    """M4, M5: the NBS counts workers not mostly on a post (a tie of wage months and post months
    is counted); "over 50" is 51 and older (the NBS bands are 41-50 and over 50)."""
    model = scripted_model()
    rows = probes(model,
                  (True, 51),    # away, a woman over 50
                  (False, 50),   # away, a man of 50: not over 50
                  (True, 40),    # two months in a job, two on a post: counted
                  (True, 30),    # one month in a job, two on a post: mostly a post, not counted
                  (False, 51))   # workshop, a man over 50
    december = scripted_year(model, rows, ["OOOOOO......", "IIII........", "LLPP........",
                                           "LPP.........", "WWW........."])[-1]
    assert december["women_share_away"] == pytest.approx(1 / 2)
    assert december["women_share_in_county"] == pytest.approx(1 / 2)  # of the job-post tie and the workshop
    assert december["over_50_share"] == pytest.approx(2 / 4)
    assert people(model, december["worked_in_county"]) == 3  # the post worker counts in T4


def test_job_months_are_the_years_months_in_work_by_status():
    """job_months_<status>: the twelve monthly stocks of the year summed; December 2020 (the
    built state, many in work) is not part of 2021."""
    lines = ["OOOOO.......", "IIL.LLWWW...", "PPPPPPPPPPPP", "TTTT....OOOO", "............"]
    model = scripted_model()
    rows = probes(model, *[(None, None)] * len(lines))
    assert model.recorder.by_month[0]["in_work"] > 0
    scripted_year(model, rows, lines)
    year = model.recorder.year_summary(2021)
    text = "".join(lines)
    for letter, status in zip("OILWP", ("out_of_province", "in_province", "local_job", "workshop",
                                        "public_welfare")):
        assert people(model, year[f"job_months_{status}"]) == text.count(letter), status
    assert people(model, year["job_months"]) == sum(text.count(c) for c in WORK)
    assert people(model, year["in_work_december"]) == 2  # the post and the one back away
    assert people(model, year["worked_any_month"]) == 4


def test_the_record_restarts_each_january_and_a_leaver_keeps_its_months():
    """A year's count starts from nothing in January: six months to December 2021 and three
    from January 2022 is no six months in 2022. A worker who leaves the labour force keeps the
    months it worked in the year it left (docs/MODEL.md 3.4.24) and counts in no later year."""
    lines_2021 = ["......OOOOOO", "OOOOOOXXXXXX", "...........L", "............"]
    lines_2022 = ["OOO.........", "XXXXXXXXXXXX", "............", "...........P"]
    model = scripted_model()
    rows = probes(model, *[(None, None)] * 4)
    first = scripted_year(model, rows, lines_2021)
    second = scripted_year(model, rows, lines_2022)
    assert people(model, first[-1]["worked_any_month"]) == 3
    assert people(model, first[-1]["worked_6_months"]) == 2  # the leaver too
    labour = [people(model, m["labour_force"]) for m in first]
    assert labour[5] - labour[6] == 1 and labour[6] == labour[-1]  # it left in July
    # January 2022: only January's work; December 2022: who worked in 2022
    assert people(model, second[0]["worked_any_month"]) == 1
    assert people(model, second[0]["worked_6_months"]) == 0
    assert people(model, second[-1]["worked_any_month"]) == 2
    assert people(model, second[-1]["worked_6_months"]) == 0
    rec = model.recorder
    assert rec.year_summary(2022)["worked_any_month_year_before"] == rec.year_summary(2021)[
        "worked_any_month"]


def test_the_year_end_groups_count_the_record_by_age_band_with_their_edges():
    """groups.parquet: people who worked and person-months by age band (16-29, 30-44, 45-59,
    60+) from each worker's record; the labour force by band from its ages."""
    ages = (29, 30, 44, 45, 59, 60)
    months = ("O...........", "LL..........", "PPP.........", "IIII........", "WWWWW.......",
              "LLLLLL......")
    model = scripted_model()
    rows = probes(model, *[(None, a) for a in ages])
    scripted_year(model, rows, list(months))
    rows_out = model.recorder.groups[2021]
    table = {(g, metric): v for dim, g, metric, v in rows_out if dim == "age_band"}
    w = model.workers
    labour = w.status != OUTSIDE
    bands = {"16-29": (16, 29), "30-44": (30, 44), "45-59": (45, 59), "60+": (60, 127)}
    for band, (low, high) in bands.items():
        inside = [k for k, a in enumerate(ages) if low <= a <= high]
        assert people(model, table[band, "worked_any_month"]) == len(inside), band
        assert people(model, table[band, "job_months"]) == sum(k + 1 for k in inside), band
        assert people(model, table[band, "labour_force"]) == np.sum(
            labour & (w.age >= low) & (w.age <= high)), band


class _Seen(list):
    model: LaborExportModel
    income_at_start: np.ndarray  # the households' income of the year when the build ends


@pytest.fixture(scope="module")
def burn_in() -> _Seen:
    """A start built with a 15-month burn-in, and each burn-in month's (t, status, household
    income of the month)."""
    seen = _Seen()

    class Watched(LaborExportModel):
        def burn_in_month(self) -> None:
            super().burn_in_month()
            seen.append((self.t, self.workers.status.copy(), self.month_income.copy()))

    seen.model = Watched(load(TINY + ["scenario.burn_in_months=15"]))
    seen.income_at_start = seen.model.households.income_year.copy()  # tests may step the model
    return seen


def test_the_burn_ins_last_twelve_months_stand_for_2020(burn_in):
    """The record at the start (December 2020) counts who worked in the burn-in's last twelve
    months, not in the months before them: the year before 2021 of T5 and E1."""
    seen = burn_in
    model = seen.model
    assert [t for t, _, _ in seen] == list(range(-14, 1))
    months = np.sum([s < TRAINING for t, s, _ in seen if t > -12], axis=0)
    earlier = np.sum([s < TRAINING for t, s, _ in seen if t <= -12], axis=0)
    # some worked only in the months before: the window's edge can be told apart
    assert np.sum((months == 0) & (earlier > 0)) > 0
    start = model.recorder.by_month[0]
    assert people(model, start["worked_any_month"]) == np.sum(months > 0)
    assert people(model, start["worked_6_months"]) == np.sum(months >= 6)
    model.step()
    assert model.recorder.year_summary(2021)["worked_any_month_year_before"] == start[
        "worked_any_month"]


def test_households_below_the_line_count_the_year_so_far_at_a_years_rate():
    """Each month's below_line_households: households whose income of the year so far, times
    12 over the months it covers, per member, is below the monitoring line; at the start the
    burn-in's last twelve months stand for the year, in December the year's income; the groups
    of December count the same households."""
    model = tiny_model("scenario.end=2021-12")
    line = model.p.policy.monitoring.monitoring_line
    hh = model.households

    def expected(months: int) -> float:
        return np.sum(hh.income_year * 12.0 / months / hh.persons < line) / model.scale

    assert model.recorder.by_month[0]["below_line_households"] == pytest.approx(expected(12))
    for _ in run_months(model):
        got = model.recorder.current["below_line_households"]
        assert got == pytest.approx(expected(model.month_of_year)), model.label
        assert 0 < got < hh.n / model.scale, model.label  # neither none nor all: a real test
    by_county = [v for d, _, m, v in model.recorder.groups[2021]
                 if d == "county" and m == "below_line_households"]
    assert sum(by_county) == pytest.approx(expected(12))


def test_the_years_income_at_the_start_is_the_burn_ins_last_twelve_months(burn_in):
    """income_year at the start (read by below_line_households of December 2020, which takes it
    as twelve months) is the income of the same twelve months as the work record (the build
    once added December 2020's income a second time: 13 months stood for 2020)."""
    seen = burn_in
    twelve = np.sum([i for t, _, i in seen if t > -12], axis=0)
    assert np.allclose(seen.income_at_start, twelve)


# =================================================================================================
# Zero employment: which households, and whom clearing places
# =================================================================================================
def test_a_household_with_nobody_in_work_is_zero_employment_unless_nobody_is_in_the_labour_force():
    """A course is no work; a household whose members have all left the labour force is no
    zero-employment household (docs/MODEL.md 3.4.17, 3.4.24)."""
    model = scripted_model()
    led, start = model.ledger, model.household_start
    sizes = np.diff(start)
    lf = led.household_labour
    trainee, emptied, idle, worker = np.flatnonzero((sizes == lf) & (lf == 2))[:4]
    both = np.arange(start[trainee], start[trainee + 1])
    _put(model, both[:1], TRAINING)
    _put(model, np.arange(start[emptied], start[emptied + 1]), OUTSIDE)
    _put(model, np.arange(start[worker], start[worker] + 1), PUBLIC_WELFARE)
    update_households(model)
    assert model.zero_employment[trainee] and model.zero_employment[idle]
    assert not model.zero_employment[emptied] and not model.zero_employment[worker]


def test_clearing_places_one_member_of_a_household_with_nobody_in_work(monkeypatch):
    """P12 with every such household reached: placements go only to members not working and not
    waiting at home, in households with nobody in work (a course is no work), one a household,
    in a post or a workshop; the month's count is theirs."""
    seen = {"placed": 0, "waiting at home": 0, "in a course": 0}

    def watched(model):
        w, led = model.workers, model.ledger
        status, returning = w.status.copy(), w.returning.copy()
        nobody = led.household_working == 0
        before = model.flow["zero_employment_placements"]
        clear(model)
        placed = np.flatnonzero(status != w.status)
        assert np.all(status[placed] == NOT_WORKING) and not np.any(returning[placed])
        assert np.all(nobody[w.household[placed]])
        assert len(np.unique(w.household[placed])) == len(placed)
        assert np.all(np.isin(w.status[placed], (PUBLIC_WELFARE, WORKSHOP)))
        assert model.flow["zero_employment_placements"] - before == len(placed)
        # placements, and the members the rule must pass over in the households it reaches:
        # without them it could not bite
        seen["placed"] += len(placed)
        seen["waiting at home"] += np.sum(returning & nobody[w.household])
        seen["in a course"] += np.sum((status == TRAINING) & nobody[w.household])

    clear = zero_employment.clear_zero_employment
    monkeypatch.setattr(zero_employment, "clear_zero_employment", watched)
    # posts for most who are offered one, so that a member the rule should pass over would
    # mostly be placed if it were picked
    model = tiny_model("policy.zero_employment.contact_rate=1", "policy.public_welfare.scale=5",
                       "population.scale=0.004", "scenario.end=2021-12")
    for _ in range(5):  # January-May: closures and the festival send migrants home; courses
        model.step()    # start in March
    assert min(seen.values()) > 20 and seen["placed"] > 500, seen


# =================================================================================================
# Demography: the last working age, the bands' edges, the month of each event
# =================================================================================================
def _check_left(model, rows: np.ndarray) -> None:
    """What leaving the labour force leaves: outside it, out of any job, never reviewed again,
    not waiting to go back."""
    w = model.workers
    assert np.all(w.status[rows] == OUTSIDE)
    assert np.all(w.wage[rows] == 0) and np.all(w.workshop[rows] == -1)
    assert np.all(w.employer[rows] == NO_EMPLOYER)
    assert np.all(w.next_review[rows] == NEVER) and not np.any(w.returning[rows])


NO_EXITS_BY_RATE = ["population.exit_rate_under_50=0", "population.exit_rate_50s=0",
                    "population.exit_rate_60s=0"]


@pytest.mark.parametrize("last", [64, 70])
def test_a_worker_leaves_the_labour_force_in_the_month_it_passes_the_last_working_age(last):
    """With no other exits, the leavers of a month are exactly the workers whose birthday of the
    month takes them past `population.last_working_age`: a worker works through that age and
    leaves on the birthday after it (at 71 with the shipped 70), in its birthday month. The
    months it worked stay in the year's record: who worked at all (T1) and six months or more,
    recounted here from each month's statuses, count the leavers of the year."""
    model = tiny_model("scenario=transition_continue", "scenario.end=2022-12",
                       f"population.last_working_age={last}", *NO_EXITS_BY_RATE)
    w = model.workers
    left_by_year = {2021: 0, 2022: 0}
    months = np.zeros(w.n, np.int64)  # each worker's months in work this year
    leavers_who_worked = 0
    for status, age, _, _ in run_months(model):
        before_lf = status != OUTSIDE
        aged = age.astype(int) + (w.birthday == model.month_of_year)
        left = np.flatnonzero(before_lf & (w.status == OUTSIDE))
        assert np.array_equal(left, np.flatnonzero(before_lf & (aged > last))), model.label
        if model.t > 1:  # after January only those of the month's birthday: one year past it
            assert np.all(w.age[left] == last + 1)
        _check_left(model, left)
        left_by_year[model.year] += len(left)
        # nobody of the labour force is past the age at the end of any month
        assert not np.any((w.status != OUTSIDE) & (w.age > last))
        months = np.where(model.month_of_year == 1, 0, months) + (w.status < TRAINING)
        leavers_who_worked += int(np.sum(months[left] > 0))
        record = model.recorder.current
        assert people(model, record["worked_any_month"]) == np.sum(months > 0), model.label
        assert people(model, record["worked_6_months"]) == np.sum(months >= 6), model.label
    # the months after January see leavers too: the birthday month, not the year, is the edge
    assert left_by_year[2022] > 10 and leavers_who_worked > 10


BANDS = {  # the band whose yearly exit rate is 1 (the others 0): the ages that leave at once
    "under_50": (16, 49),
    "50s": (50, 59),
    "60s": (60, 100),
}


@pytest.mark.parametrize("band", BANDS)
def test_the_exit_rate_of_an_age_band_applies_from_the_birthday_that_enters_it(band):
    """With a yearly rate of 1 in one band and 0 in the others, exactly the workers whose age,
    after this month's birthdays, is in the band leave this month: the band edges are 50 and
    60. Those who enter the band later leave in their birthday month; a young entrant leaves the
    month after it entered (exits come before entries)."""
    rates = [f"population.exit_rate_{b}={int(b == band)}" for b in BANDS]
    model = tiny_model(*rates, "population.last_working_age=100", "scenario.end=2021-12")
    w = model.workers
    low, high = BANDS[band]
    later = 0
    for status, age, _, _ in run_months(model):
        aged = age.astype(int) + (w.birthday == model.month_of_year)
        before_lf = status != OUTSIDE
        left = before_lf & (w.status == OUTSIDE)
        assert np.array_equal(left, before_lf & (aged >= low) & (aged <= high)), model.label
        entered = (status == OUTSIDE) & (w.entry_month == model.t)
        assert np.all(w.status[entered] != OUTSIDE)
        later += int(left.sum()) if model.t > 1 else 0
    assert later > 10


YEARLY = {"under_50": 0.1, "50s": 0.4, "60s": 0.8}  # rates far apart: a band's edge shows


def test_exits_over_a_year_follow_the_yearly_rate_of_each_age_band():
    """Statistically, at rates that are neither 0 nor 1: a worker of the end-2020 labour force
    leaves in month m with the chance 1 - (1 - q)^(1/12) of the yearly rate q of its band at its
    age that month (one year more from its birthday month), so its chance of having left by
    December is one less the product over the months. Over two seeds, cohort by cohort (in one
    band all year, or crossing the edge at 50 or at 60 on the birthday), the exits are within
    four standard errors of those chances summed."""
    monthly = {b: 1 - (1 - q) ** (1 / 12) for b, q in YEARLY.items()}

    def chance(age: np.ndarray) -> np.ndarray:
        return np.where(age < 50, monthly["under_50"],
                        np.where(age < 60, monthly["50s"], monthly["60s"]))

    cohorts = ("under 50", "turning 50", "in the 50s", "turning 60", "in the 60s")
    observed, expected, variance = np.zeros(5), np.zeros(5), np.zeros(5)
    for seed in (0, 1):
        model = tiny_model(*[f"population.exit_rate_{b}={q}" for b, q in YEARLY.items()],
                           "population.last_working_age=100", "population.scale=0.004",
                           "scenario.end=2021-12", seed=seed)
        w = model.workers
        labour, age = w.status != OUTSIDE, w.age.astype(int)
        stays = np.prod([1 - chance(age + (w.birthday <= m)) for m in range(1, 13)], axis=0)
        cohort = np.select([age < 49, age == 49, age < 59, age == 59], [0, 1, 2, 3], 4)
        model.run()
        left = labour & (w.status == OUTSIDE)
        observed += np.bincount(cohort[left], minlength=5)
        expected += np.bincount(cohort[labour], weights=1 - stays[labour], minlength=5)
        variance += np.bincount(cohort[labour], weights=stays[labour] * (1 - stays[labour]),
                                minlength=5)
    z = (observed - expected) / np.sqrt(variance)
    assert np.all(np.abs(z) < 4), dict(zip(cohorts, zip(observed, expected.round())))


def test_a_worker_turns_over_age_in_the_month_of_its_60th_birthday():
    """Capacity becomes over-age exactly in the birthday month on which a worker of the labour
    force turns 60 (not a worker outside it); it keeps the ability to migrate with chance
    `behaviour.over_age_can_migrate`, and never gains it."""
    kept, could = 0, 0
    p = None
    for seed in (0, 1, 2):
        model = tiny_model("population.exit_rate_50s=0.5", "scenario.end=2021-12", seed=seed)
        p = model.p.behaviour.over_age_can_migrate
        w = model.workers
        outside_turning = 0
        for status, age, capacity, can_migrate in run_months(model):
            turning = (age == 59) & (w.birthday == model.month_of_year)
            became = (capacity != OVER_AGE) & (w.capacity == OVER_AGE)
            assert np.array_equal(became, turning & (status != OUTSIDE) & (capacity != OVER_AGE))
            assert np.all(w.capacity[turning & (status == OUTSIDE)] == capacity[
                turning & (status == OUTSIDE)])
            outside_turning += int(np.sum(turning & (status == OUTSIDE) & (capacity != OVER_AGE)))
            assert not np.any(w.can_migrate & ~can_migrate)
            could += int(np.sum(became & can_migrate))
            kept += int(np.sum(became & can_migrate & w.can_migrate))
        assert outside_turning > 0
    assert abs(kept / could - p) < 4 * np.sqrt(p * (1 - p) / could), (kept, could)


# =================================================================================================
# Growth after 2021 (sim.core.growth, timeline.set_month): first year, sign and size of each term
# =================================================================================================
def _growth(series: dict[str, float], year: int) -> float:
    """A national series' growth in a year; after its last year, the mean of the last three."""
    levels = {int(y): float(v) for y, v in series.items()}
    last = max(levels)
    if year > last:
        return float(np.mean([levels[y] / levels[y - 1] - 1 for y in (last - 2, last - 1, last)]))
    return levels[year] / levels[year - 1] - 1


def _own(rate_2021: float, series: dict[str, float], year: int) -> float:
    """This population's demand growth: its 2021 rate in 2021, later the national growth of
    the year plus its 2021 gap to the national growth."""
    return rate_2021 if year == 2021 else rate_2021 + _growth(series, year) - _growth(series, 2021)


@pytest.fixture(scope="module")
def projection():
    """2021-2024 under the taper, paired workshops growing 50% a year (at this scale a paired
    site holds 0 or 1 places: a smaller growth rounds away): the levels after each month."""
    model = tiny_model("scenario=transition_taper", "scenario.end=2024-12",
                       "scenario.paired_workshop_growth=0.5")
    ws = model.workshops
    months = [dict(t=0, label=model.label, room=ws.room.copy(), lever=replace(model.lever))]
    while model.t < len(model.labels) - 1:
        model.step()
        months.append(dict(t=model.t, label=model.label, destination=model.destination_demand,
                           local=model.local_demand, wages=model.wage_levels.copy(),
                           room=ws.room.copy(), lever=replace(model.lever),
                           firm_room=model.rooms.firm_room.copy()))
    return model, months


@pytest.mark.parametrize("market", ["destination", "local"])
def test_demand_grows_at_the_2021_rate_in_2021_and_by_the_national_series_from_2022(projection,
                                                                                       market):
    """Month t's demand over the end-2020 state compounds a twelfth of each year's log growth:
    2021 at this population's own rate whatever the series say, 2022 on at the national growth
    of the year plus the 2021 gap, after 2023 at the series' mean of its last three years."""
    model, months = projection
    p = model.p
    rate, series = ((p.scenario.destination_demand_growth, p.series.outgoing_migrants)
                    if market == "destination"
                    else (p.local_jobs.demand_growth_per_year, p.series.local_migrants))
    log_level = 0.0
    for m in months[1:]:
        year = int(m["label"][:4])
        log_level += np.log1p(_own(rate, series, year)) / 12
        assert m[market] == pytest.approx(np.exp(log_level), rel=1e-12), m["label"]
    december = {int(m["label"][:4]): m[market] for m in months[1:] if m["label"].endswith("-12")}
    assert december[2021] == pytest.approx(1 + rate, rel=1e-12)
    for year in (2022, 2023, 2024):
        assert december[year] / december[year - 1] == pytest.approx(
            1 + _own(rate, series, year), rel=1e-12)


def test_the_sign_of_each_demand_term_after_2021():
    """The 2022-2024 growth of demand the shipped series give: destination demand rises every
    year; local demand rises in 2022, falls in 2023 (national local migrant workers fell 2.2%
    while this population grew 4.1% against 4.1% nationally in 2021) and rises again in 2024."""
    p = load(TINY)
    dest, local = p.scenario.destination_demand_growth, p.local_jobs.demand_growth_per_year
    assert [np.sign(_own(dest, p.series.outgoing_migrants, y)) for y in (2022, 2023, 2024)] == [1, 1, 1]
    assert [np.sign(_own(local, p.series.local_migrants, y)) for y in (2022, 2023, 2024)] == [1, -1, 1]


def test_local_firm_room_follows_local_demand_once_the_hiring_subsidy_ends(projection):
    model, months = projection
    end = model.p.policy.hiring_subsidy.end
    after = [m for m in months[1:] if m["label"] > end]
    assert len(after) > 30
    for m in after:
        assert np.array_equal(m["firm_room"], np.round(model.rooms.base_firm_room * m["local"]))


def _pay_rate(p, series: dict[str, float], year: int) -> float:
    """Market pay growth of a year: `wages.growth_per_year` in 2021, the national series later."""
    return p.wages.growth_per_year if year == 2021 else _growth(series, year)


def test_market_pay_runs_straight_between_mid_years_at_2021_then_national_growth(projection):
    """Market pay (out of the province, in the province, local jobs) over its 2021 average: its
    log runs straight between the middles of the years, 2021's middle over 2020's at
    `wages.growth_per_year` and each later year's over the year before's at the national pay
    growth (NBS M6; after 2023 the mean of the last three). So a month of January-June grows at
    its year's rate and a month of July-December at the next year's: the 2022 national growth
    already sets the path from July 2021. Workshop and post pay do not grow."""
    model, months = projection
    p = model.p
    for m in months[1:]:
        for status in (OUT_OF_PROVINCE, IN_PROVINCE, LOCAL_JOB, WORKSHOP, PUBLIC_WELFARE):
            assert m["wages"][status] == pytest.approx(oracles.pay_level(model, status, m["t"]),
                                                       rel=1e-12), (m["label"], status)
    pay = {m["label"]: m["wages"] for m in months[1:]}
    labels = list(pay)
    for status, series in ((OUT_OF_PROVINCE, p.series.pay_outgoing),
                           (IN_PROVINCE, p.series.pay_outgoing), (LOCAL_JOB, p.series.pay_local)):
        for a, b in zip(labels, labels[1:]):
            year, month = int(a[:4]), int(a[5:])
            this, next_ = (np.log1p(_pay_rate(p, series, y)) / 12 for y in (year, year + 1))
            # a month's step: the slope of the half-year it is in (June to July: half of each)
            expected = this if month < 6 else (this + next_) / 2 if month == 6 else next_
            step = np.log(pay[b][status] / pay[a][status])
            assert step == pytest.approx(expected, rel=1e-9), (a, status)
            assert step > 0  # every year of the shipped series raises pay
    # 2021's own rate is not the national one: the first half of 2021 tells them apart
    assert p.wages.growth_per_year != pytest.approx(_growth(p.series.pay_outgoing, 2021), abs=1e-3)
    flat = np.array([m["wages"][[WORKSHOP, PUBLIC_WELFARE]] for m in months[1:]])
    assert np.all(flat == [p.wages.workshop, p.wages.public_welfare])


def test_paired_workshop_room_grows_each_january_from_2022_only(projection):
    model, months = projection
    paired = model.workshops.paired
    g = model.p.scenario.paired_workshop_growth
    for before, m in zip(months, months[1:]):
        grows = m["label"].endswith("-01") and m["label"] >= "2022"
        expected = np.round(before["room"][paired] * (1 + g)) if grows else before["room"][paired]
        assert np.array_equal(m["room"][paired], expected), m["label"]
        assert np.array_equal(m["room"][~paired], before["room"][~paired]), m["label"]
    assert months[-1]["room"][paired].sum() > 2 * months[0]["room"][paired].sum() > 0


def test_the_taper_takes_half_of_the_effort_each_january_from_2022(projection):
    """Under `taper` the levers keep (1 - taper_per_year)^(year - 2021) of their 2021 effort:
    all of it through December 2021, then 0.5, 0.25, 0.125, each from January."""
    model, months = projection
    taper = model.p.scenario.taper_per_year
    full = months[0]["lever"]
    for m in months[1:]:
        k = (1 - taper) ** (int(m["label"][:4]) - 2021)
        lv = m["lever"]
        for name in ("training_per_year", "transport_per_year", "post_quota", "referral_bases",
                     "entrepreneurs_per_year", "contact_rate", "identification_rate"):
            assert getattr(lv, name) == pytest.approx(getattr(full, name) * k), (m["label"], name)
        assert lv.workshop_tax_relief and lv.training_premium == full.training_premium
