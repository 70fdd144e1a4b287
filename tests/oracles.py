"""Numpy statements of the model's compiled rules, written apart from the code they check: each
test compares a kernel (sim.core.compiled, the compiled moves of sim.core.employment) with the
rule stated here, so an error in either shows."""

from __future__ import annotations

import numpy as np


def rank_within_groups(group: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Rank of each row among the rows of its group by ascending `order` (0 = first served)."""
    rank = np.empty(len(group), np.int64)
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        rank[rows[np.argsort(order[rows], kind="stable")]] = np.arange(len(rows))
    return rank


def fill_room(group: np.ndarray, order: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Serve applicants group by group in `order` while room lasts; return who got a place.
    `free` (room left per group) is decreased in place by the places handed out."""
    accepted = rank_within_groups(group, order) < free[group]
    free -= np.bincount(group[accepted], minlength=len(free))
    return accepted
