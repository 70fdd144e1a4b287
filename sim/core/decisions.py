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

from . import random_streams as streams
from .compiled.choice import KEEP, choice_rounds, logit_kernel
from .compiled.scans import reviews_due
from .population import (COLUMN_OF_STATUS, N_STATUS, NOT_WORKING, OUTSIDE, OVER_AGE, TRAINING,
                         WEAK)
from .rooms import free_room, room_capacity, update_acceptance

ROOM_OPTIONS = (2, 3, 4)  # columns with a room limit: local job, workshop, post
ROUNDS = 4
# KEEP (-1): the outcome of a worker who stays in the job it holds


@dataclass
class DecisionRecord:
    """What the last month's deciders faced and chose first (for tests and diagnostics)."""

    rows: np.ndarray
    first_choice: np.ndarray  # column each decider chose in the first round
    outcome: np.ndarray  # status each decider ended the month in
    posts: tuple  # post applications: (decider index, round, priority, accepted)
    county: np.ndarray  # county of each decider
    # logit probabilities of the options (deciders x options), kept only when the model's
    # `keep_probabilities` is set: a copy of 48 bytes per decider, every month
    probabilities: np.ndarray | None = None

    @property
    def post_applications(self) -> pd.DataFrame:
        """One row per post application: the decider (index into `rows`), its county, the round,
        its priority class and whether it got a post."""
        decider, rnd, priority, accepted = self.posts
        return pd.DataFrame({"decider": decider, "county": self.county[decider], "round": rnd,
                             "priority": priority, "accepted": accepted})


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


def held_place_certain(chance: np.ndarray, status: np.ndarray) -> np.ndarray:
    """The chance of a place (deciders x the five work options) with the place a worker holds
    certain: a newcomer gets a migrant job or a room-limited place with the month's chance, but
    a worker reviewing the place it holds keeps it if it chooses it (the rounds keep it without a
    search or a queue), so its expected earnings there are the full pay."""
    chance = chance.copy()
    holds = np.flatnonzero(status < chance.shape[1])
    chance[holds, status[holds]] = 1.0
    return chance


def home_income(model, rows: np.ndarray) -> np.ndarray:
    """Yuan a month per household member from the household's non-wage income (transfers,
    farming): what not working leaves a worker to live on."""
    hh, h = model.households, model.workers.household[rows]
    return hh.nonwage_income[h].astype(np.float64) / hh.persons[h].astype(np.float64) / 12.0


def age_away(model, rows: np.ndarray) -> np.ndarray:
    """Decades of age above 35: the cost of work away grows with them."""
    return np.maximum(model.workers.age[rows].astype(np.float64) - AGE_PIVOT, 0.0) / 10.0


