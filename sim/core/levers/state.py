"""The levers' effective settings for a year, and the policy path after 2021.

Every lever can be switched off (`enabled`), scaled (`scale`) and, after 2021, continued, tapered
or withdrawn (`scenario.policy_path`). `LeverState` holds the settings of the current year as plain
floats so the monthly step never reads a config object.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import random_streams as streams
from ..params import Config

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


def lever_size(lever) -> float:
    """`enabled` x `scale`: what a lever's 2021 size is multiplied by."""
    return float(lever.enabled) * lever.scale


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


def monthly_count(model, per_year: float, n_months: int, stream: int) -> int:
    """Scale a yearly programme size to this month at the simulated scale, rounded at random."""
    x = per_year * model.scale / n_months
    u = streams.uniform(model.seed, stream, model.t + 50_000, np.zeros(1, np.int64))
    return int(streams.stochastic_round(x, u)[0])
