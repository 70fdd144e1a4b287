"""Where a worker chooses to work: random utility over the options open to it, with room limits.

Utility of option j for worker i (docs/MODEL.md, Decision):
    V_ij = asc_j + income_weight * wage_ij * p_ij / 1000          expected earnings (Harris-Todaro)
           - distance_j * (1 - referral cut) * (1 - experience discount)
           - care_cost * care_i * away_j
           + peer_weight * share of the county working away last month   (j away only)
           + habit * [j is the last option i held]
    V_i,not_working = home_value_sd * z_i   (z_i a worker's standard-normal taste for home)
A worker draws its option from the multinomial logit over V. Room-limited options (local jobs,
workshops, posts) serve applicants county by county; a worker turned away takes its next-best
option in the same month (drawn from the logit over the options left, which is the logit
ranking's next place), up to 4 rounds.
Migrant options have no room limit but a job-finding chance and, in a disruption, blocked travel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import streams
from .kernels import choice_rounds, decision_kernel
from .population import (IN_PROVINCE, LOCAL_JOB, NOT_WORKING, OUT_OF_PROVINCE, OVER_AGE,
                         PUBLIC_WELFARE, WEAK, WORKSHOP)

# the options, in the columns of the utility matrix (training is assigned, not chosen)
OPTIONS = np.array([OUT_OF_PROVINCE, IN_PROVINCE, LOCAL_JOB, WORKSHOP, PUBLIC_WELFARE, NOT_WORKING],
                   np.int8)
COLUMN_OF_STATUS = np.full(7, 5, np.int64)
COLUMN_OF_STATUS[OPTIONS] = np.arange(6)
ROOM_OPTIONS = (2, 3, 4)  # columns with a room limit: local job, workshop, post
ROUNDS = 4
KEEP = -1  # outcome of a worker who stays in the job it holds


@dataclass
class DecisionRecord:
    """What the last month's deciders faced and chose first (for tests and diagnostics)."""

    rows: np.ndarray
    utilities: np.ndarray  # systematic utilities, deciders x options
    first_choice: np.ndarray  # column each decider chose in the first round
    outcome: np.ndarray  # status each decider ended the month in
    posts: list  # per round: (county, priority, accepted) of the post applicants

    @property
    def probabilities(self) -> np.ndarray:
        """Logit probabilities of the options, deciders x options."""
        return logit_probabilities(self.utilities)

    @property
    def post_applications(self) -> pd.DataFrame:
        frames = [pd.DataFrame({"county": c, "priority": p, "accepted": a, "round": r})
                  for r, (c, p, a) in enumerate(self.posts)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["county", "priority", "accepted", "round"])


def personal_factor(model, rows: np.ndarray) -> np.ndarray:
    """A worker's pay relative to the option's average: skill, capacity, training, brand."""
    w, p = model.workers, model.p
    wages = p.wages
    f = np.asarray(wages.skill_factors, np.float64)[w.skill[rows]]
    cap = w.capacity[rows]
    f = f * np.where(cap == WEAK, wages.weak_factor, np.where(cap == OVER_AGE, wages.over_age_factor, 1.0))
    f = f * (1.0 + model.lever.training_premium * w.trained[rows])
    return f * (1.0 + model.lever.brand_premium * w.brand[rows])


def job_finding(model, rows: np.ndarray) -> np.ndarray:
    """Chance of finding a job this month in each option (deciders x options)."""
    w, b = model.workers, model.p.behaviour
    lv = model.lever
    boost = (1.0 + lv.referral_boost * w.referred[rows] + lv.training_boost * w.trained[rows]
             + lv.brand_boost * w.brand[rows])
    open_share = 1.0 - model.disruption * model.p.scenario.disruption_closure_share
    demand = model.destination_demand
    p = np.ones((len(rows), 6))
    p[:, 0] = np.minimum(b.job_finding_out * demand * open_share * boost, 1.0)
    p[:, 1] = np.minimum(b.job_finding_in * demand * open_share * boost, 1.0)
    # room-limited options: last month's acceptance rate in the worker's county
    p[:, 2:5] = model.acceptance[w.county[rows]]
    return p