def utilities(model, rows: np.ndarray, p_find: np.ndarray, habit: bool = True) -> np.ndarray:
    """Systematic utility V (deciders x options); -inf where an option is closed to the worker.

    Each option is valued by the log of its expected monthly earnings (pay x the chance of a
    place); not working by the log of the household's non-wage income per member, plus the
    worker's own taste for home. Work away costs distance, care duties, age and, for women,
    more; full-time local work costs carers part of that; heavy work (away, local jobs) costs
    weak and over-age labour strain."""
    w, b = model.workers, model.p.behaviour
    hh = model.households
    n = len(rows)
    V = np.zeros((n, 6))
    V[:, :5] = [b.asc_out_of_province, b.asc_in_province, b.asc_local_job, b.asc_workshop,
                b.asc_public_welfare]
    wage = model.wage_levels[None, :5] * personal_factor(model, rows)[:, None]
    wage[:, 4] = model.wage_levels[4]  # post pay is flat
    chance = held_place_certain(p_find[:, :5], w.status[rows])
    with np.errstate(divide="ignore"):  # no chance of a place: the option is worth nothing
        V[:, :5] += b.income_weight * np.log(wage * chance)
    distance = ((1.0 - model.lever.referral_cut * w.referred[rows])
                * (1.0 - b.experience_discount * w.experience[rows]))
    away = (b.age_away_cost * age_away(model, rows) + b.female_away_cost * w.female[rows]
            # the evidence (Chen, Jin & Yue) is on migrating: peers pull toward working away
            - b.peer_weight * model.peer_share[w.county[rows]][:, :2].sum(axis=1)
            # some like work away more than others, lastingly (float32: widen it first)
            - b.away_taste_sd * w.away_taste[rows].astype(np.float64))
    V[:, 0] -= b.distance_cost_out * distance + away
    V[:, 1] -= b.distance_cost_in * distance + away
    care = w.care[rows].astype(np.float64)
    V[:, 0] -= b.care_cost * care
    V[:, 1] -= b.care_cost * b.care_weight_in_province * care
    V[:, 2] -= b.care_cost * b.care_weight_local * care
    strained = (w.capacity[rows] != 0).astype(np.float64)
    V[:, :3] -= b.strain_cost * strained[:, None]
    # some value staying home more than others (the taste is stored in float32: widen it first)
    V[:, 5] = (b.income_weight * np.log(home_income(model, rows))
               + b.home_value_sd * w.home_taste[rows].astype(np.float64)
               + b.female_home_value * w.female[rows] + b.age_home_value * age_away(model, rows))
    if habit:
        V[np.arange(n), COLUMN_OF_STATUS[w.last_status[rows]]] += b.habit
    V[:, 3] += b.relocated_workshop_bonus * hh.relocated[w.household[rows]]
    V[:, 4] += b.weak_public_welfare_bonus * strained
    # what a woman values in staying home (the household's care and farm work) she keeps in the
    # village's own work, workshops and posts, made to fit around it (E10, docs/MODEL.md 3.4.11)
    V[:, 3:5] += b.female_home_value * w.female[rows][:, None]
    V[~w.can_migrate[rows], :2] = -np.inf
    # an option with no room at all in the worker's county (no workshop, no post) is not open
    V[:, 2:5][~model.options_open[w.county[rows]]] = -np.inf
    return V


# a part of a utility whose e^part is looked up may be at most this in size: a product of the
# factors an option has stays inside the range of a double
MAX_PART = 100.0
MAX_HOME_TASTE = 8.5  # |z| of the standard-normal home taste is below 8.3 for any hashed draw
AGE_PIVOT = 35.0  # age from which work away costs more
MAX_AGE = 128  # the age table's length (ages are int8)


