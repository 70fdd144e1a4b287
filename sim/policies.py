"""The policy levers P1..P13 as mechanisms: each reads its config once a year and acts monthly.

Every lever can be switched off (`enabled`), scaled (`scale`) and, after 2021, continued, tapered
or withdrawn (`scenario.policy_path`). `LeverState` holds the effective settings for the current
year as plain floats so the monthly step never reads a config object.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernels, streams
from .config import Config
from .employment import hire, release, start_training
from .institutions import fill_room, workshop_room
from .population import (FIRM, LOCAL_JOB, OVER_AGE, PUBLIC_WELFARE, TRAINING, WORKSHOP)

BASE_YEAR = 2021


def intensity(cfg: Config, year: int) -> float:
    """How much of the 2021 effort a lever keeps in `year` under the scenario's policy path."""
    if year <= BASE_YEAR:
        return 1.0
    path = cfg.scenario.policy_path
    if path == "withdraw":
        return 0.0
    if path == "taper":
        return (1.0 - cfg.scenario.taper_per_year) ** (year - BASE_YEAR)
    return 1.0


@dataclass
class LeverState:
    """Effective lever settings for one year (0 where a lever is off)."""

    training_per_year: float
    training_premium: float
    training_boost: float
    referral_cut: float
    referral_boost: float
    referral_bases: float
    transport_per_year: float
    workshop_tax_relief: bool
    subsidy_amount: float
    post_quota: float
    entrepreneurs_per_year: float
    brand_premium: float
    brand_boost: float
    brand_support: float
    contact_rate: float
    identification_rate: float


def lever_state(cfg: Config, year: int) -> LeverState:
    p = cfg.policy
    k = intensity(cfg, year)

    def size(lever) -> float:
        return lever_size(lever) * k

    # effects of skills already acquired stay with the worker whatever the path
    trained_effects = float(p.training.enabled)
    return LeverState(
        training_per_year=p.training.trainees_per_year * size(p.training),
        training_premium=p.training.wage_premium * trained_effects,
        training_boost=p.training.job_finding_boost * trained_effects,
        referral_cut=p.referral.distance_cost_cut * min(size(p.referral), 1.0),
        referral_boost=p.referral.job_finding_boost * size(p.referral),
        referral_bases=p.referral.export_bases * size(p.referral),
        transport_per_year=p.transport.capacity_per_year * size(p.transport),
        workshop_tax_relief=bool(p.workshops.enabled and p.workshops.tax_relief and k > 0),
        subsidy_amount=p.hiring_subsidy.amount * size(p.hiring_subsidy),
        post_quota=p.public_welfare.posts * size(p.public_welfare),
        entrepreneurs_per_year=p.startup_loans.entrepreneurs * size(p.startup_loans),
        brand_premium=p.labour_brands.wage_premium * float(p.labour_brands.enabled),
        brand_boost=p.labour_brands.job_finding_boost * float(p.labour_brands.enabled),
        brand_support=float(p.labour_brands.enabled) * k,  # members already carry the scale
        contact_rate=min(p.zero_employment.contact_rate * size(p.zero_employment), 1.0),
        identification_rate=min(p.monitoring.identification_rate * size(p.monitoring), 1.0),
    )


# ---------------------------------------------------------------------------------------------
# January 2021: the run's levers take over from those the start was built with (sim.start)
# ---------------------------------------------------------------------------------------------


def change_levers(model, before: Config) -> np.ndarray:
    """Apply the run's `enabled` x `scale` where the start had other ones. The yearly lever
    state already switched (`lever_state`); what the build fixed is changed here: workshop room,
    who referral reaches, who belongs to a labour brand. Returns the workers laid off by
    workshops that shrank (they decide this month). Nothing happens, and no draw is made, for a
    lever whose setting is unchanged."""
    old, new = before.policy, model.p.policy
    laid_off = np.zeros(0, np.int64)
    if lever_size(old.workshops) != lever_size(new.workshops):
        laid_off = _resize_workshops(model, lever_size(new.workshops))
    if referral_reach(old.referral) != referral_reach(new.referral):
        _rescale_referral(model, referral_reach(old.referral), referral_reach(new.referral))
    old_members = brand_members(old.labour_brands, model.scale)
    new_members = brand_members(new.labour_brands, model.scale)
    if old_members != new_members:
        _resize_brands(model, new_members)
    return laid_off


