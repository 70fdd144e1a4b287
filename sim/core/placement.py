"""Putting the month's deciders into what they chose (`take_jobs`): a worker who keeps its job is
scheduled for its next review; who leaves a job quits it first; migrants and post holders are
hired, workshop workers take the next free place in their county, local hires go to start-ups'
free jobs first and then to firms (whose eligible hires may draw the hiring subsidy)."""

from __future__ import annotations

import numpy as np

from .compiled.choice import KEEP, split_outcomes
from .employment import hire, release, schedule_review
from .levers.hiring_subsidy import count_subsidised_hires
from .levers.startup_loans import employers
from .population import (FIRM, IN_PROVINCE, LOCAL_JOB, NOT_WORKING, OUT_OF_PROVINCE,
                         PUBLIC_WELFARE, WORKSHOP)
from .rooms import place_in_workshops


def take_jobs(model, rows: np.ndarray, outcome: np.ndarray) -> None:
    """Put deciders into the jobs they were given: employers and workshops get their rows.
    Workers who held a job and leave it for another (or for none) quit it first."""
    grouped, start, quitting = split_outcomes(np.ascontiguousarray(rows, np.int64), outcome,
                                              model.workers.status)

    def chose(o: int) -> np.ndarray:
        return grouped[start[o + 1]:start[o + 2]]

    schedule_review(model, chose(KEEP))
    # every quitter is hired below or scheduled as not working: its review month is set there
    release(model, quitting, reschedule=False)
    for status in (OUT_OF_PROVINCE, IN_PROVINCE, PUBLIC_WELFARE):
        sel = chose(status)
        hire(model, sel, np.full(len(sel), status, np.int8))
    place_in_workshops(model, chose(WORKSHOP))
    schedule_review(model, chose(NOT_WORKING))
    local = chose(LOCAL_JOB)
    employer = employers(model, local)
    length = hire(model, local, np.full(len(local), LOCAL_JOB, np.int8), employer=employer)
    firm = employer == FIRM
    count_subsidised_hires(model, local[firm], length[firm])
