"""Labour brands (P11: 秦工, 秦風, 秦味, 秦遺): certified full-capacity workers of middle or high
skill join a brand; members earn a premium and find migrant jobs faster
(`LeverState.brand_premium`, `brand_boost`). The brands' support is paid per member."""

from __future__ import annotations

import numpy as np

from .. import random_streams as streams
from ..population import OUTSIDE


def brand_members(brands, scale: float) -> int:
    """Labour-brand members at a population scale."""
    return int(round(brands.members * brands.scale * scale * brands.enabled))


def brand_candidates(w) -> np.ndarray:
    """Who may join a labour brand: full-capacity workers of middle or high skill, in the labour
    force."""
    return (w.capacity == 0) & (w.skill >= 1) & (w.status != OUTSIDE)


def assign(model) -> None:
    """At the build: the members, drawn with the model's generator among those who qualify
    (after referral's draw); members hold a certificate."""
    w = model.workers
    members = brand_members(model.p.policy.labour_brands, model.scale)
    cand = np.flatnonzero(brand_candidates(w))
    chosen = model.rng.choice(cand, size=min(members, len(cand)), replace=False)
    w.brand[chosen] = True
    w.certificate[chosen] = True
    model.brand_rows = np.flatnonzero(w.brand)


def resize(model, members: int) -> None:
    """January 2021: the brands take in or let go members at random among those who qualify (the
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


def cost(model) -> float:
    """Support of the brands this month, per member."""
    per_year = model.p.policy.labour_brands.cost_per_member_per_year
    return float(len(model.brand_rows)) * (1.0 / model.scale) * model.lever.brand_support * per_year / 12.0