def lever_size(lever) -> float:
    """`enabled` x `scale`: what a lever's 2021 size is multiplied by."""
    return float(lever.enabled) * lever.scale


def referral_reach(referral) -> float:
    """The share of workers referral reaches."""
    return min(referral.coverage * referral.scale, 1.0) * referral.enabled


def brand_members(brands, scale: float) -> int:
    """Labour-brand members at a population scale."""
    return int(round(brands.members * brands.scale * scale * brands.enabled))


def brand_candidates(w) -> np.ndarray:
    """Who may join a labour brand: full-capacity workers of middle or high skill."""
    return (w.capacity == 0) & (w.skill >= 1)


def _resize_workshops(model, lever: float) -> np.ndarray:
    """Each site's room follows the lever; where it shrank, the excess is laid off at random."""
    ws, w = model.workshops, model.workers
    ws.room[:] = workshop_room(ws.room_per_lever, lever, model.scale, model.seed).astype(np.int32)
    rows = np.flatnonzero(w.status == WORKSHOP)
    order = streams.uniform(model.seed, streams.LEVER_CHANGE, 0, rows)
    keep = fill_room(w.workshop[rows].astype(np.int64), order, ws.room.astype(np.int64))
    out = rows[~keep]
    release(model, out)
    return out


def _rescale_referral(model, old: float, new: float) -> None:
    """Referral reaches `new` instead of `old` of the workers: some of those it reached drop
    out, or some it did not reach join, each with the chance that gives `new` overall."""
    w = model.workers
    u = streams.uniform(model.seed, streams.LEVER_CHANGE, 1, np.arange(w.n))
    if new < old:
        w.referred &= u < new / old
    else:
        w.referred |= u < (new - old) / (1.0 - old)


def _resize_brands(model, members: int) -> None:
    """Labour brands take in or let go members at random among those who qualify (the
    certificate stays with those let go)."""
    w = model.workers
    current = np.flatnonzero(w.brand)
    if members < len(current):
        order = streams.uniform(model.seed, streams.LEVER_CHANGE, 2, current)
        w.brand[current[np.argsort(order)[:len(current) - members]]] = False
    else:
        cand = np.flatnonzero(brand_candidates(w) & ~w.brand)
        order = streams.uniform(model.seed, streams.LEVER_CHANGE, 3, cand)
        chosen = cand[np.argsort(order)[:members - len(current)]]
        w.brand[chosen] = True
        w.certificate[chosen] = True
    model.brand_rows = np.flatnonzero(w.brand)


def monthly_count(model, per_year: float, n_months: int, stream: int) -> int:
    """Scale a yearly programme size to this month at the simulated scale, rounded at random."""
    x = per_year * model.scale / n_months
    u = streams.uniform(model.seed, stream, model.t + 50_000, np.zeros(1, np.int64))
    return int(streams.stochastic_round(x, u)[0])


# ---------------------------------------------------------------------------------------------
# training (P1, P10)
# ---------------------------------------------------------------------------------------------


def finish_training(model) -> np.ndarray:
    """Trainees whose course ends this month: skilled, referred, certified; they now decide."""
    w = model.workers
    if model.ledger.by_county[:, TRAINING].sum() == 0:  # nobody in a course: no scan
        return np.zeros(0, np.int64)
    rows = kernels.courses_ending(w.status, w.training_end, model.t, TRAINING)
    w.trained[rows] = True
    w.referred[rows] = True  # the training school refers its graduates (P1)
    u = streams.uniform(model.seed, streams.TRAINING, model.t, rows)
    w.certificate[rows] |= u < model.p.policy.training.certificate_share
    release(model, rows)
    model.trained_rows = np.concatenate((model.trained_rows, rows))
    return rows


