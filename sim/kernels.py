"""Compiled inner loops: the logit probabilities of each decider, the rounds of a month's choice,
room-limited places, and the scans that find the month's few affected rows (numba, cached on disk
once per machine).

`sim.decisions.utilities` (with `logit_probabilities` and `job_finding`) states the decision in
numpy and is the reading copy; a test checks that the kernel gives the same numbers to rounding.
"""

from __future__ import annotations

import math

from . import jit  # noqa: F401  (sets the compiled-code cache folder before numba loads)

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

from .population import NOT_WORKING  # noqa: E402
from .jit import AHEAD, prefetch, trailing_zeros  # noqa: E402
from .streams import draw  # noqa: E402


@njit(cache=True)
def logit_kernel(rows, skill, capacity, trained, brand, referred, experience, care, county,
                 last_status, household, relocated, can_migrate, home_taste, column_of_status,
                 tables, use_habit, stationary, expm1_habit, P, p_migrant):
    """Logit probabilities P (n x 6) and migrant job-finding chances p_migrant (n x 2) of the
    deciders `rows`, written in place (buffers the caller may reuse).

    A utility is a sum of parts that each depend on one small set of traits, so e^V is a product
    of factors looked up in `tables` (sim.decisions.exp_tables, rebuilt each month): no
    exponential per decider but the taste for home, which is the worker's own. A closed option
    has the factor 0. With `stationary`, P holds the long-run shares of the habit chain
    (`sim.decisions.stationary_probabilities`).

    tables = (migrant factors by trait code x (out, in), migrant job-finding chances by trait
    code, distance factors by (referred, experience) x (out, in), care factors by care x
    (out, in), peer factors by county, local-job and workshop factors by county x pay code, post
    factors by county, relocated and weak factors, e^habit, home_value_sd).
    Pay code = ((skill x 3 + capacity) x 2 + trained) x 2 + brand; trait code = pay code x 2
    + referred.
    """
    (migrant, finding, distance, cares, peers, local, workshop, post, relocated_f, weak_f,
     e_habit, home_sd) = tables
    e = np.empty(6)
    for i in range(rows.shape[0]):
        r = rows[i]
        c = county[r]
        pay = ((np.int64(skill[r]) * 3 + capacity[r]) * 2 + np.int64(trained[r])) * 2 \
            + np.int64(brand[r])
        trait = pay * 2 + np.int64(referred[r])
        d = np.int64(referred[r]) * 2 + np.int64(experience[r])
        cared = np.int64(care[r])
        away = peers[c] if can_migrate[r] else 0.0
        e[0] = migrant[trait, 0] * distance[d, 0] * cares[cared, 0] * away
        e[1] = migrant[trait, 1] * distance[d, 1] * cares[cared, 1] * away
        e[2] = local[c, pay]
        e[3] = workshop[c, pay] * relocated_f[np.int64(relocated[household[r]])]
        e[4] = post[c] * weak_f[np.int64(capacity[r] != 0)]
        e[5] = math.exp(home_sd * home_taste[r])
        if use_habit:
            e[column_of_status[last_status[r]]] *= e_habit
        p_migrant[i, 0] = finding[trait, 0]
        p_migrant[i, 1] = finding[trait, 1]
        total = e[0] + e[1] + e[2] + e[3] + e[4] + e[5]
        for k in range(6):
            P[i, k] = e[k] / total
        if stationary:
            total = 0.0
            for k in range(6):
                P[i, k] = P[i, k] * (1.0 + expm1_habit * P[i, k])
                total += P[i, k]
            for k in range(6):
                P[i, k] /= total
    return P, p_migrant


@njit(cache=True)
def draw_options(P, pending, u):
    """For each pending decider i, the option k where the cumulative probability of its row
    first reaches u_i times the row total: a draw from the logit over the options left open."""
    out = np.empty(pending.shape[0], np.int64)
    for j in range(pending.shape[0]):
        i = pending[j]
        total = 0.0
        for k in range(6):
            total += P[i, k]
        target = u[j] * total
        acc = 0.0
        choice = 5
        for k in range(6):
            acc += P[i, k]
            if acc >= target and P[i, k] > 0.0:
                choice = k
                break
        out[j] = choice
    return out


# ---- room-limited places: who of a group's applicants is served --------------------------------
# `sim.institutions.rank_within_groups` states the rule: within each group (county) applicants
# are served by ascending key group * span + order. The compiled versions sort only the groups
# that have more applicants than room, and only within the group.


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
    if room > 0:
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
    for k in range(max(room, 0), n):
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


# ---- the rounds of a month's choice (sim.decisions.decide) -------------------------------------
OPTION_STATUS = np.array([0, 1, 2, 3, 4, NOT_WORKING], np.int8)  # = decisions.OPTIONS
KEEP = -1


