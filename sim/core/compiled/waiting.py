"""Waiting times, compiled: the month each worker leaves the labour force, drawn once.

A worker who faces a monthly exit chance h(age) leaves in the first month whose cumulative hazard
sum(-log(1 - h)) reaches its own exponential draw -log(u): the same distribution as a uniform
compared with h every month, but one draw per worker for the whole run, and each month only the
leavers of the month are touched. The age steps up on the worker's birthday month before that
month's chance applies (births come before exits in the month, sim.core.demography).
"""

from __future__ import annotations

import numpy as np
from numba import njit

NEVER = np.int16(32767)  # leaves after the run's horizon


@njit(cache=True)
def exit_months(rows, age, birthday, u, hazard, first_t, first_month_of_year, last_t, out):
    """out[rows[i]] = the month (model t, from first_t) in which worker rows[i] leaves, or NEVER.

    hazard[a] is the monthly cumulative hazard -log(1 - h) at age a (inf: leaves at once)."""
    top = hazard.shape[0] - 1
    for i in range(rows.shape[0]):
        r = rows[i]
        need = -np.log(u[i])
        a = np.int64(age[r])
        b = np.int64(birthday[r])
        moy = first_month_of_year
        total = 0.0
        out[r] = NEVER
        for t in range(first_t, last_t + 1):
            if moy == b and a < top:
                a += 1
            total += hazard[a]
            if total >= need:
                out[r] = t
                break
            moy = moy + 1 if moy < 12 else 1