def enrol_training(model) -> np.ndarray:
    """Fill this month's course places from workers not in work, monitored households first."""
    cfg = model.p.policy.training
    if (model.burning_in or model.month_of_year not in cfg.months
            or model.lever.training_per_year <= 0):
        return np.zeros(0, np.int64)
    places = monthly_count(model, model.lever.training_per_year, len(cfg.months), streams.TRAINING)
    w = model.workers
    # the county's survey (摸底排查) finds those out of work for a while, not those between jobs
    cand = kernels.training_candidates(w.status, w.capacity, w.trained, w.returning, w.since,
                                       model.t, cfg.min_months_not_working, OVER_AGE)
    if places <= 0 or len(cand) == 0:
        return np.zeros(0, np.int64)
    # uniform + skill - 3 x (household identified by monitoring), in one compiled pass
    key = kernels.training_keys(cand, w.skill, w.household, model.households.identified,
                                streams.key(model.seed, streams.TRAINING, model.t))
    if places < len(cand):
        rows = cand[np.argpartition(key, places - 1)[:places]]
    else:
        rows = cand
    span = cfg.max_duration - cfg.min_duration + 1
    u = streams.uniform(model.seed, streams.TRAINING, model.t + 5000, rows)
    start_training(model, rows, model.t + cfg.min_duration + (u * span).astype(np.int64))
    model.flow["trainees"] += len(rows)
    return rows


# ---------------------------------------------------------------------------------------------
# transport (P3): carries workers whose departure a disruption blocks
# ---------------------------------------------------------------------------------------------


def transport_capacity(model) -> int:
    """Seats left this month: the year's capacity, used as disruptions block departures."""
    if model.disruption <= 0 or model.lever.transport_per_year <= 0:
        return 0
    seats = monthly_count(model, model.lever.transport_per_year, 1, streams.TRANSPORT)
    return max(seats - model.transported_this_year, 0)


# ---------------------------------------------------------------------------------------------
# local demand: hiring subsidy (P8) and start-up loans (P7)
# ---------------------------------------------------------------------------------------------


def subsidy_active(model) -> bool:
    h = model.p.policy.hiring_subsidy
    return model.lever.subsidy_amount > 0 and h.start <= model.label <= h.end


def set_firm_room(model) -> None:
    """Local firms hire more while the hiring subsidy lowers the cost of a 6-month hire."""
    h = model.p.policy.hiring_subsidy
    rooms = model.rooms
    factor = 1.0
    if subsidy_active(model):
        cost_cut = (model.lever.subsidy_amount * h.small_firm_share * h.take_up
                    / (h.min_contract_months * model.wage_levels[2]))
        factor += h.demand_elasticity * cost_cut
    growth = (1.0 + model.p.local_jobs.demand_growth_per_year) ** model.years_since_start
    rooms.firm_room[:] = np.round(rooms.base_firm_room * factor * growth).astype(np.int64)


def count_subsidised_hires(model, rows: np.ndarray, length: np.ndarray) -> None:
    if not subsidy_active(model) or len(rows) == 0:
        return
    h = model.p.policy.hiring_subsidy
    u = streams.uniform(model.seed, streams.SUBSIDY, model.t, rows)
    n = int(np.sum((length >= h.min_contract_months) & (u < h.small_firm_share * h.take_up)))
    model.flow["subsidised_hires"] += n


def open_startups(model) -> None:
    """Loans this month open firms in counties drawn by labour force; each adds local jobs."""
    cfg = model.p.policy.startup_loans
    if (model.burning_in or model.month_of_year not in cfg.months
            or model.lever.entrepreneurs_per_year <= 0):
        return
    firms = monthly_count(model, model.lever.entrepreneurs_per_year, len(cfg.months),
                          streams.STARTUPS)
    model.flow["entrepreneurs"] += firms
    model.loans_by_month[model.t] = firms * cfg.loans_yuan / max(cfg.entrepreneurs, 1)
    if firms <= 0:
        return
    ids = np.arange(firms)
    u = streams.uniform(model.seed, streams.ORDER, model.t + 7000, ids)
    county = np.searchsorted(np.cumsum(model.counties.weight), u * model.counties.weight.sum())
    county = np.minimum(county, model.counties.n - 1)
    jobs = streams.stochastic_round(np.full(firms, cfg.jobs_per_entrepreneur),
                                    streams.uniform(model.seed, streams.ORDER, model.t + 8000, ids))
    np.add.at(model.rooms.startup_room, county, jobs)


# ---------------------------------------------------------------------------------------------
# workshops (P4, P6): closures, reopening, growth of paired workshops
# ---------------------------------------------------------------------------------------------