@njit(cache=True)
def _departures(col, sel, m, rows, prev, p_migrant, worker, keys, disruption, seats, outcome):
    """Who of the deciders sel[:m] choosing migrant option `col` gets there (decisions.departures)."""
    status, last_status, recall, returning = worker[0], worker[1], worker[2], worker[4]
    found = np.empty(m, np.bool_)
    for j in range(m):
        if j + AHEAD < m:  # the choosers are scattered over the rows
            q = rows[sel[j + AHEAD]]
            prefetch(recall, q)
            prefetch(last_status, q)
        r = rows[sel[j]]
        recalled = recall[r] and last_status[r] == col
        found[j] = recalled or draw(keys[1], r, 0, 0) < p_migrant[sel[j], col]
    if disruption > 0:
        blocked = np.zeros(m, np.bool_)
        n_stuck = 0
        for j in range(m):
            r = rows[sel[j]]
            if found[j] and prev[sel[j]] != col and draw(keys[2], r, 0, 0) < disruption:
                blocked[j] = True
                n_stuck += 1
        stuck = np.flatnonzero(blocked)
        order = np.empty(n_stuck)
        for k in range(n_stuck):
            order[k] = draw(keys[3], rows[sel[stuck[k]]], 0, 0)
        carried = stuck[np.argsort(order)][:max(seats[0], 0)]
        seats[0] -= carried.shape[0]
        seats[1] += carried.shape[0]
        for k in range(carried.shape[0]):
            blocked[carried[k]] = False
        for j in range(m):
            r = rows[sel[j]]
            if blocked[j]:
                found[j] = False
                if status[r] == NOT_WORKING:
                    returning[r] = True  # stuck at home, it tries again next month
    for j in range(m):
        if found[j]:
            outcome[sel[j]] = col


@njit(cache=True)
def _grow(a, need):
    if need <= a.shape[0]:
        return a
    out = np.empty(max(need, 2 * a.shape[0]), a.dtype)
    out[:a.shape[0]] = a
    return out


@njit(cache=True)
def _serve_rooms(r_, pending, by_option, bound, m, rows, P, worker, key_order, free, applied,
                 accepted, outcome, posts, n_posts):
    """Room-limited options (columns 2-4): serve the round's applicants county by county; who is
    turned away loses the option and stays pending. Returns the kept count and the post log.
    The applicants of option c are pending[by_option[bound[c]:bound[c + 1]]], in pending order."""
    county, capacity, household = worker[3], worker[5], worker[6]
    zero_employment, identified = worker[7], worker[8]
    still = np.zeros(m, np.bool_)
    for col in range(2, 5):
        n = bound[col + 1] - bound[col]
        if n == 0:
            continue
        sel = by_option[bound[col]:bound[col + 1]]
        group = np.empty(n, np.int64)
        order = np.empty(n)
        priority = np.zeros(n, np.int64)
        for k in range(n):
            if k + AHEAD < n:  # the applicants are scattered over the rows
                prefetch(county, rows[pending[sel[k + AHEAD]]])
            r = rows[pending[sel[k]]]
            group[k] = county[r]
            order[k] = draw(key_order, r, 0, 0)
            if col == 4:  # posts: weak and over-age first, then needy households (post_priority)
                h = household[r]
                priority[k] = 0 if capacity[r] != 0 else (
                    1 if zero_employment[h] or identified[h] else 2)
                order[k] += priority[k]
        got = accept_in_groups(group, order, free, col - 2)
        if col == 4:
            idx, rnd, prio, acc = posts
            idx, rnd, prio, acc = (_grow(idx, n_posts + n), _grow(rnd, n_posts + n),
                                   _grow(prio, n_posts + n), _grow(acc, n_posts + n))
            for k in range(n):
                idx[n_posts + k] = pending[sel[k]]
                rnd[n_posts + k] = r_
                prio[n_posts + k] = priority[k]
                acc[n_posts + k] = got[k]
            posts = (idx, rnd, prio, acc)
            n_posts += n
        for k in range(n):
            i = pending[sel[k]]
            applied[group[k], col - 2] += 1
            if got[k]:
                accepted[group[k], col - 2] += 1
                outcome[i] = OPTION_STATUS[col]
            else:
                P[i, col] = 0.0
                still[sel[k]] = True
    kept = 0
    for j in range(m):
        if still[j]:
            pending[kept] = pending[j]
            kept += 1
    return kept, posts, n_posts