def utilities(model, rows: np.ndarray, p_find: np.ndarray, habit: bool = True) -> np.ndarray:
    """Systematic utility V (deciders x options); -inf where an option is closed to the worker."""
    w, b = model.workers, model.p.behaviour
    hh = model.households
    n = len(rows)
    V = np.zeros((n, 6))
    V[:, :5] = [b.asc_out_of_province, b.asc_in_province, b.asc_local_job, b.asc_workshop,
                b.asc_public_welfare]
    wage = model.wage_levels[None, :] * personal_factor(model, rows)[:, None]
    wage[:, 4] = model.wage_levels[4]  # post pay is flat
    wage[:, 5] = 0.0
    V += b.income_weight * wage * p_find / 1000.0
    distance = ((1.0 - model.lever.referral_cut * w.referred[rows])
                * (1.0 - b.experience_discount * w.experience[rows]))
    V[:, 0] -= b.distance_cost_out * distance
    V[:, 1] -= b.distance_cost_in * distance
    care = w.care[rows].astype(np.float64)
    V[:, 0] -= b.care_cost * care
    V[:, 1] -= b.care_cost * b.care_weight_in_province * care
    # the evidence (Chen, Jin & Yue) is on migrating: peers pull toward working away
    away = model.peer_share[w.county[rows]][:, :2].sum(axis=1)
    V[:, :2] += b.peer_weight * away[:, None]
    V[:, 5] = b.home_value_sd * w.home_taste[rows]  # some value staying home more than others
    if habit:
        V[np.arange(n), COLUMN_OF_STATUS[w.last_status[rows]]] += b.habit
    V[:, 3] += b.relocated_workshop_bonus * hh.relocated[w.household[rows]]
    V[:, 4] += b.weak_public_welfare_bonus * (w.capacity[rows] != 0)
    V[~w.can_migrate[rows], :2] = -np.inf
    # an option with no room at all in the worker's county (no workshop, no post) is not open
    V[:, 2:5][~model.options_open[w.county[rows]]] = -np.inf
    return V


def evaluate(model, rows: np.ndarray, habit: bool = True, stationary: bool = False,
             reuse: bool = False):
    """Utilities V, logit probabilities P and migrant job-finding chances (deciders x 2), by the
    compiled kernel; the same numbers as `utilities`, `logit_probabilities`, `job_finding`.
    With `stationary`, P is `stationary_probabilities` of the logit probabilities.
    With `reuse`, P and the chances are written into buffers kept on the model from one call to
    the next (valid until the next call): fresh memory costs a page fault per 4 kB touched."""
    w, b, lv, wages = model.workers, model.p.behaviour, model.lever, model.p.wages
    n = len(rows)
    if reuse:
        buf = getattr(model, "_decision_buffers", None)
        if buf is None or buf[0].shape[0] < n:
            buf = model._decision_buffers = (np.empty((n, 6)), np.empty((n, 2)))
        P, p_migrant = buf[0][:n], buf[1][:n]
    else:
        P, p_migrant = np.empty((n, 6)), np.empty((n, 2))
    open_share = 1.0 - model.disruption * model.p.scenario.disruption_closure_share
    base = model.destination_demand * open_share
    return decision_kernel(
        rows, w.skill, w.capacity, w.trained, w.brand, w.referred, w.experience, w.care,
        w.county, w.last_status, w.household, model.households.relocated, w.can_migrate,
        w.home_taste, model.wage_levels, np.asarray(wages.skill_factors, np.float64),
        np.array([1.0, wages.weak_factor, wages.over_age_factor]),
        np.array([lv.training_premium, lv.brand_premium]),
        np.array([lv.referral_boost, lv.training_boost, lv.brand_boost]),
        np.array([b.job_finding_out * base, b.job_finding_in * base]),
        model.acceptance, model.peer_share, model.options_open,
        np.array([b.asc_out_of_province, b.asc_in_province, b.asc_local_job, b.asc_workshop,
                  b.asc_public_welfare]),
        np.array([b.income_weight, b.distance_cost_out, b.distance_cost_in, lv.referral_cut,
                  b.experience_discount, b.care_cost, b.care_weight_in_province, b.peer_weight,
                  b.habit, b.relocated_workshop_bonus, b.weak_public_welfare_bonus,
                  b.home_value_sd]),
        habit, COLUMN_OF_STATUS, stationary, float(np.expm1(b.habit)), P, p_migrant)


def logit_probabilities(V: np.ndarray) -> np.ndarray:
    m = V.max(axis=1, keepdims=True)
    e = np.exp(V - m)
    return e / e.sum(axis=1, keepdims=True)


def post_priority(model, rows: np.ndarray) -> np.ndarray:
    """Public-welfare posts go first to weak and over-age labour (0), then to members of
    households with nobody in work or identified by monitoring (1), then to the rest (2)."""
    w, hh = model.workers, model.households
    h = w.household[rows]
    needy = model.zero_employment[h] | hh.identified[h]
    return np.where(w.capacity[rows] != 0, 0, np.where(needy, 1, 2))