def exp_tables(model) -> tuple | None:
    """e^part for each separable part of the utilities of `utilities`, by the traits it depends
    on (the tables of `sim.core.compiled.choice.logit_kernel`), or None when a part is too large
    for the product of factors to stay inside the range of a double (then the numpy rule is
    used). The log-earnings parts are powers: e^(income_weight x log(pay)) = pay^income_weight."""
    b, lv, wages = model.p.behaviour, model.lever, model.p.wages
    skill, cap, trained, brand, referred = np.meshgrid(
        np.arange(3), np.arange(3), [0.0, 1.0], [0.0, 1.0], [0.0, 1.0], indexing="ij")
    factors = np.array([1.0, wages.weak_factor, wages.over_age_factor])
    factor = (np.asarray(wages.skill_factors, np.float64)[skill] * factors[cap]
              * (1.0 + lv.training_premium * trained) * (1.0 + lv.brand_premium * brand))
    boost = 1.0 + lv.referral_boost * referred + lv.training_boost * trained + lv.brand_boost * brand
    open_share = 1.0 - model.disruption * model.p.scenario.disruption_closure_share
    base = model.destination_demand * open_share
    finding = np.stack([np.minimum(b.job_finding_out * base * boost, 1.0),
                        np.minimum(b.job_finding_in * base * boost, 1.0)], axis=-1).reshape(72, 2)
    levels, iw = model.wage_levels, b.income_weight
    with np.errstate(divide="ignore"):
        # pay only: the chances of a place multiply in the kernel, except for the place held
        migrant = (np.array([b.asc_out_of_province, b.asc_in_province])
                   + iw * np.log(levels[:2] * factor.reshape(72, 1)))
        pay = np.log(factor[..., 0].reshape(1, 36))  # the pay factor does not depend on referral
        n_counties = model.acceptance.shape[0]
        local = b.asc_local_job + iw * (np.log(levels[2]) + pay) + np.zeros((n_counties, 1))
        workshop = b.asc_workshop + iw * (np.log(levels[3]) + pay) + np.zeros((n_counties, 1))
        post = b.asc_public_welfare + iw * np.log(levels[4]) + np.zeros(n_counties)
    ref, exp_ = np.meshgrid([0.0, 1.0], [0.0, 1.0], indexing="ij")
    dist = ((1.0 - lv.referral_cut * ref) * (1.0 - b.experience_discount * exp_)).reshape(4, 1)
    distance = -np.array([b.distance_cost_out, b.distance_cost_in]) * dist
    # by (care, strained) x (out, in, local): care duties and the strain of heavy work
    care = np.array([0.0, 1.0])[:, None, None] * np.array(
        [b.care_cost, b.care_cost * b.care_weight_in_province, b.care_cost * b.care_weight_local])
    strain = np.array([0.0, 1.0])[None, :, None] * b.strain_cost
    burden = -(care + strain).reshape(4, 3)
    ages = np.maximum(np.arange(MAX_AGE) - AGE_PIVOT, 0.0) / 10.0
    sex = np.array([0.0, 1.0])[None, :]
    away = -(b.age_away_cost * ages[:, None] + b.female_away_cost * sex)
    home = b.age_home_value * ages[:, None] + b.female_home_value * sex  # added in the exponent
    peers = b.peer_weight * (model.peer_share[:, 0] + model.peer_share[:, 1])
    bonuses = np.array([[0.0, b.relocated_workshop_bonus], [0.0, b.weak_public_welfare_bonus]])
    village = np.array([0.0, b.female_home_value])  # kept in workshops and posts, by sex
    finite = [x[np.isfinite(x)] for x in (migrant, local, workshop, post)]
    parts = (*finite, distance, burden, away, home, peers, bonuses,
             np.array([b.habit, b.home_value_sd * MAX_HOME_TASTE, b.away_taste_sd * MAX_HOME_TASTE,
                       iw * np.log(MAX_HOME_INCOME)]))
    if max(float(np.abs(x).max(initial=0.0)) for x in parts) > MAX_PART:
        return None
    shut = ~model.options_open  # an option with no room at all in the county is not open
    return (np.exp(migrant), finding, np.exp(distance), np.exp(burden), np.exp(away), home,
            np.exp(peers), np.where(shut[:, 0:1], 0.0, np.exp(local)),
            np.where(shut[:, 1:2], 0.0, np.exp(workshop)), np.where(shut[:, 2], 0.0, np.exp(post)),
            np.exp(bonuses[0]), np.exp(bonuses[1]), float(np.exp(b.habit)), float(b.home_value_sd),
            float(iw), float(b.away_taste_sd), finding ** iw, model.acceptance ** iw,
            np.exp(village))


MAX_HOME_INCOME = 1e6  # yuan a month: a bound for the size check of the home part


