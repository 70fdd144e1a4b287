"""The hiring subsidy (P8): 2,000 yuan per hire of a key target on a contract of six months or
more, to small and micro firms, until the 2022 Spring Festival. It lowers the cost of a hire, so
local firms hire more (`set_firm_room`: demand rises with the cut times the demand elasticity);
the subsidy is paid for the eligible hires firms claim (`count_subsidised_hires`)."""

from __future__ import annotations

import numpy as np

from .. import random_streams as streams


def subsidy_active(model) -> bool:
    h = model.p.policy.hiring_subsidy
    return model.lever.subsidy_amount > 0 and h.start <= model.label <= h.end


def set_firm_room(model) -> None:
    """Local firms' room this month: the base demand grown since the start (local demand
    growth, sim.core.growth), raised while the subsidy lowers the cost of a six-month hire."""
    h = model.p.policy.hiring_subsidy
    rooms = model.rooms
    factor = 1.0
    if subsidy_active(model):
        cost_cut = (model.lever.subsidy_amount * h.small_firm_share * h.take_up
                    / (h.min_contract_months * model.wage_levels[2]))
        factor += h.demand_elasticity * cost_cut
    rooms.firm_room[:] = np.round(rooms.base_firm_room * factor * model.local_demand).astype(np.int64)


def count_subsidised_hires(model, rows: np.ndarray, length: np.ndarray) -> None:
    """Firm hires this month on contracts long enough that a small firm claims the subsidy."""
    if not subsidy_active(model) or len(rows) == 0:
        return
    h = model.p.policy.hiring_subsidy
    u = streams.uniform(model.seed, streams.SUBSIDY, model.t, rows)
    n = int(np.sum((length >= h.min_contract_months) & (u < h.small_firm_share * h.take_up)))
    model.flow["subsidised_hires"] += n


def cost(model) -> float:
    """Subsidies paid for this month's claimed hires."""
    return model.flow["subsidised_hires"] * model.lever.subsidy_amount * (1.0 / model.scale)
