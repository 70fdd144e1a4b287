"""Waiting times, compiled: the month each worker leaves the labour force, drawn once.

A worker who faces a monthly exit chance h(age) leaves in the first month whose cumulative hazard
sum(-log(1 - h)) reaches its own exponential draw -log(u): the same distribution as a uniform
compared with h every month, but one draw per worker for the whole run, and each month only the
leavers of the month are touched. The age steps up on the worker's birthday month before that
month's chance applies (births come before exits in the month, sim.core.demography).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..random_streams import draw

NEVER = np.int16(32767)  # leaves after the run's horizon


@njit(cache=True)
def exit_months(rows, age, birthday, key, hazard, first_t, first_month_of_year, last_t, out):
    """out[r] = the month (model t, from first_t) in which worker r of `rows` leaves, or NEVER;
    its one uniform is `draw(key, r, 0, 0)` (random_streams.uniform of the row).

    hazard[a] is the monthly cumulative hazard -log(1 - h) at age a (inf: leaves at once)."""
    for i in range(rows.shape[0]):
        out[rows[i]] = _exit_month(rows[i], age, birthday, key, hazard, first_t,
                                   first_month_of_year, last_t)


@njit(cache=True)
def exit_months_of(in_labour_force, age, birthday, key, hazard, first_t, first_month_of_year,
                   last_t, out):
    """`exit_months` of every worker with in_labour_force[r], NEVER for the others (no list of
    rows and no array of draws: the whole labour force draws at once)."""
    for r in range(in_labour_force.shape[0]):
        out[r] = NEVER
        if in_labour_force[r]:
            out[r] = _exit_month(r, age, birthday, key, hazard, first_t, first_month_of_year,
                                 last_t)


@njit(cache=True, inline="always")
def _exit_month(r, age, birthday, key, hazard, first_t, first_month_of_year, last_t):
    """Walk the worker's ages, not its months: between birthdays the hazard is constant, so the
    month the summed hazard reaches the draw is found by a division (a run of five years takes
    at most six steps a worker, not sixty)."""
    top = hazard.shape[0] - 1
    need = -np.log(draw(key, r, 0, 0))
    a = np.int64(age[r])
    b = np.int64(birthday[r])
    moy = first_month_of_year
    total = 0.0
    t = first_t
    while t <= last_t:
        if moy == b and a < top:  # the birthday month: the new age counts from it
            a += 1
        # months at this age from t: to the month before the next birthday month
        run = 12 if moy == b else (b - moy) % 12
        run = min(run, last_t - t + 1)
        h = hazard[a]
        if h > 0.0:
            if math.isinf(h):
                return np.int16(t)
            k = max(math.ceil((need - total) / h), 1)  # months at this hazard to reach the draw
            if k <= run:
                return np.int16(t + k - 1)
            total += run * h
        t += run
        moy = (moy - 1 + run) % 12 + 1
    return NEVER
