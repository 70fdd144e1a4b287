"""Taking and leaving jobs: the bookkeeping of a worker's status, contract, pay and employer."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from . import streams
from .population import IN_PROVINCE, NO_EMPLOYER, NOT_WORKING, PUBLIC_WELFARE


def contract_months(hazard: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Geometric contract length with monthly end hazard `hazard` (mean 1 / hazard), at least 1."""
    hazard = np.clip(hazard, 1e-6, 1.0)
    return np.maximum(np.ceil(np.log(u) / np.log1p(-hazard + 1e-12)), 1).astype(np.int64)


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
    w.status[rows] = status
    w.last_status[rows] = status
    w.months_in_status[rows] = 0
    w.contract_end[rows] = np.minimum(t + length, np.iinfo(np.int16).max)
    w.wage[rows] = pay
    w.workshop[rows] = -1 if workshop is None else workshop
    w.employer[rows] = NO_EMPLOYER if employer is None else employer
    w.experience[rows] |= status <= IN_PROVINCE  # the migrant codes are 0 and 1
    return length


def release(model, rows: np.ndarray) -> None:
    """Workers leave their jobs (contract end, layoff, closure): they are not working for now."""
    w = model.workers
    w.status[rows] = NOT_WORKING
    w.months_in_status[rows] = 0
    w.wage[rows] = 0.0
    w.workshop[rows] = -1
    w.employer[rows] = NO_EMPLOYER
