"""The end-2020 starting state, shared by runs that differ only in their 2021 levers.

Each lever's `enabled` and `scale` are the 2021 policy. With `scenario.start_levers=shipped` (the
default) the start is built with every lever as it stood at the end of 2020 (enabled, scale 1) and
the run's settings act from January 2021 (`policies.change_levers`): a counterfactual reads "had
2021 been run with this policy". The start then depends on the rest of the config only
(`start_key`), so a sweep over levers builds it once per seed in each process and copies it for
every job. With `as_run` the levers shape the start too ("had the lever never been there"), and
runs that differ in a lever build their own start.

A copied start gives the same numbers as a built one, draw for draw (tests/test_start.py): the
state holds every array and counter the build leaves behind, and the model's own random
generators are saved with it.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from .config import LEVERS, START_LEVERS, Config, config_hash

SHIPPED, AS_RUN = START_LEVERS

# Read while the start is built but acting only from January 2021 (t >= 1): disruption is zero
# before the start, the end month and the policy path only lengthen or shape the calendar after
# it; replicates are separate seeds (the seed is in the key).
_NOT_IN_START = ("scenario.end", "scenario.policy_path", "scenario.taper_per_year",
                 "scenario.disruption", "scenario.disruption_scale",
                 "scenario.disruption_closure_share", "scenario.start_levers", "replicates")


def start_config(cfg: Config) -> Config:
    """The config the start is built with: the run's, with the levers as they stood at the end
    of 2020 unless `scenario.start_levers` is `as_run`."""
    if cfg.scenario.start_levers == AS_RUN:
        return cfg
    shipped = {name: replace(getattr(cfg.policy, name), enabled=True, scale=1.0) for name in LEVERS}
    return replace(cfg, policy=replace(cfg.policy, **shipped))


def start_key(cfg: Config) -> str:
    """A fingerprint of everything that shapes the start (runs with the same key share it)."""
    return config_hash(start_config(cfg), leave_out=_NOT_IN_START)


@dataclass
class Start:
    """What the build leaves on the model, and the model's random generators after it."""

    state: dict[str, Any]
    rng: dict
    random: tuple


class _Kept:
    """The last few starts built in this process (least recently used dropped first). Off
    unless `keep(n)` was called: a single run would only pay the copy and double its memory."""

    def __init__(self) -> None:
        self.capacity = 0
        self.starts: OrderedDict[str, Start] = OrderedDict()

    def get(self, key: str) -> Start | None:
        start = self.starts.get(key)
        if start is not None:
            self.starts.move_to_end(key)
        return start

    def put(self, key: str, start: Start) -> None:
        self.starts[key] = start
        self.starts.move_to_end(key)
        while len(self.starts) > self.capacity:
            self.starts.popitem(last=False)


_KEPT = _Kept()


def keep(n: int) -> None:
    """Keep the last `n` starts built in this process (a sweep: n = seeds per job); 0 stops."""
    _KEPT.capacity = max(int(n), 0)
    while len(_KEPT.starts) > _KEPT.capacity:
        _KEPT.starts.popitem(last=False)


def kept(key: str) -> Start | None:
    return _KEPT.get(key) if _KEPT.capacity else None


def remember(key: str, model, skip: set[str]) -> None:
    """Copy the built start of `model` (attributes not in `skip`) if starts are kept."""
    if not _KEPT.capacity:
        return
    state = {k: v for k, v in model.__dict__.items() if k not in skip}
    _KEPT.put(key, Start(state=copy.deepcopy(state), rng=copy.deepcopy(model.rng.bit_generator.state),
                         random=model.random.getstate()))


def restore(model, start: Start) -> None:
    """Put a copy of a kept start on a freshly made model (one deep copy, so arrays the state
    shares, such as the ledger's view of the workers, stay shared)."""
    model.__dict__.update(copy.deepcopy(start.state))
    model.rng.bit_generator.state = copy.deepcopy(start.rng)
    model.random.setstate(start.random)
