"""Numpy statements of the model's rules, written apart from the code they check.

Each is stated from the configuration and the agents' columns only, never with the engine's own
helpers, so that an error in the engine (a compiled kernel, a table of factors, a cost line)
shows as a difference. docs/MODEL.md section 3.4 is the text these follow.
"""

from __future__ import annotations

import numpy as np

from sim.core import random_streams as streams

OUT, IN, LOCAL, WORKSHOP, POST, TRAINING, NOT_WORKING, OUTSIDE = range(8)
WEAK, OVER_AGE = 1, 2


# ---- room-limited places ----------------------------------------------------------------------
def rank_within_groups(group: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Rank of each row among the rows of its group by ascending `order` (0 = first served)."""
    rank = np.empty(len(group), np.int64)
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        rank[rows[np.argsort(order[rows], kind="stable")]] = np.arange(len(rows))
    return rank


def fill_room(group: np.ndarray, order: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Serve applicants group by group in `order` while room lasts; return who got a place.
    `free` (room left per group) is decreased in place by the places handed out."""
    accepted = rank_within_groups(group, order) < free[group]
    free -= np.bincount(group[accepted], minlength=len(free))
    return accepted


def post_priority(capacity: np.ndarray, care: np.ndarray, zero_employment: np.ndarray,
                  identified: np.ndarray) -> np.ndarray:
    """P9: weak and over-age labour, and carers who cannot go out to work, first (0); then
    members of households with nobody in work or identified by monitoring (1); then the rest."""
    return np.where((capacity != 0) | care, 0, np.where(zero_employment | identified, 1, 2))


# ---- contracts and pay ------------------------------------------------------------------------
def geometric_months(hazard: float, u: np.ndarray) -> np.ndarray:
    """A geometric wait with monthly hazard h, from uniform draws u: the first month k >= 1 with
    (1 - h)^k <= u, i.e. ceil(log u / log(1 - h)), at most 30,000 months."""
    months = np.ceil(np.log(u) / np.log1p(-hazard))
    return np.clip(months, 1, 30_000).astype(np.int64)


def _log_pay_middle(model, series: dict, year: int) -> float:
    """log of a year's average market pay over 2021's: 2021 and before grow at
    `wages.growth_per_year`, later years at the national series' growth (none: the 2021 rate)."""
    g21 = model.p.wages.growth_per_year
    levels = {int(k): float(v) for k, v in series.items()}

    def growth(y):
        if y <= 2021 or not levels:
            return g21
        if y in levels:
            return levels[y] / levels[y - 1] - 1
        last = max(levels)
        return np.mean([levels[k] / levels[k - 1] - 1 for k in (last - 2, last - 1, last)])

    if year >= 2021:
        return sum(np.log1p(growth(y)) for y in range(2022, year + 1))
    return -sum(np.log1p(growth(y)) for y in range(year + 1, 2022))


def pay_level(model, status: int, month: int) -> float:
    """The option's monthly pay level in month index `month` (0 = December 2020): the NBS 2021
    level, its log running straight between the middles of the years (a year's average is its
    mid-year level), times this population's relative pay (and out of province, from 2021, the
    scenario's pay change); workshop and post pay are local levels that do not grow."""
    w, s = model.p.wages, model.p.scenario
    year, m = (int(x) for x in model.labels[max(month, 0)].split("-"))
    series = model.p.series.pay_local if status == LOCAL else model.p.series.pay_outgoing
    here = _log_pay_middle(model, series, year)
    offset = (m - 6.5) / 12
    if offset > 0:  # towards next year's middle
        slope = _log_pay_middle(model, series, year + 1) - here
    else:  # from last year's middle
        slope = here - _log_pay_middle(model, series, year - 1)
    growth = np.exp(here + offset * slope) * w.relative_pay
    if status == OUT and month > 0:
        growth *= 1 + s.out_of_province_pay_change
    return {OUT: w.out_of_province * growth, IN: w.in_province * growth,
            LOCAL: w.local_job * growth, WORKSHOP: w.workshop, POST: w.public_welfare}[status]


def personal_pay_factor(model, rows: np.ndarray) -> np.ndarray:
    """Skill x capacity x (1 + training premium if trained) x (1 + brand premium if a member),
    from the config (a lever switched off pays no premium)."""
    w, p = model.workers, model.p
    skill = np.asarray(p.wages.skill_factors)[w.skill[rows]]
    cap = np.select([w.capacity[rows] == WEAK, w.capacity[rows] == OVER_AGE],
                    [p.wages.weak_factor, p.wages.over_age_factor], 1.0)
    training = p.policy.training.wage_premium * p.policy.training.enabled
    brand = p.policy.labour_brands.wage_premium * p.policy.labour_brands.enabled
    return skill * cap * (1 + training * w.trained[rows]) * (1 + brand * w.brand[rows])


def pay_ratio(model, rows: np.ndarray) -> np.ndarray:
    """Each worker's pay over what its job, month of hire and traits set (posts excepted): the
    log-normal draw of mean 1 (`wages.dispersion` its sigma)."""
    w = model.workers
    expected = np.array([pay_level(model, int(w.status[r]), int(w.since[r])) for r in rows])
    return w.wage[rows] / (expected * personal_pay_factor(model, rows))


# ---- households -------------------------------------------------------------------------------
def household_recount(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From the worker columns: each household's income this month (members' pay plus a twelfth
    of its non-wage income), nobody in work, and below the monitoring line (a year at this
    month's pay, plus non-wage income, per person)."""
    w, hh = model.workers, model.households
    working = w.status < TRAINING
    wages = np.bincount(w.household, weights=np.where(working, w.wage, 0.0).astype(np.float64),
                        minlength=hh.n)
    members_working = np.bincount(w.household, weights=working, minlength=hh.n)
    labour = np.bincount(w.household, weights=w.status != OUTSIDE, minlength=hh.n)
    nonwage = hh.nonwage_income.astype(np.float64)
    income = wages + nonwage / 12
    below = (12 * wages + nonwage) / hh.persons < model.p.policy.monitoring.monitoring_line
    return income, (members_working == 0) & (labour > 0), below


# ---- the choice -------------------------------------------------------------------------------
def utilities(model, rows: np.ndarray, habit: bool = True, certain: int | None = None) -> np.ndarray:
    """The systematic utility of each option (docs/MODEL.md 3.4.11) from the config and the
    workers' columns; -inf where an option is closed to the worker. Without `habit`, no pull of
    the place last held; option `certain` is offered for sure (its chance of a place is 1)."""
    w, b, p = model.workers, model.p.behaviour, model.p
    lever_on = {name: getattr(p.policy, name).enabled for name in ("training", "referral",
                                                                   "labour_brands")}
    n = len(rows)
    level = np.array([pay_level(model, s, model.t) for s in (OUT, IN, LOCAL, WORKSHOP, POST)])
    factor = personal_pay_factor(model, rows)
    # migrant job finding: demand, disruption, and the boosts of referral, training and brands
    open_share = 1 - model.disruption * p.scenario.disruption_closure_share
    demand = (1 + p.scenario.destination_demand_growth) ** (max(model.t, 0) / 12)
    boost = (1 + p.policy.referral.job_finding_boost * lever_on["referral"]
             * p.policy.referral.scale * w.referred[rows]
             + p.policy.training.job_finding_boost * lever_on["training"] * w.trained[rows]
             + p.policy.labour_brands.job_finding_boost * lever_on["labour_brands"] * w.brand[rows])
    find = np.stack([np.minimum(b.job_finding_out * demand * open_share * boost, 1),
                     np.minimum(b.job_finding_in * demand * open_share * boost, 1)], axis=1)
    chance = np.column_stack([find, model.acceptance[w.county[rows]]])
    # the place a worker holds is certain: it keeps it if it chooses it
    for k in range(5):
        chance[w.status[rows] == k, k] = 1.0
    if certain is not None:
        chance[:, certain] = 1.0
    earnings = np.column_stack([level[0] * factor, level[1] * factor, level[2] * factor,
                                level[3] * factor, np.full(n, level[4])]) * chance
    V = np.zeros((n, 6))
    with np.errstate(divide="ignore"):
        V[:, :5] = (np.array([b.asc_out_of_province, b.asc_in_province, b.asc_local_job,
                              b.asc_workshop, b.asc_public_welfare])
                    + b.income_weight * np.log(earnings))
    cut = p.policy.referral.distance_cost_cut * min(p.policy.referral.scale, 1) * lever_on["referral"]
    distance = (1 - cut * w.referred[rows]) * (1 - b.experience_discount * w.experience[rows])
    care = w.care[rows]
    strained = w.capacity[rows] != 0
    county = w.county[rows]
    pull = (b.peer_weight * (model.peer_share[county, 0] + model.peer_share[county, 1])
            + b.away_taste_sd * w.away_taste[rows].astype(np.float64)
            - b.age_away_cost * np.maximum(w.age[rows] - 35.0, 0) / 10
            - b.female_away_cost * w.female[rows])
    V[:, 0] += -b.distance_cost_out * distance - b.care_cost * care + pull
    V[:, 1] += -b.distance_cost_in * distance - b.care_cost * b.care_weight_in_province * care + pull
    V[:, 2] -= b.care_cost * b.care_weight_local * care
    V[:, :3] -= b.strain_cost * strained[:, None]
    V[:, 3] += b.relocated_workshop_bonus * model.households.relocated[w.household[rows]]
    V[:, 4] += b.weak_public_welfare_bonus * strained
    V[:, 3:5] += b.female_home_value * w.female[rows][:, None]  # a woman keeps it in the village
    hh = model.households
    home = (hh.nonwage_income[w.household[rows]].astype(np.float64)
            / hh.persons[w.household[rows]].astype(np.float64) / 12)
    V[:, 5] = (b.income_weight * np.log(home) + b.home_value_sd * w.home_taste[rows].astype(np.float64)
               + b.female_home_value * w.female[rows]
               + b.age_home_value * np.maximum(w.age[rows] - 35.0, 0) / 10)
    column = np.array([0, 1, 2, 3, 4, 5, 5])[w.last_status[rows]]
    V[np.arange(n), column] += b.habit * habit
    V[~w.can_migrate[rows], :2] = -np.inf
    # a local option with no room at all in the worker's county is closed
    ws, rooms = model.workshops, model.rooms
    room = np.stack([rooms.firm_room + rooms.startup_room,
                     np.bincount(ws.county, weights=ws.room * ws.open, minlength=len(rooms.post_quota)),
                     rooms.post_quota], axis=1)
    V[:, 2:5][room[county] <= 0] = -np.inf
    return V


def logit(V: np.ndarray) -> np.ndarray:
    e = np.exp(V - V.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def stationary(P: np.ndarray, habit: float) -> np.ndarray:
    """Long-run shares of the habit chain: pi_i proportional to P_i (1 + (e^habit - 1) P_i)."""
    S = P * (1.0 + np.expm1(habit) * P)
    return S / S.sum(axis=1, keepdims=True)


def migrant_job_finding(model, rows: np.ndarray) -> np.ndarray:
    """The chance of a migrant job this month (deciders x (out, in)), as `utilities` states it."""
    w, b, p = model.workers, model.p.behaviour, model.p
    on = {name: getattr(p.policy, name).enabled for name in ("training", "referral", "labour_brands")}
    open_share = 1 - model.disruption * p.scenario.disruption_closure_share
    demand = (1 + p.scenario.destination_demand_growth) ** (max(model.t, 0) / 12)
    boost = (1 + p.policy.referral.job_finding_boost * on["referral"] * p.policy.referral.scale
             * w.referred[rows]
             + p.policy.training.job_finding_boost * on["training"] * w.trained[rows]
             + p.policy.labour_brands.job_finding_boost * on["labour_brands"] * w.brand[rows])
    return np.stack([np.minimum(b.job_finding_out * demand * open_share * boost, 1),
                     np.minimum(b.job_finding_in * demand * open_share * boost, 1)], axis=1)


def draws(model, stream: int, rows: np.ndarray, month: int | None = None) -> np.ndarray:
    """The hashed uniform draws of `rows` in a stream (this month unless `month` is given)."""
    return streams.uniform(model.seed, stream, model.t if month is None else month, rows)
