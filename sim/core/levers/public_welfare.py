"""Public-welfare posts (P9): a quota by county, in proportion to its weak and over-age labour;
posts go first to weak and over-age labour and to workers who care for dependants (who cannot go
out to work), then to members of households with nobody in work or identified by monitoring,
then to the rest (`post_priority`, applied where applicants are served:
`sim.core.compiled.choice`). Post pay is flat. T8 is an input: the quota is 21.43萬 posts."""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import random_streams as streams
from ..population import OUTSIDE


@njit(cache=True, inline="always")
def post_priority(capacity, care, zero_employment, identified):
    """The priority class of a post applicant (0 first): weak or over-age labour (capacity not
    full) or a carer, then a member of a household with nobody in work or identified by
    monitoring, then the rest."""
    if capacity != 0 or care:
        return 0
    return 1 if zero_employment or identified else 2


def weigh_counties(model) -> None:
    """At the build: each county's share of the quota (its weak and over-age labour at the end
    of 2020) and the draws that round its posts at the simulated scale."""
    w, c = model.workers, model.counties
    priority = np.bincount(w.county, weights=(w.capacity != 0) & (w.status != OUTSIDE),
                           minlength=c.n)
    model.post_weight = priority / max(priority.sum(), 1)
    model.post_rounding = streams.uniform(model.seed, streams.ORDER, -10_002, np.arange(c.n))


def set_post_quota(model) -> None:
    """The year's posts by county at the simulated scale (rounded at random, the same draws
    every month)."""
    quota = model.lever.post_quota * model.scale * model.post_weight
    model.rooms.post_quota[:] = streams.stochastic_round(quota, model.post_rounding)


def cost(model) -> float:
    """Post pay this month."""
    holders = float(model.ledger.by_county[:, 4].sum())
    return holders * model.wage_levels[4] * (1.0 / model.scale)
