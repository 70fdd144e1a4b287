"""Where a worker chooses to work: random utility over the options open to it, with room limits.

The utility of each option (docs/MODEL.md 3.4.11) is a sum of parts that each depend on a few
traits; the compiled `logit_kernel` multiplies their exponentials, looked up in the month's
tables (`exp_tables`), into the logit probabilities. That kernel is the one statement of the rule
that runs; tests/oracles.py states the utilities again in numpy, from the config, as the oracle.
A worker draws its option from the multinomial logit. Room-limited options (local jobs,
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
from .population import COLUMN_OF_STATUS, N_STATUS, NOT_WORKING, OUTSIDE, TRAINING
from .rooms import free_room, room_capacity, update_acceptance
from .validation import ConfigError

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


def home_income(model, rows: np.ndarray) -> np.ndarray:
    """Yuan a month per household member from the household's non-wage income (transfers,
    farming): what not working leaves a worker to live on."""
    hh, h = model.households, model.workers.household[rows]
    return hh.nonwage_income[h].astype(np.float64) / hh.persons[h].astype(np.float64) / 12.0


# a part of a utility whose e^part is looked up may be at most this in size: a product of the
# factors an option has stays inside the range of a double
MAX_PART = 100.0
MAX_HOME_TASTE = 8.5  # |z| of the standard-normal home taste is below 8.3 for any hashed draw
MAX_HOME_INCOME = 1e6  # yuan a month: a bound for the size check of the home part
AGE_PIVOT = 35.0  # age from which work away costs more
MAX_AGE = 128  # the age table's length (ages are int8)


class UtilityRangeError(ConfigError):
    """Behaviour parameters whose utilities the model cannot evaluate (a part beyond MAX_PART)."""


def exp_tables(model) -> tuple:
    """e^part for each separable part of the utilities (docs/MODEL.md 3.4.11), by the traits it
    depends on: the tables of `sim.core.compiled.choice.logit_kernel`. A part larger than
    MAX_PART would let a product of factors leave the range of a double: such parameters are
    refused (UtilityRangeError, naming them). The log-earnings parts are powers:
    e^(income_weight x log(pay)) = pay^income_weight. The parts that depend only on the config
    and the year's levers are computed once for them (`_fixed_tables`)."""
    b = model.p.behaviour
    fixed = _fixed_tables(model)
    open_share = 1.0 - model.disruption * model.p.scenario.disruption_closure_share
    base = model.destination_demand * open_share
    boost = fixed["boost"]
    finding = np.stack([np.minimum(b.job_finding_out * base * boost, 1.0),
                        np.minimum(b.job_finding_in * base * boost, 1.0)], axis=-1).reshape(72, 2)
    levels, iw = model.wage_levels, b.income_weight
    with np.errstate(divide="ignore"):
        # pay only: the chances of a place multiply in the kernel, except for the place held
        migrant = (np.array([b.asc_out_of_province, b.asc_in_province])
                   + iw * np.log(levels[:2] * fixed["factor"]))
        pay = fixed["log_pay"]  # the pay factor does not depend on referral
        n_counties = model.acceptance.shape[0]
        local = b.asc_local_job + iw * (np.log(levels[2]) + pay) + np.zeros((n_counties, 1))
        workshop = b.asc_workshop + iw * (np.log(levels[3]) + pay) + np.zeros((n_counties, 1))
        post = b.asc_public_welfare + iw * np.log(levels[4]) + np.zeros(n_counties)
    peers = b.peer_weight * (model.peer_share[:, 0] + model.peer_share[:, 1])
    _check_parts({"asc_out_of_province, asc_in_province, income_weight (migrant pay)": migrant,
                  "asc_local_job, income_weight (local pay)": local,
                  "asc_workshop, income_weight (workshop pay)": workshop,
                  "asc_public_welfare, income_weight (post pay)": post, "peer_weight": peers})
    shut = ~model.options_open  # an option with no room at all in the county is not open
    return (np.exp(migrant), finding, fixed["distance"], fixed["burden"], fixed["away"],
            fixed["home"], np.exp(peers), np.where(shut[:, 0:1], 0.0, np.exp(local)),
            np.where(shut[:, 1:2], 0.0, np.exp(workshop)), np.where(shut[:, 2], 0.0, np.exp(post)),
            fixed["relocated"], fixed["strained"], float(np.exp(b.habit)),
            float(b.home_value_sd), float(iw), float(b.away_taste_sd), finding ** iw,
            model.acceptance ** iw, fixed["village"])


