"""Room-limited places, compiled: who of a group's applicants is served.

Within each group (a county, a workshop) applicants are served by ascending key
group * span + order, where order is a priority class plus a uniform draw; the first `free`
of a group get a place. Only the groups with more applicants than room are sorted, and only
within the group. tests/oracles.py states the rule in numpy and checks the two agree.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _buckets(group, n_groups, wanted):
    """Rows of each wanted group, grouped: (start per group, rows in group order)."""
    count = np.zeros(n_groups + 1, np.int64)
    for i in range(group.shape[0]):
        if wanted[group[i]]:
            count[group[i] + 1] += 1
    start = np.cumsum(count)
    fill = start[:-1].copy()
    members = np.empty(start[-1], np.int64)
    for i in range(group.shape[0]):
        g = group[i]
        if wanted[g]:
            members[fill[g]] = i
            fill[g] += 1
    return start, members


@njit(cache=True)
def _ordered(members, lo, hi, group_code, span, order):
    """The members[lo:hi] of one group sorted by the composite key (as one global sort would)."""
    idx = members[lo:hi]
    keys = np.empty(hi - lo)
    for j in range(hi - lo):
        keys[j] = group_code * span + order[idx[j]]
    return idx[np.argsort(keys)]


@njit(cache=True)
def rank_in_groups(group, order, n_groups):
    """Rank of each row among the rows of its group by ascending order (0 = first served)."""
    n = group.shape[0]
    rank = np.empty(n, np.int64)
    if n == 0:
        return rank
    span = np.max(order) + 1.0
    start, members = _buckets(group, n_groups, np.ones(n_groups, np.bool_))
    for g in range(n_groups):
        if start[g + 1] > start[g]:
            ranked = _ordered(members, start[g], start[g + 1], float(g), span, order)
            for k in range(ranked.shape[0]):
                rank[ranked[k]] = k
    return rank


@njit(cache=True)
def _turn_away(idx, keys, room, got):
    """Of one oversubscribed group's applicants idx (with their keys), all but the `room` with
    the lowest keys are turned away: got[...] = False. The cut is found by selection, not a
    sort (the served set is the same); should two keys tie at the cut, it sorts as the rule
    does, so that no more than `room` are served."""
    n = idx.shape[0]
    if room <= 0:  # a full group turns everyone away: nothing to sort
        for j in range(n):
            got[idx[j]] = False
        return
    cut = np.partition(keys, room - 1)[room - 1]
    served = 0
    for j in range(n):
        served += keys[j] <= cut
    if served == room:
        for j in range(n):
            if keys[j] > cut:
                got[idx[j]] = False
        return
    ranked = idx[np.argsort(keys)]
    for k in range(room, n):
        got[ranked[k]] = False


@njit(cache=True)
def accept_in_groups(group, order, free, column):
    """Who gets a place: the first free[g, column] applicants of each group g by order; free is
    decreased by the places handed out. Only oversubscribed groups are looked at."""
    n, n_groups = group.shape[0], free.shape[0]
    got = np.ones(n, np.bool_)
    if n == 0:
        return got
    count = np.zeros(n_groups, np.int64)
    for i in range(n):
        count[group[i]] += 1
    over = count > free[:, column]
    if over.any():
        span = np.max(order) + 1.0
        start, members = _buckets(group, n_groups, over)
        for g in range(n_groups):
            if over[g]:
                idx = members[start[g]:start[g + 1]]
                keys = np.empty(idx.shape[0])
                for j in range(idx.shape[0]):  # the composite key of rank_within_groups
                    keys[j] = float(g) * span + order[idx[j]]
                _turn_away(idx, keys, max(free[g, column], 0), got)
    for g in range(n_groups):
        free[g, column] -= min(count[g], max(free[g, column], 0))
    return got


