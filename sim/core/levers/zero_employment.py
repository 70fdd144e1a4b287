"""Zero-employment clearing (P12): households with nobody in work are reached at the contact
rate, and one member not in work is offered a public-welfare post or, where posts are full, a
workshop place, while room lasts. An offer is a sure place, and the member takes it if it beats
staying home by the decision rule (the logit of the offer against not working): nobody is placed
in a job she would rather leave."""

from __future__ import annotations

import numpy as np

from .. import random_streams as streams
from ..compiled.allocation import accept_in_groups
from ..compiled.scans import zero_employment_members
from ..employment import hire
from ..decisions import evaluate
from ..population import COLUMN_OF_STATUS, NOT_WORKING, PUBLIC_WELFARE, WORKSHOP
from ..rooms import free_room, place_in_workshops

POST_COLUMN, WORKSHOP_COLUMN = COLUMN_OF_STATUS[PUBLIC_WELFARE], COLUMN_OF_STATUS[WORKSHOP]
HOME_COLUMN = COLUMN_OF_STATUS[NOT_WORKING]


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
    free = free_room(model)
    # only members in counties with a post or a workshop place left can be offered one: the
    # others are dropped before their draws (each row's draws are its own, so whom the rest are
    # offered is unchanged)
    rows = rows[(free[:, 1] + free[:, 2] > 0)[w.county[rows]]]
    if len(rows) == 0:
        return
    county = w.county[rows].astype(np.int64)
    order = streams.uniform(model.seed, streams.CLEARING, model.t + 6000, rows)
    accept = streams.uniform(model.seed, streams.CLEARING, model.t + 9000, rows)
    offered = accept_in_groups(county, order, free, 2)  # posts first
    post_rows = rows[offered][accept[offered] < take_up(model, rows[offered], POST_COLUMN)]
    hire(model, post_rows, np.full(len(post_rows), PUBLIC_WELFARE, np.int8))
    rest = ~offered
    got = accept_in_groups(county[rest], order[rest], free, 1)  # then workshop places
    offered_ws = rows[rest][got]
    taken = offered_ws[accept[rest][got] < take_up(model, offered_ws, WORKSHOP_COLUMN)]
    place_in_workshops(model, taken)
    model.flow["zero_employment_placements"] += len(post_rows) + len(taken)


def take_up(model, rows: np.ndarray, column: int) -> np.ndarray:
    """The chance each member takes a sure place in option `column` rather than stay home: the
    logit of the two, the place's chance set to 1 (the decision kernel, option `column` certain)."""
    if len(rows) == 0:
        return np.zeros(0)
    P, _ = evaluate(model, rows, certain=column)
    return P[:, column] / (P[:, column] + P[:, HOME_COLUMN])


def cost(model) -> float:
    """Placements made this month."""
    per = model.p.policy.zero_employment.cost_per_placement
    return model.flow["zero_employment_placements"] * per * (1.0 / model.scale)
