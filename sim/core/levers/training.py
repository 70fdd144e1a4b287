"""Training (P1, P10): courses for workers out of work a while, monitored households first; a
graduate is trained (a wage premium and better job-finding, `LeverState.training_*`), referred
by the school and often certified, and decides where to work the month the course ends."""

from __future__ import annotations

import numpy as np

from .. import random_streams as streams
from ..compiled.scans import courses_ending, training_candidates, training_keys
from ..employment import release, start_training
from ..population import OVER_AGE, TRAINING
from .state import monthly_count


def finish_training(model) -> np.ndarray:
    """Trainees whose course ends this month: skilled, referred, certified; they now decide."""
    w = model.workers
    if model.ledger.by_county[:, TRAINING].sum() == 0:  # nobody in a course: no scan
        return np.zeros(0, np.int64)
    rows = courses_ending(w.status, w.training_end, model.t, TRAINING)
    w.trained[rows] = True
    w.referred[rows] = True  # the training school refers its graduates (P1)
    u = streams.uniform(model.seed, streams.TRAINING, model.t, rows)
    w.certificate[rows] |= u < model.p.policy.training.certificate_share
    release(model, rows)
    model.trained_rows = np.concatenate((model.trained_rows, rows))
    return rows


def enrol_training(model) -> np.ndarray:
    """Fill this month's course places from workers not in work, monitored households first."""
    cfg = model.p.policy.training
    if (model.burning_in or model.month_of_year not in cfg.months
            or model.lever.training_per_year <= 0):
        return np.zeros(0, np.int64)
    places = monthly_count(model, model.lever.training_per_year, len(cfg.months), streams.TRAINING)
    w = model.workers
    # the county's survey (摸底排查) finds those out of work for a while, not those between jobs
    cand = training_candidates(w.status, w.capacity, w.trained, w.returning, w.since, model.t,
                               cfg.min_months_not_working, OVER_AGE)
    if places <= 0 or len(cand) == 0:
        return np.zeros(0, np.int64)
    # uniform + skill - 3 x (household identified by monitoring), in one compiled pass
    key = training_keys(cand, w.skill, w.household, model.households.identified,
                        streams.key(model.seed, streams.TRAINING, model.t))
    if places < len(cand):
        rows = cand[np.argpartition(key, places - 1)[:places]]
    else:
        rows = cand
    span = cfg.max_duration - cfg.min_duration + 1
    u = streams.uniform(model.seed, streams.TRAINING, model.t + 5000, rows)
    start_training(model, rows, model.t + cfg.min_duration + (u * span).astype(np.int64))
    model.flow["trainees"] += len(rows)
    return rows


def cost(model) -> float:
    """Course fees of this month's trainees."""
    return model.flow["trainees"] * model.p.policy.training.cost_per_trainee * (1.0 / model.scale)
