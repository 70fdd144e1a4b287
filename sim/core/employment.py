"""Taking and leaving jobs: the bookkeeping of a worker's status, contract, pay and employer.

`hire`, `release`, `start_training` and `schedule_review` run compiled loops (`_hire`,
`_release`, ...) that touch each mover once: draw, count the move in the ledger, write the
columns. A contract, and the wait until a worker next reviews its choice, is geometric with the
option's monthly hazard (`_months`); pay is the option's level times the worker's personal factor
times a log-normal draw of mean 1. tests/test_employment.py states these rules in numpy and checks
the draws against them.
"""

from __future__ import annotations

import math

from . import compiled  # noqa: F401  (sets numba's cache folder before numba loads)

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

from . import random_streams as streams
from .compiled.hints import AHEAD, prefetch
from .ledger import move
from .population import (COLUMN_OF_STATUS, NO_EMPLOYER, NOT_WORKING, OUTSIDE, PUBLIC_WELFARE,
                         TRAINING)

INT16_MAX = np.iinfo(np.int16).max


def log_survival(hazard) -> np.ndarray:
    """log(1 - hazard) per hazard (computed once, not once per worker): the denominator of a
    geometric wait ceil(log u / log(1 - h)), mean 1 / h months."""
    return np.log1p(-np.clip(np.asarray(hazard, np.float64), 1e-6, 1.0) + 1e-12)


@njit(cache=True, inline="always")
def _months(log_survival, u):
    """A geometric wait in months for one draw u, given `log_survival` of the hazard: at least
    1 month, at most 30,000."""
    months = math.ceil(math.log(u) / log_survival)
    return np.int64(min(max(months, 1.0), 30_000.0))


@njit(cache=True)
def _schedule(rows, t, status, review):
    """Next review month of `rows` by their current status (see schedule_review)."""
    key, log_survivals, next_review = review
    n = rows.shape[0]
    for i in range(n):
        if i + AHEAD < n:
            prefetch(status, rows[i + AHEAD])
            prefetch(next_review, rows[i + AHEAD])
        r = rows[i]
        rate = log_survivals[0] if status[r] <= PUBLIC_WELFARE else log_survivals[1]
        next_review[r] = min(t + _months(rate, streams.draw(key, r, 0, 0)), INT16_MAX)


@njit(cache=True)
def _contracts_and_pay(rows, status, draws, terms, traits, pay_factors):
    """Contract length (months) and pay of each hire (the rules of `hire`)."""
    key_contract, key_wage = draws
    log_surv, level, spread, half_var = terms
    skill, capacity, trained, brand = traits
    skill_factors, capacity_factors, premiums = pay_factors
    n = rows.shape[0]
    length = np.empty(n, np.int64)
    pay = np.empty(n)
    for i in range(n):
        if i + AHEAD < n:
            q = rows[i + AHEAD]
            prefetch(skill, q)
            prefetch(capacity, q)
            prefetch(trained, q)
            prefetch(brand, q)
        r = rows[i]
        s = status[i]
        length[i] = _months(log_surv[s], streams.draw(key_contract, r, 0, 0))
        pay[i] = level[s]
        if s != PUBLIC_WELFARE:  # post pay is flat
            factor = skill_factors[skill[r]] * capacity_factors[capacity[r]]
            factor = factor * (1.0 + premiums[0] * (1.0 if trained[r] else 0.0))
            factor = factor * (1.0 + premiums[1] * (1.0 if brand[r] else 0.0))
            draw = math.exp(spread * streams.ndtri(streams.draw(key_wage, r, 0, 0)) - half_var)
            pay[i] = level[s] * factor * draw
    return length, pay


@njit(cache=True)
def _hire(rows, status, workshop, employer, t, draws, terms, traits, pay_factors, cols, tables,
          n_combo, dense, dates, review):
    length, pay = _contracts_and_pay(rows, status, draws, terms, traits, pay_factors)
    move(rows, status, pay, workshop, employer, cols, tables, n_combo, dense)
    w_status, w_wage, w_workshop, w_employer = cols[0], cols[1], cols[2], cols[3]
    since, last_status, contract_end = dates
    one_ws, one_emp = workshop.shape[0] == 1, employer.shape[0] == 1
    n = rows.shape[0]
    for i in range(n):
        if i + AHEAD < n:
            q = rows[i + AHEAD]
            prefetch(w_status, q)
            prefetch(last_status, q)
            prefetch(since, q)
            prefetch(contract_end, q)
            prefetch(w_wage, q)
            prefetch(w_workshop, q)
            prefetch(w_employer, q)
        r = rows[i]
        w_status[r] = status[i]
        last_status[r] = status[i]
        since[r] = t
        contract_end[r] = min(t + length[i], INT16_MAX)
        w_wage[r] = pay[i]
        w_workshop[r] = workshop[0 if one_ws else i]
        w_employer[r] = employer[0 if one_emp else i]
    _schedule(rows, t, w_status, review)
    return length


@njit(cache=True)
def _release(rows, t, new_status, cols, tables, n_combo, dense, since, review, reschedule):
    """Leave a job or a course: to `new_status` (not working, training, or outside the labour
    force); with `reschedule`, a worker now not working gets its next review month."""
    move(rows, np.full(1, new_status, np.int8), np.zeros(1), np.full(1, -1, np.int32),
         np.full(1, NO_EMPLOYER, np.int8), cols, tables, n_combo, dense)
    w_status, w_wage, w_workshop, w_employer = cols[0], cols[1], cols[2], cols[3]
    n = rows.shape[0]
    for i in range(n):
        if i + AHEAD < n:
            q = rows[i + AHEAD]
            prefetch(w_status, q)
            prefetch(since, q)
            prefetch(w_wage, q)
            prefetch(w_workshop, q)
            prefetch(w_employer, q)
        r = rows[i]
        w_status[r] = new_status
        since[r] = t
        w_wage[r] = 0.0
        w_workshop[r] = -1
        w_employer[r] = NO_EMPLOYER
    if new_status == NOT_WORKING and reschedule:
        _schedule(rows, t, w_status, review)


