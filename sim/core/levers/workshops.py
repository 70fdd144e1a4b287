"""Assistance workshops and employment-assistance bases (P6) and Jiangsu-Shaanxi paired workshops
(P4): sites with room for modelled workers (`sim.core.institutions`); each month some close
(less often with the tax relief) and lay off their workers, and closed sites reopen with a new
firm; after 2021 paired room may grow (eastern industry moving west). T6 and T7 are inputs: the
room is sized so that open room holds 3.46萬 and 1.9萬."""

from __future__ import annotations

import numpy as np

from .. import random_streams as streams
from ..compiled.scans import in_workshops
from ..employment import release
from ..institutions import workshop_room
from ..population import WORKSHOP
from ..rooms import keep_within
from .state import BASE_YEAR


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
    rows = in_workshops(w.status, w.workshop, closing, WORKSHOP)
    release(model, rows)
    return rows


def resize(model, lever: float) -> np.ndarray:
    """January 2021: each site's room follows the lever (`enabled` x `scale`); where it shrank,
    the excess is laid off at random. Returns the workers laid off."""
    ws, w = model.workshops, model.workers
    ws.room[:] = workshop_room(ws.room_per_lever, lever, model.scale, model.seed).astype(np.int32)
    model.workshop_lever = lever
    rows = np.flatnonzero(w.status == WORKSHOP)
    order = streams.uniform(model.seed, streams.LEVER_CHANGE, 0, rows)
    out = rows[~keep_within(w.workshop[rows].astype(np.int64), order, ws.room)]
    release(model, out)
    return out


def cost(model) -> float:
    """Tax relief this month, per open site of the 2021 size: a site's relief follows its room,
    so it scales with the lever (`enabled` x `scale`; none when the places are gone)."""
    if not model.lever.workshop_tax_relief:
        return 0.0
    relief = model.p.policy.workshops.tax_relief_per_workshop_month
    return float(model.workshops.open.sum()) * relief * model.workshop_lever