@njit(cache=True)
def choice_rounds(rows, prev, P, p_migrant, worker, keys, disruption, seats, free, applied,
                  accepted, rounds):
    """The rounds of `sim.decisions.decide` for deciders `rows`: draw from the logit over the
    options left, keep a held job, migrant departures, room-limited places; who is turned away
    tries its next-best option next round.

    worker = (status, last_status, recall, county, returning, capacity, household,
    zero_employment, identified); keys = hash keys of (choice, job finding, travel, transport,
    order); seats = [transport seats left, carried]. Returns the outcome, the first choice and
    the post applications (decider, round, priority, accepted)."""
    status = worker[0]
    n = rows.shape[0]
    outcome = np.full(n, NOT_WORKING, np.int8)
    first = np.empty(n, np.int64)
    chose_home = np.zeros(n, np.bool_)
    pending = np.arange(n)
    choice = np.empty(n, np.int64)
    by_option = np.empty(n, np.int64)
    posts = (np.empty(16, np.int64), np.empty(16, np.int64), np.empty(16, np.int64),
             np.empty(16, np.bool_))
    n_posts = 0
    m = n
    for r_ in range(rounds):
        if m == 0:
            break
        kept = 0
        for j in range(m):
            i = pending[j]
            # draw_options: the option where the cumulative probability first reaches u x total
            target = draw(keys[0], rows[i], rounds, r_) * (P[i, 0] + P[i, 1] + P[i, 2] + P[i, 3]
                                                            + P[i, 4] + P[i, 5])
            c, acc = 5, 0.0
            for k in range(6):
                acc += P[i, k]
                if acc >= target and P[i, k] > 0.0:
                    c = k
                    break
            if r_ == 0:
                first[i] = c
            current = status[rows[i]]
            if current != NOT_WORKING and OPTION_STATUS[c] == current:
                outcome[i] = KEEP  # it ranks the job it holds next: keeps it
                continue
            chose_home[i] = c == 5
            pending[kept] = i
            choice[kept] = c
            kept += 1
        m = kept
        # the pending deciders by option, each option's in pending order (one pass, no branches)
        bound = np.zeros(7, np.int64)
        for j in range(m):
            bound[choice[j] + 1] += 1
        for c in range(6):
            bound[c + 1] += bound[c]
        fill = bound[:6].copy()
        for j in range(m):
            by_option[fill[choice[j]]] = j
            fill[choice[j]] += 1
        for col in range(2):
            k = bound[col + 1] - bound[col]
            if k:
                sel = np.empty(k, np.int64)
                for j in range(k):
                    sel[j] = pending[by_option[bound[col] + j]]
                _departures(col, sel, k, rows, prev, p_migrant, worker, keys, disruption, seats,
                            outcome)
        m, posts, n_posts = _serve_rooms(r_, pending, by_option, bound, m, rows, P, worker,
                                         keys[4], free,
                                         applied, accepted, outcome, posts, n_posts)
    for i in range(n):  # on-the-job search: who holds a job and finds nothing better keeps it
        if status[rows[i]] != NOT_WORKING and outcome[i] == NOT_WORKING and not chose_home[i]:
            outcome[i] = KEEP
    idx, rnd, prio, acc = posts
    return outcome, first, (idx[:n_posts], rnd[:n_posts], prio[:n_posts], acc[:n_posts])


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
    """Enrolment order of the candidates (policies.enrol_training): a uniform draw plus the
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
def household_month(hh_working, wages, nonwage, persons, income_year, line, income):
    """Income of the month (written to `income`) added to the year, nobody in work, below the
    monitoring line; and how many households have nobody in work and are below the line."""
    n = hh_working.shape[0]
    zero = np.empty(n, np.bool_)
    below = np.empty(n, np.bool_)
    twelve = np.float32(12.0)
    n_zero = n_below = 0
    for h in range(n):
        zero[h] = hh_working[h] == 0
        income[h] = wages[h] + nonwage[h] / twelve  # float32 division, as numpy does
        income_year[h] += income[h]
        below[h] = (12.0 * wages[h] + np.float64(nonwage[h])) / np.float64(persons[h]) < line
        n_zero += zero[h]
        n_below += below[h]
    return zero, below, n_zero, n_below


@njit(cache=True)
def split_outcomes(rows, outcome, status):
    """The month's deciders grouped by outcome, each group in the deciders' order: rows of
    outcome o are grouped[start[o + 1]:start[o + 2]] (KEEP = -1 first, then statuses 0..6);
    and the movers who leave a job they hold (in the same order)."""
    n = rows.shape[0]
    count = np.zeros(10, np.int64)
    n_quit = 0
    for i in range(n):
        count[outcome[i] + 2] += 1
        if outcome[i] != KEEP and status[rows[i]] != NOT_WORKING:
            n_quit += 1
    start = np.cumsum(count)
    fill = start[:-1].copy()
    grouped = np.empty(n, np.int64)
    quitting = np.empty(n_quit, np.int64)
    q = 0
    for i in range(n):
        o = outcome[i] + 1
        grouped[fill[o]] = rows[i]
        fill[o] += 1
        if outcome[i] != KEEP and status[rows[i]] != NOT_WORKING:
            quitting[q] = rows[i]
            q += 1
    return grouped, start, quitting
