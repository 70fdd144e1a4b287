"""Demography from January 2021 (docs/MODEL.md 3.4.24): workers age month by month, leave the
labour force by age and health, and the young members of these households enter it.

Every row stays a row: a worker who leaves takes the status OUTSIDE (and leaves its job, course
or wait at home); a young member is OUTSIDE until the month of its 16th birthday
(sim.core.population builds them), then not working and looking for work that month. A worker's
exit month is drawn once, as a waiting time (sim.core.compiled.waiting), when it is first in the
labour force in the run. On the
birthday a worker turns 60 it becomes over-age labour (超齡勞力): its capacity changes, and with
it its reporting group. Nothing happens in the burn-in, which stands for the end-2020 state.
"""

from __future__ import annotations

import numpy as np

from . import random_streams as streams
from .compiled.waiting import exit_months, exit_months_of
from .employment import enter_labour_force, leave_labour_force
from .population import OUTSIDE, OVER_AGE

OVER_AGE_FROM = 60  # the age at which a worker counts as over-age labour (AGE_BANDS)
AGES = 128  # ages are int8: every age a worker can have
EXIT_DRAW = 8000  # the key of each worker's one exit draw (months use keys below 6000)


def exit_hazard(population, age: np.ndarray) -> np.ndarray:
    """Yearly chance of leaving the labour force at each age (the three sourced bands)."""
    p = population
    return np.where(age < 50, p.exit_rate_under_50,
                    np.where(age < 60, p.exit_rate_50s, p.exit_rate_60s))


def monthly(yearly: np.ndarray) -> np.ndarray:
    """The monthly chance that gives a yearly one over twelve months."""
    return 1.0 - (1.0 - yearly) ** (1.0 / 12.0)


def age_and_move(model) -> np.ndarray:
    """This month's birthdays, exits and entries; returns the entrants (they look for work this
    month)."""
    if model.t <= 0 or not model.p.scenario.demography:
        return np.zeros(0, np.int64)
    if model.t == 1:  # the labour force's waiting times, from ages before this month's birthdays
        model.exit_month = np.empty(model.workers.n, np.int16)
        _draw_exit_months(model, None, 1)
    _birthdays(model)
    _exits(model)
    return _entries(model)


def _birthdays(model) -> None:
    w = model.workers
    rows = model.birthday_rows[model.month_of_year - 1]
    w.age[rows] += 1
    # a worker of the labour force who turns 60 becomes over-age labour; fewer of them can still
    # take migrant work (behaviour.over_age_can_migrate)
    turning = rows[(w.age[rows] == OVER_AGE_FROM) & (w.capacity[rows] != OVER_AGE)
                   & (w.status[rows] != OUTSIDE)]
    if len(turning):
        keep = streams.uniform(model.seed, streams.DEMOGRAPHY, model.t + 5000, turning)
        w.can_migrate[turning] &= keep < model.p.behaviour.over_age_can_migrate
        model.ledger.change_capacity(turning, OVER_AGE)


def _exits(model) -> None:
    """The leavers of the month: workers whose waiting time ends now (`exit_months`)."""
    rows = np.flatnonzero(model.exit_month == model.t)
    leave_labour_force(model, rows[model.workers.status[rows] != OUTSIDE])


def monthly_hazard(population) -> np.ndarray:
    """-log(1 - monthly exit chance) by age; infinite past the last working age."""
    by_age = monthly(exit_hazard(population, np.arange(AGES)))
    with np.errstate(divide="ignore"):
        hazard = -np.log1p(-by_age)
    hazard[np.arange(AGES) > population.last_working_age] = np.inf
    return hazard


def _draw_exit_months(model, rows: np.ndarray | None, first_t: int) -> None:
    """The month each of `rows` (None: the whole labour force) leaves, from month `first_t` on
    (their ages those of the month before, birthdays of first_t still to come): one draw per
    worker for the run (stream DEMOGRAPHY, key EXIT_DRAW), exits by the yearly hazard of the
    worker's age and everyone past the last working age."""
    w = model.workers
    key = streams.key(model.seed, streams.DEMOGRAPHY, EXIT_DRAW)
    month_of_year = (model.month_of_year - 1 + first_t - model.t) % 12 + 1
    terms = (w.age, w.birthday, key, monthly_hazard(model.p.population), first_t, month_of_year,
             len(model.labels) - 1, model.exit_month)
    if rows is None:
        exit_months_of(w.status != OUTSIDE, *terms)
    else:
        exit_months(np.ascontiguousarray(rows, np.int64), *terms)


def _entries(model) -> np.ndarray:
    rows = model.entrants_by_month.get(model.t, np.zeros(0, np.int64))
    rows = rows[model.workers.status[rows] == OUTSIDE]
    enter_labour_force(model, rows)
    _draw_exit_months(model, rows, model.t + 1)  # exits come before entries in a month
    return rows


def index_rows(model) -> None:
    """At the build: the rows by birthday month and the entrants by entry month (looked up each
    month instead of found in all rows)."""
    w = model.workers
    # int32: rows fit, and the twelve lists are 45 MB at full scale in int64
    model.birthday_rows = [np.flatnonzero(w.birthday == m).astype(np.int32) for m in range(1, 13)]
    young = np.flatnonzero(w.entry_month > 0)
    months = w.entry_month[young]
    model.entrants_by_month = {int(t): young[months == t] for t in np.unique(months)}
