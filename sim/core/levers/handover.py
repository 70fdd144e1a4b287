"""January 2021: the run's levers take over from those the end-2020 start was built with
(`sim.core.starting_state`). The yearly lever state already switched (`state.lever_state`); what
the build fixed is changed here: workshop room, who referral reaches, who belongs to a labour
brand. Nothing happens, and no draw is made, for a lever whose setting is unchanged."""

from __future__ import annotations

import numpy as np

from ..params import Config
from . import labour_brands, referral, workshops
from .state import lever_size


def change_levers(model, before: Config) -> np.ndarray:
    """Apply the run's `enabled` x `scale` where the start had other ones. Returns the workers
    laid off by workshops that shrank (they decide this month)."""
    old, new = before.policy, model.p.policy
    laid_off = np.zeros(0, np.int64)
    if lever_size(old.workshops) != lever_size(new.workshops):
        laid_off = workshops.resize(model, lever_size(new.workshops))
    old_reach, new_reach = referral.referral_reach(old.referral), referral.referral_reach(new.referral)
    if old_reach != new_reach:
        referral.rescale(model, old_reach, new_reach)
    old_members = labour_brands.brand_members(old.labour_brands, model.scale)
    new_members = labour_brands.brand_members(new.labour_brands, model.scale)
    if old_members != new_members:
        labour_brands.resize(model, new_members)
    return laid_off