def _review_terms(model) -> tuple:
    return (streams.key(model.seed, streams.SEARCH, model.t), _log_survivals(model)[1],
            model.workers.next_review)


def _log_survivals(model) -> tuple[np.ndarray, np.ndarray]:
    """log(1 - hazard) of the contracts' separation hazards and of the reviews' rates
    (reconsidering, searching): computed once for the run's config, not at every hire."""
    kept = getattr(model, "log_survivals", None)
    if kept is None or kept[0] is not model.p or kept[1] is not model.separation_hazard:
        b = model.p.behaviour
        kept = (model.p, model.separation_hazard, (log_survival(model.separation_hazard),
                                                   log_survival([b.reconsider_rate, b.search_rate])))
        model.log_survivals = kept
    return kept[2]


def _rows(rows: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rows, np.int64)


def schedule_review(model, rows: np.ndarray) -> None:
    """When each of `rows` next reconsiders: a searcher soon (search_rate), a worker with a job
    rarely (reconsider_rate). A geometric wait is the same as a monthly coin flip, but costs
    nothing in the months between."""
    if len(rows) == 0:
        return
    _schedule(_rows(rows), model.t, model.workers.status, _review_terms(model))


def pay_factors(model) -> tuple:
    """(skill factors, capacity factors, (training, brand) premiums) of `personal_factor`."""
    wages, lv = model.p.wages, model.lever
    return (np.asarray(wages.skill_factors, np.float64),
            np.array([1.0, wages.weak_factor, wages.over_age_factor]),
            np.array([lv.training_premium, lv.brand_premium]))


def hire(model, rows: np.ndarray, status: np.ndarray, workshop: np.ndarray | None = None,
         employer: np.ndarray | None = None) -> np.ndarray:
    """Put `rows` into jobs of `status`; returns their contract lengths in months.

    The contract length is geometric with the option's separation hazard; the pay is the
    option's level times the worker's personal factor times a log-normal draw (mean 1), except
    on a public-welfare post, whose pay is flat. The worker reviews its choice at its rate."""
    w, t, seed = model.workers, model.t, model.seed
    if len(rows) == 0:
        return np.zeros(0, np.int64)
    spread = model.p.wages.dispersion
    terms = (_log_survivals(model)[0],
             np.asarray(model.wage_levels[COLUMN_OF_STATUS], np.float64), spread, spread ** 2 / 2)
    workshop = np.int32(-1) if workshop is None else workshop
    employer = np.int8(NO_EMPLOYER) if employer is None else employer
    led = model.ledger
    return _hire(_rows(rows), np.asarray(status, np.int8), np.atleast_1d(np.asarray(workshop, np.int32)),
                 np.atleast_1d(np.asarray(employer, np.int8)), t,
                 (streams.key(seed, streams.CONTRACT, t), streams.key(seed, streams.WAGE, t)),
                 terms, (w.skill, w.capacity, w.trained, w.brand), pay_factors(model),
                 led.columns(), led.tables(), led.n_combo, led.dense(len(rows)),
                 (w.since, w.last_status, w.contract_end), _review_terms(model))


def release(model, rows: np.ndarray, reschedule: bool = True) -> None:
    """Workers leave their jobs or courses (contract end, layoff, closure, course end): they are
    not working for now, and search from their next review month. Without `reschedule` the
    caller schedules the review itself (a worker who quits for another job or for none)."""
    if len(rows) == 0:
        return
    led = model.ledger
    _release(_rows(rows), model.t, NOT_WORKING, led.columns(), led.tables(), led.n_combo,
             led.dense(len(rows)), model.workers.since, _review_terms(model), reschedule)


def start_training(model, rows: np.ndarray, end: np.ndarray) -> None:
    """Workers not working start a course that ends in month `end`."""
    if len(rows) == 0:
        return
    led = model.ledger
    _release(_rows(rows), model.t, TRAINING, led.columns(), led.tables(), led.n_combo,
             led.dense(len(rows)), model.workers.since, _review_terms(model), False)
    model.workers.training_end[rows] = end


def leave_labour_force(model, rows: np.ndarray) -> None:
    """Workers leave the labour force (age, health): out of their job, course or wait at home,
    never reviewed again; their households count one worker fewer."""
    if len(rows) == 0:
        return
    led, w = model.ledger, model.workers
    _release(_rows(rows), model.t, OUTSIDE, led.columns(), led.tables(), led.n_combo,
             led.dense(len(rows)), w.since, _review_terms(model), False)
    w.next_review[rows] = INT16_MAX
    w.returning[rows] = False
    model.recall[rows] = False
    np.subtract.at(led.household_labour, w.household[rows], 1)


def enter_labour_force(model, rows: np.ndarray) -> None:
    """Young members enter the labour force: not working, and looking for work this month (the
    caller counts them among the deciders)."""
    if len(rows) == 0:
        return
    led, w = model.ledger, model.workers
    _release(_rows(rows), model.t, NOT_WORKING, led.columns(), led.tables(), led.n_combo,
             led.dense(len(rows)), w.since, _review_terms(model), True)
    np.add.at(led.household_labour, w.household[rows], 1)
