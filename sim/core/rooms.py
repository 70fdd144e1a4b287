"""Room limits of the local options and who gets a place: local wage jobs (firms and start-ups),
workshop places, public-welfare posts.

Room is counted per county at the simulated scale (`Rooms`; workshop room per site in
`model.workshops`). The levers set its size (`levers.hiring_subsidy.set_firm_room`,
`levers.startup_loans.open_startups`, `levers.public_welfare.set_post_quota`,
`levers.workshops`); this module says how much is left, hands places out and lays off the excess
when room shrinks. Applicants are served county by county in random order (posts by priority
class first): `sim.core.compiled.allocation`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import random_streams as streams
from .compiled.allocation import accept_in_groups, rank_in_groups
from .employment import hire, release
from .population import FIRM, LOCAL_JOB, PUBLIC_WELFARE, WORKSHOP


@dataclass
class Rooms:
    """Per-county room limits of the local options (people, at the simulated scale)."""

    firm_room: np.ndarray  # int64: local wage jobs in firms and cooperatives
    startup_room: np.ndarray  # int64: jobs in firms opened with start-up loans
    post_quota: np.ndarray  # int64: public-welfare posts
    base_firm_room: np.ndarray  # float64: firm demand without the hiring subsidy, before growth


def build_rooms(model) -> Rooms:
    """Local firm demand by county: the labour force times its region's weight, scaled to
    `local_jobs.demand`. Start-up room and the post quota start empty (the levers fill them)."""
    w, c = model.workers, model.counties
    labour = np.bincount(w.county, minlength=c.n).astype(np.float64)
    demand = labour * np.asarray(model.p.local_jobs.region_weights)[c.region]
    base = demand / demand.sum() * model.p.local_jobs.demand * model.scale
    return Rooms(firm_room=np.zeros(c.n, np.int64), startup_room=np.zeros(c.n, np.int64),
                 post_quota=np.zeros(c.n, np.int64), base_firm_room=base)


def room_capacity(model) -> np.ndarray:
    """All room per county (taken or not): local jobs, open workshop places, posts."""
    ws = model.workshops
    cap = np.empty((model.counties.n, 3), np.int64)
    cap[:, 0] = model.rooms.firm_room + model.rooms.startup_room
    cap[:, 1] = np.bincount(ws.county, weights=np.where(ws.open, ws.room, 0),
                            minlength=model.counties.n)
    cap[:, 2] = model.rooms.post_quota
    return cap


def free_room(model) -> np.ndarray:
    """Room left per county: local jobs, workshop places, public-welfare posts."""
    ws, held = model.workshops, model.ledger.by_county
    ws_free = np.where(ws.open, np.maximum(ws.room - model.ledger.workshop_taken, 0), 0)
    free = np.empty((model.counties.n, 3), np.int64)
    free[:, 0] = model.rooms.firm_room + model.rooms.startup_room - held[:, LOCAL_JOB]
    free[:, 1] = np.bincount(ws.county, weights=ws_free, minlength=model.counties.n)
    free[:, 2] = model.rooms.post_quota - held[:, PUBLIC_WELFARE]
    return np.maximum(free, 0)


def update_acceptance(model, applied: np.ndarray, accepted: np.ndarray) -> None:
    """Expected chance of a place next month (Harris-Todaro): smoothed acceptance rate."""
    rate = np.where(applied > 0, accepted / np.maximum(applied, 1), 1.0)
    model.acceptance = 0.5 * model.acceptance + 0.5 * rate


def workshop_slots(workshops, occupied: np.ndarray, n_counties: int,
                   order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Free workshop places as a flat list grouped by county, and where each county's run starts.

    The k-th worker a county takes in a month gets the k-th place of its run; `order` lists the
    workshops by county and, within a county, in the month's random order (so no workshop is
    always served first).
    """
    free = np.where(workshops.open, np.maximum(workshops.room - occupied, 0), 0)
    slots = np.repeat(order, free[order]).astype(np.int32)
    per_county = np.bincount(workshops.county, weights=free, minlength=n_counties).astype(np.int64)
    start = np.r_[0, np.cumsum(per_county)[:-1]]
    return slots, start


def place_in_workshops(model, rows: np.ndarray) -> None:
    """The k-th worker a county sends to its workshops takes the k-th free place there."""
    if len(rows) == 0:
        return
    ws, w = model.workshops, model.workers
    occupied = model.ledger.workshop_taken
    slots, start = workshop_slots(ws, occupied, model.counties.n, _month_order(model))
    county = w.county[rows].astype(np.int64)
    rank = rank_in_groups(
        county, streams.uniform(model.seed, streams.ORDER, model.t + 12000, rows), model.counties.n)
    workshop = slots[start[county] + rank]
    hire(model, rows, np.full(len(rows), WORKSHOP, np.int8), workshop=workshop)


def _month_order(model) -> np.ndarray:
    """The workshops by county and, within a county, in the month's random order: drawn and
    sorted once a month (every placement of the month uses the same order)."""
    kept = getattr(model, "workshop_order", None)
    if kept is None or kept[0] != model.t or len(kept[1]) != model.workshops.n:
        ws = model.workshops
        shuffle = streams.uniform(model.seed, streams.ORDER, model.t + 11000, np.arange(ws.n))
        model.workshop_order = kept = (model.t, np.lexsort((shuffle, ws.county)))
    return kept[1]


def keep_within(group: np.ndarray, order: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Who of the holders in each group keeps a place when the group has room for `room[g]`:
    the first by `order` (a rule of `accept_in_groups`, with the room as one column)."""
    return accept_in_groups(group, order, np.asarray(room, np.int64).reshape(-1, 1).copy(), 0)


def enforce_room(model) -> np.ndarray:
    """When room shrinks below what is held (the subsidy ends, the post quota is cut), the excess
    is laid off at random within the county. Returns the workers laid off."""
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
        laid_off.append(rows[~keep_within(county, order, room)])
    if not laid_off:
        return np.zeros(0, np.int64)
    rows = np.concatenate(laid_off)
    release(model, rows)
    return rows
