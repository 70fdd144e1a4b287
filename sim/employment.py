"""Taking and leaving jobs: the bookkeeping of a worker's status, contract, pay and employer."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from . import streams
from .population import NO_EMPLOYER, NOT_WORKING, PUBLIC_WELFARE, TRAINING


def contract_months(hazard: np.ndarray | float, u: np.ndarray) -> np.ndarray:
    """Geometric waiting time with monthly hazard `hazard` (mean 1 / hazard), at least 1 month.
    Used for contract lengths and for the months until a worker next reconsiders."""
    hazard = np.clip(hazard, 1e-6, 1.0)
    months = np.ceil(np.log(u) / np.log1p(-hazard + 1e-12))
    return np.clip(months, 1, 30_000).astype(np.int64)


def schedule_review(model, rows: np.ndarray) -> None:
    """When each of `rows` next reconsiders: a searcher soon (search_rate), a worker with a job
    rarely (reconsider_rate). A geometric wait is the same as a monthly coin flip, but costs
    nothing in the months between."""
    if len(rows) == 0:
        return
    b, w = model.p.behaviour, model.workers
    rate = np.where(w.status[rows] <= PUBLIC_WELFARE, b.reconsider_rate, b.search_rate)
    wait = contract_months(rate, streams.uniform(model.seed, streams.SEARCH, model.t, rows))
    w.next_review[rows] = np.minimum(model.t + wait, np.iinfo(np.int16).max)


def hire(model, rows: np.ndarray, status: np.ndarray, workshop: np.ndarray | None = None,
         employer: np.ndarray | None = None) -> np.ndarray:
    """Put `rows` into jobs of `status`; returns their contract lengths in months."""
    from .decisions import COLUMN_OF_STATUS, personal_factor

    w, t, seed = model.workers, model.t, model.seed
    if len(rows) == 0:
        return np.zeros(0, np.int64)
    length = contract_months(model.separation_hazard[status],
                             streams.uniform(seed, streams.CONTRACT, t, rows))
    level = model.wage_levels[COLUMN_OF_STATUS[status]]
    spread = model.p.wages.dispersion
    draw = np.exp(spread * ndtri(streams.uniform(seed, streams.WAGE, t, rows)) - spread ** 2 / 2)
    pay = np.where(status == PUBLIC_WELFARE, level, level * personal_factor(model, rows) * draw)
    workshop = np.int32(-1) if workshop is None else workshop
    employer = np.int8(NO_EMPLOYER) if employer is None else employer
    model.ledger.move(rows, status, pay, workshop, employer)
    w.status[rows] = status
    w.last_status[rows] = status
    w.since[rows] = t
    w.contract_end[rows] = np.minimum(t + length, np.iinfo(np.int16).max)
    w.wage[rows] = pay
    w.workshop[rows] = workshop
    w.employer[rows] = employer
    schedule_review(model, rows)
    return length


def release(model, rows: np.ndarray) -> None:
    """Workers leave their jobs or courses (contract end, layoff, closure, course end): they are
    not working for now, and search from their next review month."""
    w = model.workers
    model.ledger.move(rows, np.int8(NOT_WORKING), np.float32(0.0), np.int32(-1),
                      np.int8(NO_EMPLOYER))
    w.status[rows] = NOT_WORKING
    w.since[rows] = model.t
    w.wage[rows] = 0.0
    w.workshop[rows] = -1
    w.employer[rows] = NO_EMPLOYER
    schedule_review(model, rows)


def start_training(model, rows: np.ndarray, end: np.ndarray) -> None:
    """Workers not working start a course that ends in month `end`."""
    w = model.workers
    model.ledger.move(rows, np.int8(TRAINING), np.float32(0.0), np.int32(-1),
                      np.int8(NO_EMPLOYER))
    w.status[rows] = TRAINING
    w.since[rows] = model.t
    w.training_end[rows] = end
