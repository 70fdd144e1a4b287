"""Counties and workshops: the small, many institutions whose room limits shape local work.

They are `mesa.Agent`s (107 counties, about 3000 workshops and bases), but their numbers live in
arrays indexed by the agent's id so that a month's hiring, quotas and closures are grouped array
operations; an agent object is a named view on its row.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from . import streams
from .config import WorkshopsConfig
from .population import REGIONS, Counties


class County(mesa.Agent):
    """A county: region, key-county flag, local job demand, post quota (views on model arrays)."""

    def __init__(self, model: mesa.Model, idx: int) -> None:
        super().__init__(model)
        self.idx = idx

    @property
    def region(self) -> str:
        return REGIONS[self.model.counties.region[self.idx]]

    @property
    def key(self) -> bool:
        return bool(self.model.counties.key[self.idx])

    @property
    def local_job_demand(self) -> int:
        return int(self.model.rooms.firm_room[self.idx] + self.model.rooms.startup_room[self.idx])

    @property
    def public_welfare_quota(self) -> int:
        return int(self.model.rooms.post_quota[self.idx])


class Workshop(mesa.Agent):
    """An assistance workshop (幫扶車間) or employment-assistance base."""

    def __init__(self, model: mesa.Model, idx: int) -> None:
        super().__init__(model)
        self.idx = idx

    @property
    def county(self) -> int:
        return int(self.model.workshops.county[self.idx])

    @property
    def capacity(self) -> int:
        return int(self.model.workshops.room[self.idx])

    @property
    def paired(self) -> bool:
        return bool(self.model.workshops.paired[self.idx])

    @property
    def is_open(self) -> bool:
        return bool(self.model.workshops.open[self.idx])


@dataclass
class WorkshopTable:
    county: np.ndarray  # int16
    paired: np.ndarray  # bool: built through Jiangsu-Shaanxi pairing
    room: np.ndarray  # int32: jobs open to modelled (poverty-alleviated) workers
    other_jobs: np.ndarray  # float64: jobs held by rural workers outside the model (expected)
    open: np.ndarray  # bool
    room_per_lever: np.ndarray  # float64: expected room at lever 1, before the population scale

    @property
    def n(self) -> int:
        return len(self.county)


def workshop_room(per_lever: np.ndarray, lever: float, scale: float, seed: int) -> np.ndarray:
    """Room of each site for a lever (`enabled` x `scale`) at a population scale, rounded at
    random with each site's own draw (the same draws whenever the lever changes)."""
    room = per_lever * lever * scale
    ids = np.arange(len(per_lever))
    return streams.stochastic_round(room, streams.uniform(seed, streams.ORDER, -10_001, ids))


def build_workshops(cfg: WorkshopsConfig, counties: Counties, scale: float, lever: float,
                    seed: int, rng: np.random.Generator) -> WorkshopTable:
    """Place workshops in counties by labour force (more in formerly poor counties).

    Room for modelled workers: T7 / paired in a paired workshop, the rest of T6 spread over the
    others. At a reduced population scale each room is scaled and rounded at random so that the
    expected total room is kept.
    """
    n = cfg.workshops + cfg.bases
    weight = counties.weight * np.where(counties.formerly_poor, 1.0, 0.3)
    county = rng.choice(counties.n, size=n, p=weight / weight.sum()).astype(np.int16)
    paired = np.zeros(n, bool)
    paired[rng.choice(cfg.workshops, size=cfg.paired, replace=False)] = True
    # workshops differ in size (a gamma spread), normalised so each kind's total is the article's
    size = rng.gamma(2.0, 0.5, n)
    total = np.where(paired, cfg.paired_room, cfg.other_room)
    size_sum = np.where(paired, size[paired].sum(), size[~paired].sum())
    # the article counts workers in open workshops; some sites stand closed at any time, so the
    # room is sized for the expected open share (closure hazard h, reopening r: h / (h + r))
    hazard = cfg.closure_hazard * ((1 - cfg.tax_relief_closure_cut) if cfg.tax_relief else 1.0)
    open_share = 1.0 - hazard / max(hazard + cfg.reopen_rate, 1e-12)
    per_lever = total * size / size_sum / open_share
    room = workshop_room(per_lever, lever, scale, seed)
    others = (cfg.rural_jobs - cfg.paired_room - cfg.other_room) / n * size * scale
    return WorkshopTable(
        county=county,
        paired=paired,
        room=room.astype(np.int32),
        other_jobs=others,
        open=np.ones(n, bool),
        room_per_lever=per_lever,
    )


@dataclass
class Rooms:
    """Per-county room limits of the local options (people, at the simulated scale)."""

    firm_room: np.ndarray  # int64: local wage jobs in firms and cooperatives
    startup_room: np.ndarray  # int64: jobs in firms opened with start-up loans
    post_quota: np.ndarray  # int64: public-welfare posts
    base_firm_room: np.ndarray  # float64: firm demand without the hiring subsidy


def rank_within_groups(group: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Rank of each row among the rows of its group, by ascending `order` (0 = first served).

    `order` is a priority class plus a uniform draw (non-negative, below `span`), so one sort of
    group * span + order ranks by group, then order: five times faster than a two-key lexsort.
    """
    n = len(group)
    if n == 0:
        return np.zeros(0, np.int64)
    span = float(np.max(order)) + 1.0
    idx = np.argsort(group * span + order)
    g = group[idx]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    rank = np.empty(n, np.int64)
    rank[idx] = np.arange(n) - run_start
    return rank


def fill_room(group: np.ndarray, order: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Serve applicants group by group in `order` while room lasts; return who got a place.

    `free` (room left per group) is decreased in place by the places handed out.
    """
    rank = rank_within_groups(group, order)
    accepted = rank < free[group]
    free -= np.bincount(group[accepted], minlength=len(free))
    return accepted


def workshop_slots(workshops: WorkshopTable, occupied: np.ndarray, n_counties: int,
                   shuffle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Free workshop places as a flat list grouped by county, and where each county's run starts.

    The k-th worker a county takes in a month gets the k-th place of its run; `shuffle` orders the
    workshops within a county (so no workshop is always served first).
    """
    free = np.where(workshops.open, np.maximum(workshops.room - occupied, 0), 0)
    order = np.lexsort((shuffle, workshops.county))
    slots = np.repeat(order, free[order]).astype(np.int32)
    per_county = np.bincount(workshops.county, weights=free, minlength=n_counties).astype(np.int64)
    start = np.r_[0, np.cumsum(per_county)[:-1]]
    return slots, start
