"""Guaranteed start-up loans (P7): loans open firms in counties drawn by labour force; each adds
local jobs (start-up room), which local hires fill before firm room. The interest subsidy is paid
on the loans outstanding. T10 is an input: 1,206 entrepreneurs x 42.6 jobs = 5.14萬."""

from __future__ import annotations

import numpy as np

from .. import random_streams as streams
from ..compiled.allocation import rank_in_groups
from ..population import FIRM, STARTUP
from .state import monthly_count


def open_startups(model) -> None:
    """Loans this month open firms in counties drawn by labour force; each adds local jobs.

    Firms are drawn as many as at full scale, each with its jobs times the scale (rounded at
    random): a reduced run spreads start-up room over the counties as the full one does. Drawn
    as scaled firms of 42.6 jobs each, a run of 25,000 agents put all of a year's room into about
    eleven counties, where local hires could not fill it (start-up jobs 30% short, T4 4.5% low
    against full scale; docs/MODEL.md 3.4.3). At full scale the two are the same draws."""
    cfg = model.p.policy.startup_loans
    if (model.burning_in or model.month_of_year not in cfg.months
            or model.lever.entrepreneurs_per_year <= 0):
        return
    firms = monthly_count(model, model.lever.entrepreneurs_per_year / model.scale,
                          len(cfg.months), streams.STARTUPS)
    model.flow["entrepreneurs"] += firms * model.scale
    model.loans_by_month[model.t] = firms * model.scale * cfg.loans_yuan / max(cfg.entrepreneurs, 1)
    if firms <= 0:
        return
    ids = np.arange(firms)
    u = streams.uniform(model.seed, streams.ORDER, model.t + 7000, ids)
    county = np.searchsorted(np.cumsum(model.counties.weight), u * model.counties.weight.sum())
    county = np.minimum(county, model.counties.n - 1)
    jobs = streams.stochastic_round(np.full(firms, cfg.jobs_per_entrepreneur * model.scale),
                                    streams.uniform(model.seed, streams.ORDER, model.t + 8000, ids))
    np.add.at(model.rooms.startup_room, county, jobs)


def employers(model, local: np.ndarray) -> np.ndarray:
    """The employer of each local hire: start-up firms' free jobs in the county go first (to the
    hires in a random order), the rest are hired by firms."""
    county = model.workers.county[local].astype(np.int64)
    rank = rank_in_groups(
        county, streams.uniform(model.seed, streams.ORDER, model.t + 9000, local), model.counties.n)
    startup_free = model.rooms.startup_room - model.ledger.startup_jobs
    return np.where(rank < startup_free[county], STARTUP, FIRM).astype(np.int8)


def loans_outstanding(model) -> float:
    """Start-up loans not yet repaid (each runs `term_months`)."""
    term = model.p.policy.startup_loans.term_months
    return float(sum(v for m, v in model.loans_by_month.items() if model.t - m < term))


def cost(model) -> float:
    """Interest subsidy on the loans outstanding, this month."""
    rate = model.p.policy.startup_loans.interest_subsidy_rate
    return loans_outstanding(model) * (1.0 / model.scale) * rate / 12.0
