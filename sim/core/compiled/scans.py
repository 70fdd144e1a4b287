"""Scans, compiled: the month's few affected rows found in one pass over the worker columns
(contracts ending, reviews due, courses ending, training candidates, workers of closing
workshops, migrants drawn for the festival, zero-employment households reached), and the
household pass (income of the month, nobody in work, below the monitoring line).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..population import NOT_WORKING
from ..random_streams import draw
from .hints import AHEAD, prefetch, trailing_zeros

# ---- scans: the month's few affected rows found in one compiled pass ---------------------------
# Each returns rows in ascending order, as np.flatnonzero of the numpy condition would. Rows are
# tested 64 at a time into a bit mask (a loop of fixed length, which the compiler turns into
# vector instructions) and only the set bits are visited: measured 2-3 times faster than a loop
# that branches or stores per row. The last partial block is tested after the loop, not by a
# branch inside it, which measured 2.5 times slower. The row tests are small inline functions
# so that both test the same thing. Dates are int16 columns: t is compared as one.
BLOCK = 64


@njit(cache=True, inline="always")
def _append_set_bits(mask, lo, out, k):
    """Append lo + the position of each set bit of mask to out[k:], lowest first."""
    while mask:
        out[k] = lo + np.int64(trailing_zeros(mask))
        k += 1
        mask &= mask - np.uint64(1)
    return k


@njit(cache=True, inline="always")
def _append_drawn(mask, lo, key, share, out, k):
    """Append lo + each set bit of mask whose row draws below `share` (lowest first)."""
    while mask:
        r = lo + np.int64(trailing_zeros(mask))
        mask &= mask - np.uint64(1)
        out[k] = r
        k += draw(key, r, 0, 0) < share
    return k


@njit(cache=True, inline="always")
def _bit(test, j):
    return np.uint64(test) << np.uint64(j)


@njit(cache=True, inline="always")
def _contract_ended(status, contract_end, t, r):
    return (status[r] <= 4) & (contract_end[r] <= t)


@njit(cache=True, inline="always")
def _close_or_end(lo, migrant, ending, key_closure, closure, ended, n_ended, closed, n_closed):
    """A closure month's block: each migrant draws (below `closure`: sent home, its contract
    ended); the other set rows of `ending` end their contracts."""
    visit = migrant | ending
    while visit:
        j = trailing_zeros(visit)
        visit &= visit - np.uint64(1)
        r = lo + np.int64(j)
        if (migrant >> j) & np.uint64(1) and draw(key_closure, r, 0, 0) < closure:
            closed[n_closed] = r
            n_closed += 1
        elif not (ending >> j) & np.uint64(1):
            continue
        ended[n_ended] = r
        n_ended += 1
    return n_ended, n_closed


@njit(cache=True)
def contracts_ending(status, contract_end, t, key_closure, closure):
    """Workers in work whose contract ends by month t, and migrants sent home by a closure
    (draw below `closure`; none when closure is 0). Returns (ended or closed, closed)."""
    n = status.shape[0]
    full = n - n % BLOCK
    ended = np.empty(n, np.int64)
    t = np.int16(t)
    if closure <= 0:  # no closures: the common month
        k = 0
        for lo in range(0, full, BLOCK):
            mask = np.uint64(0)
            for j in range(BLOCK):
                mask |= _bit(_contract_ended(status, contract_end, t, lo + j), j)
            k = _append_set_bits(mask, lo, ended, k)
        mask = np.uint64(0)
        for j in range(n - full):  # the last partial block
            mask |= _bit(_contract_ended(status, contract_end, t, full + j), j)
        k = _append_set_bits(mask, full, ended, k)
        return ended[:k].copy(), np.empty(0, np.int64)
    # a closure: every migrant draws; the rows visited are migrants and other contracts ending
    closed = np.empty(n, np.int64)
    n_ended = n_closed = 0
    for lo in range(0, full, BLOCK):
        migrant = ending = np.uint64(0)
        for j in range(BLOCK):
            migrant |= _bit(status[lo + j] <= 1, j)
            ending |= _bit(_contract_ended(status, contract_end, t, lo + j), j)
        n_ended, n_closed = _close_or_end(lo, migrant, ending, key_closure, closure, ended,
                                          n_ended, closed, n_closed)
    migrant = ending = np.uint64(0)
    for j in range(n - full):  # the last partial block
        migrant |= _bit(status[full + j] <= 1, j)
        ending |= _bit(_contract_ended(status, contract_end, t, full + j), j)
    n_ended, n_closed = _close_or_end(full, migrant, ending, key_closure, closure, ended,
                                      n_ended, closed, n_closed)
    return ended[:n_ended].copy(), closed[:n_closed].copy()


@njit(cache=True, inline="always")
def _review_due(due, next_review, status, returning, t, training, r):
    return due[r] | ((next_review[r] <= t) & (status[r] != training) & (not returning[r]))


@njit(cache=True)
def reviews_due(next_review, status, returning, t, training, forced):
    """Workers whose review month has come, not in training and not waiting at home, and the
    rows `forced` (in any order, repeats allowed): the rows in ascending order, as
    np.flatnonzero of the condition with due[forced] = True."""
    n = status.shape[0]
    t, training = np.int16(t), np.int8(training)
    due = np.zeros(n, np.bool_)
    for i in range(forced.shape[0]):
        due[forced[i]] = True
    out = np.empty(n, np.int64)
    k = 0
    full = n - n % BLOCK
    for lo in range(0, full, BLOCK):
        mask = np.uint64(0)
        for j in range(BLOCK):
            mask |= _bit(_review_due(due, next_review, status, returning, t, training, lo + j), j)
        k = _append_set_bits(mask, lo, out, k)
    mask = np.uint64(0)
    for j in range(n - full):  # the last partial block
        mask |= _bit(_review_due(due, next_review, status, returning, t, training, full + j), j)
    k = _append_set_bits(mask, full, out, k)
    return out[:k].copy()


@njit(cache=True, inline="always")
def _course_ended(status, training_end, t, training, r):
    return (status[r] == training) & (training_end[r] <= t)


@njit(cache=True)
def courses_ending(status, training_end, t, training):
    n = status.shape[0]
    t, training = np.int16(t), np.int8(training)
    out = np.empty(n, np.int64)
    k = 0
    full = n - n % BLOCK
    for lo in range(0, full, BLOCK):
        mask = np.uint64(0)
        for j in range(BLOCK):
            mask |= _bit(_course_ended(status, training_end, t, training, lo + j), j)
        k = _append_set_bits(mask, lo, out, k)
    mask = np.uint64(0)
    for j in range(n - full):  # the last partial block
        mask |= _bit(_course_ended(status, training_end, t, training, full + j), j)
    k = _append_set_bits(mask, full, out, k)
    return out[:k].copy()


@njit(cache=True, inline="always")
def _candidate(status, capacity, trained, returning, since, t, min_months, over_age, r):
    return ((status[r] == NOT_WORKING) & (capacity[r] != over_age) & (not trained[r])
            & (not returning[r]) & (np.int16(t - since[r]) >= min_months))


@njit(cache=True)
def training_candidates(status, capacity, trained, returning, since, t, min_months, over_age):
    """Not working for at least min_months, not over age, not trained, not waiting at home."""
    n = status.shape[0]
    t, over_age = np.int16(t), np.int8(over_age)
    out = np.empty(n, np.int64)
    k = 0
    full = n - n % BLOCK
    for lo in range(0, full, BLOCK):
        mask = np.uint64(0)
        for j in range(BLOCK):
            mask |= _bit(_candidate(status, capacity, trained, returning, since, t, min_months,
                                    over_age, lo + j), j)
        k = _append_set_bits(mask, lo, out, k)
    mask = np.uint64(0)
    for j in range(n - full):  # the last partial block
        mask |= _bit(_candidate(status, capacity, trained, returning, since, t, min_months,
                                over_age, full + j), j)
    k = _append_set_bits(mask, full, out, k)
    return out[:k].copy()


@njit(cache=True)
def training_keys(cand, skill, household, identified, key):
    """Enrolment order of the candidates (levers.training.enrol_training): a uniform draw plus the
    skill level, minus 3 for a household identified by monitoring; the float operations of
    `uniform + skill - 3 * identified` in numpy."""
    out = np.empty(cand.shape[0])
    for i in range(cand.shape[0]):
        r = cand[i]
        out[i] = (draw(key, r, 0, 0) + np.float64(skill[r])) - np.float64(3 * identified[household[r]])
    return out


@njit(cache=True)
def in_workshops(status, workshop, closing, in_workshop):
    """Workers in a workshop that closes."""
    n = status.shape[0]
    in_workshop = np.int8(in_workshop)
    members = np.empty(n, np.int64)
    k = 0
    full = n - n % BLOCK
    for lo in range(0, full, BLOCK):
        mask = np.uint64(0)
        for j in range(BLOCK):
            mask |= _bit(status[lo + j] == in_workshop, j)
        k = _append_set_bits(mask, lo, members, k)
    mask = np.uint64(0)
    for j in range(n - full):  # the last partial block
        mask |= _bit(status[full + j] == in_workshop, j)
    k = _append_set_bits(mask, full, members, k)
    # is their workshop closing? The few workers in workshops are scattered over the rows: ask
    # for each one's workshop some rows ahead (a read that misses the cache costs ~100 ns)
    out = np.empty(k, np.int64)
    n_out = 0
    for i in range(k):
        if i + AHEAD < k:
            prefetch(workshop, members[i + AHEAD])
        r = members[i]
        if closing[workshop[r]]:
            out[n_out] = r
            n_out += 1
    return out[:n_out].copy()


@njit(cache=True)
def migrants_drawn(status, key, share):
    """Migrants (out of or in province) whose draw is below `share`."""
    n = status.shape[0]
    full = n - n % BLOCK
    out = np.empty(n, np.int64)
    k = 0
    for lo in range(0, full, BLOCK):
        mask = np.uint64(0)
        for j in range(BLOCK):
            mask |= _bit(status[lo + j] <= 1, j)
        k = _append_drawn(mask, lo, key, share, out, k)
    mask = np.uint64(0)
    for j in range(n - full):  # the last partial block
        mask |= _bit(status[full + j] <= 1, j)
    k = _append_drawn(mask, full, key, share, out, k)
    return out[:k].copy()


@njit(cache=True)
def zero_employment_members(hh_working, start, status, returning, key_reach, key_pick, rate):
    """Zero-employment clearing: households with nobody in work are reached with chance `rate`;
    of each reached household, the member not working (and not waiting at home) with the
    lowest draw. Households hold consecutive rows (start[h]..start[h+1]), so no pass over all
    workers is needed. Rows come in household order."""
    n_hh = hh_working.shape[0]
    full = n_hh - n_hh % BLOCK
    reached = np.empty(n_hh, np.int64)  # households with nobody in work reached this month
    n = 0
    for lo in range(0, full, BLOCK):
        mask = np.uint64(0)
        for j in range(BLOCK):
            mask |= _bit(hh_working[lo + j] == 0, j)
        n = _append_drawn(mask, lo, key_reach, rate, reached, n)
    mask = np.uint64(0)
    for j in range(n_hh - full):  # the last partial block
        mask |= _bit(hh_working[full + j] == 0, j)
    n = _append_drawn(mask, full, key_reach, rate, reached, n)
    # their members are scattered over the rows: ask for them some households ahead
    out = np.empty(n, np.int64)
    n_out = 0
    for i in range(n):
        if i + AHEAD < n:
            prefetch(start, reached[i + AHEAD])
        if i + AHEAD // 2 < n:
            q = start[reached[i + AHEAD // 2]]
            prefetch(status, q)
            prefetch(returning, q)
        h = reached[i]
        best, best_u = -1, 2.0
        for r in range(start[h], start[h + 1]):
            if status[r] == NOT_WORKING and not returning[r]:
                u = draw(key_pick, r, 0, 0)
                if u < best_u:
                    best, best_u = r, u
        if best >= 0:
            out[n_out] = best
            n_out += 1
    return out[:n_out]


@njit(cache=True)
def household_month(hh_working, hh_labour, wages, nonwage, persons, income_year, line, income):
    """Income of the month (written to `income`) added to the year, nobody in work (of a
    household with someone in the labour force), below the monitoring line; and how many
    households have nobody in work and are below the line."""
    n = hh_working.shape[0]
    zero = np.empty(n, np.bool_)
    below = np.empty(n, np.bool_)
    twelve = np.float32(12.0)
    n_zero = n_below = 0
    for h in range(n):
        zero[h] = (hh_working[h] == 0) and (hh_labour[h] > 0)
        income[h] = wages[h] + nonwage[h] / twelve  # float32 division, as numpy does
        income_year[h] += income[h]
        below[h] = (12.0 * wages[h] + np.float64(nonwage[h])) / np.float64(persons[h]) < line
        n_zero += zero[h]
        n_below += below[h]
    return zero, below, n_zero, n_below


