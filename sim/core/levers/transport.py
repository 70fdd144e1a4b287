"""Point-to-point transport (P3): in an epidemic disruption, chartered buses and trains carry
migrants whose departure is blocked, up to the year's seats (T12 is an input: 3.5萬 seats)."""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import random_streams as streams
from ..population import NOT_WORKING
from ..random_streams import draw
from .state import monthly_count


def transport_capacity(model) -> int:
    """Seats left this month: the year's capacity, used as disruptions block departures."""
    if model.disruption <= 0 or model.lever.transport_per_year <= 0:
        return 0
    seats = monthly_count(model, model.lever.transport_per_year, 1, streams.TRANSPORT)
    return max(seats - model.transported_this_year, 0)


@njit(cache=True)
def travel_in_disruption(col, sel, m, rows, prev, found, worker, keys, disruption, seats):
    """A disrupted month for the deciders sel[:m] going to migrant option `col` (`found`: a job
    found there). Each who must travel (not already at such a destination) is blocked with chance
    equal to the disruption's strength; the blocked take the seats left (seats[0]) in random
    order, counted in seats[1]; who stays blocked does not go (found[j] = False) and, if not in
    work, waits at home to try again next month. keys = hash keys of (choice, job finding,
    travel, transport, order)."""
    status, returning = worker[0], worker[4]
    blocked = np.zeros(m, np.bool_)
    n_stuck = 0
    for j in range(m):
        r = rows[sel[j]]
        if found[j] and prev[sel[j]] != col and draw(keys[2], r, 0, 0) < disruption:
            blocked[j] = True
            n_stuck += 1
    stuck = np.flatnonzero(blocked)
    order = np.empty(n_stuck)
    for k in range(n_stuck):
        order[k] = draw(keys[3], rows[sel[stuck[k]]], 0, 0)
    carried = stuck[np.argsort(order)][:max(seats[0], 0)]
    seats[0] -= carried.shape[0]
    seats[1] += carried.shape[0]
    for k in range(carried.shape[0]):
        blocked[carried[k]] = False
    for j in range(m):
        r = rows[sel[j]]
        if blocked[j]:
            found[j] = False
            if status[r] == NOT_WORKING:
                returning[r] = True  # stuck at home, it tries again next month


def cost(model) -> float:
    """Seats used this month."""
    return model.flow["transported"] * model.p.policy.transport.cost_per_worker * (1.0 / model.scale)