def evaluate(model, rows: np.ndarray, habit: bool = True, stationary: bool = False,
             reuse: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Logit probabilities P (deciders x options) and migrant job-finding chances (deciders x
    2): those of `logit_probabilities(utilities(...))` and `job_finding`, to rounding, by the
    compiled kernel. With `stationary`, P is `stationary_probabilities` of the logit
    probabilities. With `reuse`, P and the chances are written into buffers kept on the model
    from one call to the next (valid until the next call): fresh memory costs a page fault per
    4 kB touched."""
    w, b = model.workers, model.p.behaviour
    rows = np.ascontiguousarray(rows, np.int64)
    tables = exp_tables(model)
    if tables is None:  # utilities too large for tables of factors: the numpy rule
        p_find = job_finding(model, rows)
        P = logit_probabilities(utilities(model, rows, p_find, habit))
        return (stationary_probabilities(P, b.habit) if stationary else P), p_find[:, :2]
    n = len(rows)
    if reuse:
        buf = model.scratch.buffers
        if buf is None or buf[0].shape[0] < n:
            buf = model.scratch.buffers = (np.empty((n, 6)), np.empty((n, 2)))
        P, p_migrant = buf[0][:n], buf[1][:n]
    else:
        P, p_migrant = np.empty((n, 6)), np.empty((n, 2))
    hh = model.households
    traits = (w.skill, w.capacity, w.trained, w.brand, w.referred, w.experience, w.care, w.county,
              w.last_status, w.household, w.can_migrate, w.home_taste, w.age, w.female,
              w.away_taste, w.status)
    households = (hh.relocated, hh.nonwage_income, hh.persons)
    return logit_kernel(rows, traits, households, COLUMN_OF_STATUS, tables, habit, stationary,
                        float(np.expm1(b.habit)), P, p_migrant)


def logit_probabilities(V: np.ndarray) -> np.ndarray:
    m = V.max(axis=1, keepdims=True)
    e = np.exp(V - m)
    return e / e.sum(axis=1, keepdims=True)


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
    rounds run compiled (`sim.core.compiled.choice.choice_rounds`); tests/test_choice_rules.py
    states their rules in numpy.
    """
    t, seed = model.t, model.seed
    rows = np.ascontiguousarray(rows, np.int64)
    model.options_open = room_capacity(model) > 0
    # the starting state (no habit) draws from the long-run shares of the habit chain
    P, p_find = evaluate(model, rows, habit, stationary=not habit, reuse=True)
    # the rounds strike the options that turned a worker away: keep the probabilities first
    kept = P.copy() if record and model.keep_probabilities else None
    w, hh = model.workers, model.households
    free = free_room(model)  # county x (local, workshop, post), decreased as places go
    applied = np.zeros_like(free)
    accepted = np.zeros_like(free)
    seats = np.array([model.seats_left, 0], np.int64)
    keys = tuple(streams.key(seed, s, t) for s in (streams.CHOICE, streams.JOB_FINDING,
                                                   streams.TRAVEL, streams.TRANSPORT,
                                                   streams.ORDER))
    worker = (w.status, w.last_status, model.recall, w.county, w.returning, w.capacity,
              w.household, model.zero_employment, hh.identified, w.care)
    outcome, first, posts = choice_rounds(rows, np.asarray(prev, np.int8), P, p_find, worker, keys,
                                          float(model.disruption), seats, free, applied, accepted,
                                          ROUNDS)
    if model.disruption > 0:
        model.seats_left = int(seats[0])
        model.flow["transported"] += int(seats[1])
    update_acceptance(model, applied, accepted)
    if record:
        model.last_decision = DecisionRecord(
            rows=rows, first_choice=first,
            outcome=np.where(outcome == KEEP, w.status[rows], outcome),
            posts=posts, county=w.county[rows].astype(np.int64), probabilities=kept)
    return outcome


def who_decides(model, *released: np.ndarray) -> np.ndarray:
    """Who chooses this month: everyone who lost or left a job or a course, a share of the
    workers without work (search), and a few with work (on-the-job reconsideration)."""
    w = model.workers
    forced = np.concatenate(released)
    forced = forced[w.status[forced] == NOT_WORKING]
    # searchers and reconsidering workers: their review month has come (a geometric wait
    # drawn when they last changed, see employment.schedule_review)
    return reviews_due(w.next_review, w.status, w.returning, model.t, TRAINING,
                       np.ascontiguousarray(forced, np.int64))


def update_peer_share(model) -> None:
    """Shares of each county's workers by status, as peers see them next month: a migrant home
    for the festival or stuck by a closure still counts as working away."""
    counts = model.ledger.by_county.astype(np.float64)
    counts[:, OUTSIDE] = 0.0  # peers are the county's labour force
    away = np.flatnonzero(model.workers.returning)
    if len(away):
        w, n_c = model.workers, model.counties.n
        moved = np.bincount(w.county[away].astype(np.int64) * N_STATUS + w.last_status[away],
                            minlength=n_c * N_STATUS).reshape(n_c, N_STATUS)
        counts += moved
        counts[:, NOT_WORKING] -= moved.sum(axis=1)
    model.peer_share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
