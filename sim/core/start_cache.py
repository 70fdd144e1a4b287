"""Starts kept in memory: a sweep's jobs that share their end-2020 start (the same
`starting_state.start_key`) build it once per process and copy it.

A copy holds every attribute the build added to the model and the model's random generators, so a
run from a copy gives the same numbers, draw for draw, as a run from a fresh build
(tests/test_start.py). Off unless `keep(n)` was called: a single run would only pay the copy.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any


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


def remember(key: str, model, built: set[str]) -> None:
    """Copy the built start of `model` (its attributes named in `built`) if starts are kept."""
    if not _KEPT.capacity:
        return
    state = {k: v for k, v in model.__dict__.items() if k in built}
    _KEPT.put(key, Start(state=copy.deepcopy(state), rng=copy.deepcopy(model.rng.bit_generator.state),
                         random=model.random.getstate()))


def restore(model, start: Start) -> None:
    """Put a copy of a kept start on a freshly made model (one deep copy, so arrays the state
    shares, such as the ledger's view of the workers, stay shared)."""
    model.__dict__.update(copy.deepcopy(start.state))
    model.rng.bit_generator.state = copy.deepcopy(start.rng)
    model.random.setstate(start.random)