def departures(model, rows: np.ndarray, p: np.ndarray, travelling: np.ndarray,
               status: int) -> np.ndarray:
    """Who of the workers choosing a migrant option gets there: a job is found with chance p,
    or for sure by a worker home for the festival or a closure going back to the same kind of
    job (its employer takes it back); in a disruption a traveller is blocked with chance equal
    to its strength, unless a seat on the point-to-point transport (P3) is left this month."""
    t, seed = model.t, model.seed
    w = model.workers
    recalled = model.recall[rows] & (w.last_status[rows] == status)
    found = recalled | (streams.uniform(seed, streams.JOB_FINDING, t, rows) < p)
    if model.disruption <= 0:
        return found
    blocked = found & travelling & (streams.uniform(seed, streams.TRAVEL, t, rows) < model.disruption)
    stuck = np.flatnonzero(blocked)
    stuck = stuck[np.argsort(streams.uniform(seed, streams.TRANSPORT, t, rows[stuck]))]
    carried = stuck[:max(model.seats_left, 0)]
    model.seats_left -= len(carried)
    model.flow["transported"] += len(carried)
    blocked[carried] = False
    stuck_home = rows[blocked & (w.status[rows] == NOT_WORKING)]
    w.returning[stuck_home] = True  # stuck at home, they try again next month (with a job: kept)
    return found & ~blocked


def stationary_probabilities(P: np.ndarray, habit: float) -> np.ndarray:
    """Long-run shares of a worker who, at each review, chooses by the logit with a pull `habit`
    toward the option it holds. The chain T(j|i) = e^{V_j + h[j=i]} / D_i, with
    D_i = Z + (e^h - 1) e^{V_i}, is reversible with pi_i proportional to e^{V_i} D_i, that is
    to P_i (1 + (e^h - 1) P_i). Starting from these shares spares a long burn-in."""
    S = P * (1.0 + np.expm1(habit) * P)
    return S / S.sum(axis=1, keepdims=True)


def decide(model, rows: np.ndarray, prev: np.ndarray, habit: bool = True,
           record: bool = False) -> np.ndarray:
    """Deciders choose and are placed; returns the status each ends the month in, or KEEP
    for a worker still holding a job who chooses to stay in it (no search, no room needed).
    With habit=False (the starting state) the draw is from the habit chain's long-run shares.

    `prev` is each decider's status at the start of the month: a worker already at a migrant
    destination does not travel to take a new job there, so a disruption cannot block it.

    Sampling the logit ranking one choice at a time: the best option has the logit
    probabilities, and the next-best, given the best is closed, has the logit probabilities of
    the options left (Luce's choice axiom). One uniform per decider and round does it. The
    rounds run compiled (`sim.kernels.choice_rounds`); `departures`, `post_priority` and
    `sim.institutions.fill_room` state their rules in numpy.
    """
    t, seed = model.t, model.seed
    rows = np.ascontiguousarray(rows, np.int64)
    model.options_open = model.room_capacity() > 0
    # the starting state (no habit) draws from the long-run shares of the habit chain
    V, P, p_find = evaluate(model, rows, habit, stationary=not habit, reuse=True)
    w, hh = model.workers, model.households
    free = model.free_room()  # county x (local, workshop, post), decreased as places go
    applied = np.zeros_like(free)
    accepted = np.zeros_like(free)
    seats = np.array([model.seats_left, 0], np.int64)
    keys = tuple(streams.key(seed, s, t) for s in (streams.CHOICE, streams.JOB_FINDING,
                                                   streams.TRAVEL, streams.TRANSPORT,
                                                   streams.ORDER))
    worker = (w.status, w.last_status, model.recall, w.county, w.returning, w.capacity,
              w.household, model.zero_employment, hh.identified)
    outcome, first, posts = choice_rounds(rows, np.asarray(prev, np.int8), P, p_find, worker, keys,
                                          float(model.disruption), seats, free, applied, accepted,
                                          ROUNDS)
    if model.disruption > 0:
        model.seats_left = int(seats[0])
        model.flow["transported"] += int(seats[1])
    model.update_acceptance(applied, accepted)
    if record:
        model.last_decision = DecisionRecord(
            rows=rows, utilities=V, first_choice=first,
            outcome=np.where(outcome == KEEP, w.status[rows], outcome),
            posts=_post_log(rows, w.county, posts))
    return outcome


def _post_log(rows: np.ndarray, county: np.ndarray, posts: tuple) -> list:
    """Per round with post applicants: (county, priority, accepted) of each applicant."""
    idx, rnd, priority, got = posts
    return [(county[rows[idx[rnd == r]]].astype(np.int64), priority[rnd == r], got[rnd == r])
            for r in np.unique(rnd)]