def workshop_turnover(model) -> np.ndarray:
    """Some workshops close (less often with tax relief) and lay off their workers; some closed
    sites reopen with a new firm. Returns the workers laid off."""
    cfg = model.p.policy.workshops
    ws = model.workshops
    ids = np.arange(ws.n)
    u = streams.uniform(model.seed, streams.CLOSURE, model.t, ids)
    hazard = cfg.closure_hazard * ((1 - cfg.tax_relief_closure_cut) if model.lever.workshop_tax_relief
                                   else 1.0)
    closing = ws.open & (u < hazard)
    reopening = ~ws.open & (u > 1.0 - cfg.reopen_rate)
    ws.open[closing] = False
    ws.open[reopening] = True
    if model.month_of_year == 1 and model.year > BASE_YEAR:
        growth = 1.0 + model.p.scenario.paired_workshop_growth
        ws.room[ws.paired] = np.round(ws.room[ws.paired] * growth).astype(np.int32)
    if not closing.any():
        return np.zeros(0, np.int64)
    w = model.workers
    rows = kernels.in_workshops(w.status, w.workshop, closing, WORKSHOP)
    release(model, rows)
    return rows


# ---------------------------------------------------------------------------------------------
# room enforcement: when room shrinks (subsidy ends, quota cut), the excess is laid off
# ---------------------------------------------------------------------------------------------


def enforce_room(model) -> np.ndarray:
    w = model.workers
    laid_off = []
    ledger = model.ledger
    firm_held = ledger.by_county[:, LOCAL_JOB] - ledger.startup_jobs
    for status, employer, room, held in (
            (LOCAL_JOB, FIRM, model.rooms.firm_room, firm_held),
            (PUBLIC_WELFARE, None, model.rooms.post_quota, ledger.by_county[:, PUBLIC_WELFARE])):
        if np.all(held <= room):
            continue
        mask = w.status == status
        if employer is not None:
            mask &= w.employer == employer
        rows = np.flatnonzero(mask)
        county = w.county[rows].astype(np.int64)
        order = streams.uniform(model.seed, streams.LAYOFF, model.t, rows)
        keep = fill_room(county, order, room.astype(np.int64).copy())
        laid_off.append(rows[~keep])
    if not laid_off:
        return np.zeros(0, np.int64)
    rows = np.concatenate(laid_off)
    release(model, rows)
    return rows


# ---------------------------------------------------------------------------------------------
# zero-employment clearing (P12) and dynamic monitoring (P2)
# ---------------------------------------------------------------------------------------------


def clear_zero_employment(model) -> None:
    """Reach households with nobody in work and place one member in a post or a workshop."""
    rate = model.lever.contact_rate
    if rate <= 0:
        return
    w = model.workers
    # households with nobody in work are reached at the contact rate; one member not working
    # each, the first in a random order
    rows = kernels.zero_employment_members(
        model.ledger.household_working, model.household_start, w.status, w.returning,
        streams.key(model.seed, streams.CLEARING, model.t),
        streams.key(model.seed, streams.CLEARING, model.t + 3000), rate)
    if len(rows) == 0:
        return
    free = model.free_room()
    county = w.county[rows].astype(np.int64)
    order = streams.uniform(model.seed, streams.CLEARING, model.t + 6000, rows)
    # fill_room's rule, compiled (only counties with more households than room are looked at)
    placed = kernels.accept_in_groups(county, order, free, 2)
    post_rows = rows[placed]
    hire(model, post_rows, np.full(len(post_rows), PUBLIC_WELFARE, np.int8))
    rest = rows[~placed]
    got = kernels.accept_in_groups(county[~placed], order[~placed], free, 1)
    model.place_in_workshops(rest[got])
    n = len(post_rows) + int(got.sum())
    model.flow["zero_employment_placements"] += n


def identify_at_risk(model) -> None:
    """Monitoring finds at-risk households: monitored (三類人員), nobody in work, below the line."""
    rate = model.lever.identification_rate
    hh = model.households
    if rate <= 0:
        hh.identified[:] = False  # without monitoring nobody is on the list
        return
    at_risk = hh.monitored | model.zero_employment | model.below_line
    hh.identified &= at_risk  # households that recovered leave the list
    ids = np.flatnonzero(at_risk & ~hh.identified)
    hh.identified[ids[streams.uniform(model.seed, streams.MONITORING, model.t, ids) < rate]] = True
