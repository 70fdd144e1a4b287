"""Counties and workshops: the small, many institutions whose room limits shape local work.

They are `mesa.Agent`s (107 counties, about 3000 workshops and bases), but their numbers live in
arrays indexed by the agent's id so that a month's hiring, quotas and closures are grouped array
operations; an agent object is a named view on its row.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from . import random_streams as streams
from .params import WorkshopsConfig, open_share
from .population import REGIONS, Counties


class County(mesa.Agent):
    """A county: region and key-county flag (views on the model's county arrays; its room limits
    are rows of `model.rooms`)."""

    def __init__(self, model: mesa.Model, idx: int) -> None:
        super().__init__(model)
        self.idx = idx

    @property
    def region(self) -> str:
        return REGIONS[self.model.counties.region[self.idx]]

    @property
    def key(self) -> bool:
        return bool(self.model.counties.key[self.idx])


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
    # room is sized for the expected open share
    per_lever = total * size / size_sum / open_share(cfg)
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
