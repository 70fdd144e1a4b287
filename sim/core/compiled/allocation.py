"""Room-limited places, compiled: who of a group's applicants is served.

Within each group (a county, a workshop) applicants are served by ascending order (a priority
class plus a uniform draw; ties to the earlier row); the first `free` of a group get a place.
Only the groups with more applicants than room are looked at, each in one pass with a bounded
heap (`accept_in_groups`); `rank_in_groups` ranks every applicant. tests/oracles.py states the
rule in numpy and the tests check the two agree.
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


@njit(cache=True, inline="always")
def _after(order, a, b):
    """Row a is served after row b: a larger order, or the same order and a later row (the
    stable sort of the rule)."""
    return order[a] > order[b] or (order[a] == order[b] and a > b)


@njit(cache=True)
def _keep_first(group, order, over, room, got):
    """For the oversubscribed groups: in one pass over the applicants, keep the room[g] first
    of each group by (order, row) in a bounded max-heap; all others are turned away. The served
    set of sorting each group stably (tests/oracles.py `fill_room`), without sorting: a few
    comparisons per applicant once a group's heap is full (the zero-employment clearing offers
    about a thousand places to 200,000 members a month)."""
    n_groups = room.shape[0]
    offset = np.zeros(n_groups + 1, np.int64)
    for g in range(n_groups):
        offset[g + 1] = offset[g] + (room[g] if over[g] else 0)
    heap = np.empty(offset[n_groups], np.int64)
    size = np.zeros(n_groups, np.int64)
    for i in range(group.shape[0]):
        g = group[i]
        if not over[g]:
            continue
        got[i] = False
        cap = room[g]
        if cap == 0:
            continue
        base = offset[g]
        if size[g] < cap:  # the heap fills: push and sift up
            k = size[g]
            size[g] += 1
            while k > 0:
                parent = (k - 1) // 2
                if not _after(order, i, heap[base + parent]):
                    break
                heap[base + k] = heap[base + parent]
                k = parent
            heap[base + k] = i
        elif _after(order, heap[base], i):  # beats the last kept: replace it, sift down
            k = 0
            while True:
                child = 2 * k + 1
                if child >= cap:
                    break
                if child + 1 < cap and _after(order, heap[base + child + 1], heap[base + child]):
                    child += 1
                if not _after(order, heap[base + child], i):
                    break
                heap[base + k] = heap[base + child]
                k = child
            heap[base + k] = i
    for g in range(n_groups):
        for k in range(size[g]):
            got[heap[offset[g] + k]] = True


@njit(cache=True)
def accept_in_groups(group, order, free, column):
    """Who gets a place: the first free[g, column] applicants of each group g by order (ties: the
    earlier row); free is decreased by the places handed out. Only oversubscribed groups are
    looked at."""
    n, n_groups = group.shape[0], free.shape[0]
    got = np.ones(n, np.bool_)
    if n == 0:
        return got
    count = np.zeros(n_groups, np.int64)
    for i in range(n):
        count[group[i]] += 1
    over = count > free[:, column]
    if over.any():
        _keep_first(group, order, over, np.maximum(free[:, column], 0), got)
    for g in range(n_groups):
        free[g, column] -= min(count[g], max(free[g, column], 0))
    return got


