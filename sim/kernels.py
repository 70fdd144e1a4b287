"""Compiled inner loop of the decision: utilities, job-finding chances and logit probabilities
of each decider, in one pass over the deciders (numba, cached on disk once per machine).

`sim.decisions.utilities` states the same rule in numpy and is the reading copy; a test checks
that both give the same numbers. The kernel exists because the numpy version walks over the
deciders some twenty times and this one once.
"""

from __future__ import annotations

import math
import os

import numpy as np
from numba import njit

# a non-editable install may sit in a read-only folder: cache compiled code in the user's cache
if "NUMBA_CACHE_DIR" not in os.environ:
    os.environ["NUMBA_CACHE_DIR"] = os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "sim-numba")


@njit(cache=True)
def decision_kernel(rows, skill, capacity, trained, brand, referred, experience, care, county,
                    last_status, household, relocated, can_migrate, home_taste,
                    wage_levels, skill_factors, capacity_factors, premiums, boosts,
                    migrant_finding, acceptance, peer_share, options_open, asc, weights,
                    use_habit, column_of_status):
    """Returns V (utilities), P (logit probabilities) and the migrant job-finding chances.

    premiums = (training, brand); boosts = (referral, training, brand);
    migrant_finding = (out, in) before personal boosts; weights = (income, distance out,
    distance in, referral cut, experience discount, care cost, care weight in province, peer,
    habit, relocated workshop bonus, weak post bonus, home value sd).
    """
    n = rows.shape[0]
    V = np.empty((n, 6))
    P = np.empty((n, 6))
    p_migrant = np.empty((n, 2))
    (income_w, dist_out, dist_in, referral_cut, exp_disc, care_cost, care_in, peer_w, habit,
     relocated_bonus, weak_bonus, home_sd) = (weights[0], weights[1], weights[2], weights[3],
                                              weights[4], weights[5], weights[6], weights[7],
                                              weights[8], weights[9], weights[10], weights[11])
    for i in range(n):
        r = rows[i]
        c = county[r]
        factor = (skill_factors[skill[r]] * capacity_factors[capacity[r]]
                  * (1.0 + premiums[0] * trained[r]) * (1.0 + premiums[1] * brand[r]))
        boost = 1.0 + boosts[0] * referred[r] + boosts[1] * trained[r] + boosts[2] * brand[r]
        p_out = min(migrant_finding[0] * boost, 1.0)
        p_in = min(migrant_finding[1] * boost, 1.0)
        p_migrant[i, 0] = p_out
        p_migrant[i, 1] = p_in
        distance = (1.0 - referral_cut * referred[r]) * (1.0 - exp_disc * experience[r])
        cared = 1.0 if care[r] else 0.0
        v0 = asc[0] + income_w * wage_levels[0] * factor * p_out / 1000.0 \
            - dist_out * distance - care_cost * cared
        v1 = asc[1] + income_w * wage_levels[1] * factor * p_in / 1000.0 \
            - dist_in * distance - care_cost * care_in * cared
        v2 = asc[2] + income_w * wage_levels[2] * factor * acceptance[c, 0] / 1000.0
        v3 = asc[3] + income_w * wage_levels[3] * factor * acceptance[c, 1] / 1000.0
        v4 = asc[4] + income_w * wage_levels[4] * acceptance[c, 2] / 1000.0
        away = peer_share[c, 0] + peer_share[c, 1]  # peers pull toward working away
        v0 += peer_w * away
        v1 += peer_w * away
        v3 += relocated_bonus * relocated[household[r]]
        v4 += weak_bonus if capacity[r] != 0 else 0.0
        v5 = home_sd * home_taste[r]
        V[i, 0] = v0
        V[i, 1] = v1
        V[i, 2] = v2
        V[i, 3] = v3
        V[i, 4] = v4
        V[i, 5] = v5
        if use_habit:
            V[i, column_of_status[last_status[r]]] += habit
        if not can_migrate[r]:
            V[i, 0] = -np.inf
            V[i, 1] = -np.inf
        for k in range(3):
            if not options_open[c, k]:
                V[i, 2 + k] = -np.inf
        top = V[i, 0]
        for k in range(1, 6):
            if V[i, k] > top:
                top = V[i, k]
        total = 0.0
        for k in range(6):
            e = math.exp(V[i, k] - top)
            P[i, k] = e
            total += e
        for k in range(6):
            P[i, k] /= total
    return V, P, p_migrant


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
