"""Zero-employment clearing (P12): households with nobody in work are reached at the contact
rate, and one member not in work is placed on a public-welfare post or, where posts are full, in a
workshop, while room lasts."""

from __future__ import annotations

import numpy as np

from .. import random_streams as streams
from ..compiled.allocation import accept_in_groups
from ..compiled.scans import zero_employment_members
from ..employment import hire
from ..population import PUBLIC_WELFARE
from ..rooms import free_room, place_in_workshops


def clear_zero_employment(model) -> None:
    """Reach households with nobody in work and place one member in a post or a workshop."""
    rate = model.lever.contact_rate
    if rate <= 0:
        return
    w = model.workers
    # households with nobody in work are reached at the contact rate; one member not working
    # each, the first in a random order
    rows = zero_employment_members(
        model.ledger.household_working, model.household_start, w.status, w.returning,
        streams.key(model.seed, streams.CLEARING, model.t),
        streams.key(model.seed, streams.CLEARING, model.t + 3000), rate)
    if len(rows) == 0:
        return
    free = free_room(model)
    county = w.county[rows].astype(np.int64)
    order = streams.uniform(model.seed, streams.CLEARING, model.t + 6000, rows)
    placed = accept_in_groups(county, order, free, 2)  # posts first
    post_rows = rows[placed]
    hire(model, post_rows, np.full(len(post_rows), PUBLIC_WELFARE, np.int8))
    rest = rows[~placed]
    got = accept_in_groups(county[~placed], order[~placed], free, 1)  # then workshops
    place_in_workshops(model, rest[got])
    n = len(post_rows) + int(got.sum())
    model.flow["zero_employment_placements"] += n


def cost(model) -> float:
    """Placements made this month."""
    per = model.p.policy.zero_employment.cost_per_placement
    return model.flow["zero_employment_placements"] * per * (1.0 / model.scale)
