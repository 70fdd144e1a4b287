"""The choice of a month, compiled: the logit probabilities of each decider (`logit_kernel`), the
rounds in which deciders draw, travel and apply for room-limited places (`choice_rounds`), and the
deciders grouped by outcome (`split_outcomes`).

The kernel is the one statement of the decision that runs; tests/oracles.py states it again in
numpy from the config (`utilities`, `logit`), and the tests check that the two agree to rounding.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..population import NOT_WORKING
from ..random_streams import draw
from ..levers.public_welfare import post_priority
from ..levers.transport import travel_in_disruption
from .allocation import accept_in_groups
from .hints import AHEAD, prefetch


@njit(cache=True)
def logit_kernel(rows, traits, households, column_of_status, tables, use_habit, stationary,
                 expm1_habit, certain, P, p_migrant):
    """Logit probabilities P (n x 6) and migrant job-finding chances p_migrant (n x 2) of the
    deciders `rows`, written in place (buffers the caller may reuse).

    A utility is a sum of parts that each depend on one small set of traits, so e^V is a product
    of factors looked up in `tables` (sim.core.decisions.exp_tables, rebuilt each month): no
    exponential per decider but that of not working, which holds the worker's own taste and its
    household's income. A closed option has the factor 0. With `stationary`, P holds the
    long-run shares of the habit chain (docs/MODEL.md 3.4.11; tests/oracles.py `stationary`).

    traits = worker columns (skill, capacity, trained, brand, referred, experience, care, county,
    last_status, household, can_migrate, home_taste, age, female, away_taste, status); households =
    (relocated,
    non-wage income, persons). tables = (migrant factors by trait code x (out, in), migrant
    job-finding chances by trait code, distance factors by (referred, experience) x (out, in),
    burden factors by (care, strained) x (out, in, local), away factors by age x female, the
    home terms by age x female (in the exponent of not working), peer
    factors by county, local-job and workshop factors by county x pay code, post factors by
    county, relocated and strained (post) factors, e^habit, home taste sd, income weight, away
    taste sd, the migrant job-finding chances to the income weight by trait code, the
    room-limited options' acceptance to the income weight by county x (local, workshop, post),
    the village factor by sex (women keep their home value in workshops and posts)).
    The chance of a place multiplies each option but the one the worker holds: it keeps that if
    it chooses it; and but option `certain` (-1: none), a place offered for sure (the
    zero-employment clearing's offer).
    Pay code = ((skill x 3 + capacity) x 2 + trained) x 2 + brand; trait code = pay code x 2
    + referred.
    """
    (skill, capacity, trained, brand, referred, experience, care, county, last_status, household,
     can_migrate, home_taste, age, female, away_taste, status) = traits
    relocated, nonwage, persons = households
    (migrant, finding, distance, burden, away, home_terms, peers, local, workshop, post,
     relocated_f, strained_f, e_habit, home_sd, income_weight, away_sd, finding_iw,
     room_chance, village) = tables
    e = np.empty(6)
    for i in range(rows.shape[0]):
        r = rows[i]
        c = county[r]
        h = household[r]
        pay = ((np.int64(skill[r]) * 3 + capacity[r]) * 2 + np.int64(trained[r])) * 2 \
            + np.int64(brand[r])
        trait = pay * 2 + np.int64(referred[r])
        d = np.int64(referred[r]) * 2 + np.int64(experience[r])
        strained = np.int64(capacity[r] != 0)
        b = np.int64(care[r]) * 2 + strained
        sex = np.int64(female[r])
        travel = 0.0
        if can_migrate[r]:
            travel = (away[np.int64(age[r]), sex] * peers[c]
                      * math.exp(away_sd * away_taste[r]))
        e[0] = migrant[trait, 0] * distance[d, 0] * burden[b, 0] * travel
        e[1] = migrant[trait, 1] * distance[d, 1] * burden[b, 1] * travel
        e[2] = local[c, pay] * burden[b, 2]
        e[3] = workshop[c, pay] * relocated_f[np.int64(relocated[h])] * village[sex]
        e[4] = post[c] * strained_f[strained] * village[sex]
        home = np.float64(nonwage[h]) / np.float64(persons[h]) / 12.0
        e[5] = math.exp(income_weight * math.log(home) + home_sd * home_taste[r]
                        + home_terms[np.int64(age[r]), sex])
        # the chance of a place, to the income weight; the place a worker holds is certain
        held = status[r]
        for k in range(2):
            if held != k and k != certain:
                e[k] *= finding_iw[trait, k]
        for k in range(2, 5):
            if held != k and k != certain:
                e[k] *= room_chance[c, k - 2]
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


# ---- the rounds of a month's choice (sim.core.decisions.decide) -------------------------------------
OPTION_STATUS = np.array([0, 1, 2, 3, 4, NOT_WORKING], np.int8)  # = decisions.OPTIONS
KEEP = -1


@njit(cache=True)
def _departures(col, sel, m, rows, prev, p_migrant, worker, keys, disruption, seats, outcome):
    """Who of the deciders sel[:m] choosing migrant option `col` gets there: a job is found with
    its chance, or for sure by a worker home for the festival or a closure going back to the same
    kind of job (its employer takes it back); in a disruption travel may be blocked."""
    last_status, recall = worker[1], worker[2]
    found = np.empty(m, np.bool_)
    for j in range(m):
        if j + AHEAD < m:  # the choosers are scattered over the rows
            q = rows[sel[j + AHEAD]]
            prefetch(recall, q)
            prefetch(last_status, q)
        r = rows[sel[j]]
        recalled = recall[r] and last_status[r] == col
        found[j] = recalled or draw(keys[1], r, 0, 0) < p_migrant[sel[j], col]
    if disruption > 0:  # travel blocked, and point-to-point transport (P3)
        travel_in_disruption(col, sel, m, rows, prev, found, worker, keys, disruption, seats)
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
    zero_employment, identified, care = worker[7], worker[8], worker[9]
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
            if col == 4:  # posts go by priority class (P9), then at random
                h = household[r]
                priority[k] = post_priority(capacity[r], care[r], zero_employment[h],
                                            identified[h])
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
    """The rounds of `sim.core.decisions.decide` for deciders `rows`: draw from the logit over the
    options left, keep a held job, migrant departures, room-limited places; who is turned away
    tries its next-best option next round.

    worker = (status, last_status, recall, county, returning, capacity, household,
    zero_employment, identified, care); keys = hash keys of (choice, job finding, travel, transport,
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