def _fixed_tables(model) -> dict:
    """The tables of `exp_tables` that depend only on the config and the year's lever state
    (kept on the model until either changes)."""
    kept = getattr(model, "fixed_tables", None)
    if kept is not None and kept[0] is model.p and kept[1] is model.lever:
        return kept[2]
    b, lv, wages = model.p.behaviour, model.lever, model.p.wages
    skill, cap, trained, brand, referred = np.meshgrid(
        np.arange(3), np.arange(3), [0.0, 1.0], [0.0, 1.0], [0.0, 1.0], indexing="ij")
    factors = np.array([1.0, wages.weak_factor, wages.over_age_factor])
    factor = (np.asarray(wages.skill_factors, np.float64)[skill] * factors[cap]
              * (1.0 + lv.training_premium * trained) * (1.0 + lv.brand_premium * brand))
    boost = 1.0 + lv.referral_boost * referred + lv.training_boost * trained + lv.brand_boost * brand
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
    bonuses = np.array([[0.0, b.relocated_workshop_bonus], [0.0, b.weak_public_welfare_bonus]])
    village = np.array([0.0, b.female_home_value])  # kept in workshops and posts, by sex
    _check_parts({"distance_cost_out, distance_cost_in": distance,
                  "care_cost, strain_cost": burden, "age_away_cost, female_away_cost": away,
                  "age_home_value, female_home_value": home,
                  "relocated_workshop_bonus, weak_public_welfare_bonus": bonuses,
                  "habit": b.habit, "home_value_sd": b.home_value_sd * MAX_HOME_TASTE,
                  "away_taste_sd": b.away_taste_sd * MAX_HOME_TASTE,
                  "income_weight (home income)": b.income_weight * np.log(MAX_HOME_INCOME)})
    with np.errstate(divide="ignore"):
        tables = {"boost": boost, "factor": factor.reshape(72, 1),
                  "log_pay": np.log(factor[..., 0].reshape(1, 36)),
                  "distance": np.exp(distance), "burden": np.exp(burden), "away": np.exp(away),
                  "home": home, "relocated": np.exp(bonuses[0]), "strained": np.exp(bonuses[1]),
                  "village": np.exp(village)}
    model.fixed_tables = (model.p, model.lever, tables)
    return tables



def _check_parts(parts: dict[str, np.ndarray | float]) -> None:
    """Refuse the parameters behind the largest utility part if it exceeds MAX_PART."""
    size = {name: float(np.abs(np.asarray(x)[np.isfinite(x)]).max(initial=0.0))
            for name, x in parts.items()}
    name = max(size, key=size.get)
    if size[name] > MAX_PART:
        keys = ", ".join(f"'behaviour.{k}'" for k in name.split(" (")[0].split(", "))
        raise UtilityRangeError(
            f"Invalid value for {keys}: a part of a worker's utility reaches {size[name]:,.0f} "
            f"({name}); allowed: parameters that keep every part of a utility within "
            f"{MAX_PART:.0f} (a logit weight of e^{MAX_PART:.0f} against another option: any "
            f"larger says the same), e.g. a smaller behaviour.income_weight or constant.")


def evaluate(model, rows: np.ndarray, habit: bool = True, stationary: bool = False,
             reuse: bool = False, certain: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Logit probabilities P (deciders x options) and migrant job-finding chances (deciders x
    2), by the compiled kernel. With `stationary`, P holds the long-run shares of a worker who
    at each review chooses by the logit with a pull `habit` toward the option it holds: the chain
    T(j|i) = e^{V_j + h[j=i]} / D_i, D_i = Z + (e^h - 1) e^{V_i}, is reversible with pi_i
    proportional to P_i (1 + (e^h - 1) P_i), so the starting state spares a long burn-in. Option
    `certain` (a column, -1 for none) is offered for sure: its chance of a place is 1. With
    `reuse`, P and the chances are written into buffers kept on the model from one call to the
    next (valid until the next call): fresh memory costs a page fault per 4 kB touched."""
    w, b = model.workers, model.p.behaviour
    rows = np.ascontiguousarray(rows, np.int64)
    tables = exp_tables(model)
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
                        float(np.expm1(b.habit)), certain, P, p_migrant)


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
