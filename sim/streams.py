"""Counter-based random numbers: worker i's draw in month t depends only on (seed, stream, t, i).

Why not one Generator: a calibration compares runs whose parameters differ, so the set of workers
who decide in a month differs too. With a sequential generator every later draw then shifts and the
objective becomes noisy. Hashing (seed, stream, month, worker) with splitmix64 gives each worker its
own draws whatever else happens (common random numbers), costs a few integer operations per draw,
and touches only the rows that act this month.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import kernels  # noqa: F401  (sets the compiled-code cache folder)

# one id per use, so that no two mechanisms share draws (RECONSIDER is no longer drawn: review
# months come from SEARCH; it keeps its place so the other ids, and so all results, stay put)
SEARCH, RECONSIDER, CHOICE, JOB_FINDING, TRAVEL, ORDER, WAGE, CONTRACT, TRAINING, FESTIVAL, \
    CLOSURE, CLEARING, MONITORING, TRANSPORT, SUBSIDY, LAYOFF, EPIDEMIC, STARTUPS, \
    HOME = range(1, 20)

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))


def _mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> _S30)) * _M2
    z = (z ^ (z >> _S27)) * _M3
    return z ^ (z >> _S31)


def _key(seed: int, stream: int, month: int) -> np.uint64:
    base = np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)
    # arrays, not scalars: numpy wraps uint64 array products silently (the hash relies on it)
    base = _mix(base + _M1 * np.array([stream + 1], dtype=np.uint64))
    base = _mix(base + _M1 * np.array([(month + 100000) & 0xFFFFFFFF], dtype=np.uint64))
    return base[0]


@njit(cache=True)
def _hash_uniform(ids, key, columns):
    """splitmix64 of id * M1 + key, as a double in (0, 1); one pass, no temporaries."""
    width = max(columns, 1)
    out = np.empty(ids.shape[0] * width)
    for i in range(ids.shape[0]):
        for j in range(width):
            z = np.uint64(ids[i]) * np.uint64(width if columns else 1) + np.uint64(j)
            z = z * np.uint64(0x9E3779B97F4A7C15) + key
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
            out[i * width + j] = (float(z >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)
    return out


def uniform(seed: int, stream: int, month: int, rows: np.ndarray, columns: int = 0) -> np.ndarray:
    """Uniform draws in (0, 1) for `rows` (worker or agent ids); shape (n,) or (n, columns)."""
    key = _key(seed, stream, month)
    ids = np.ascontiguousarray(rows, dtype=np.int64)
    out = _hash_uniform(ids, key, columns)
    return out.reshape(len(ids), columns) if columns else out


def uniform_reference(seed: int, stream: int, month: int, rows: np.ndarray,
                      columns: int = 0) -> np.ndarray:
    """`uniform` in plain numpy (the statement of the hash; tests check the two agree)."""
    key = _key(seed, stream, month)
    ids = np.asarray(rows, dtype=np.uint64)
    if columns:
        ids = ids[:, None] * np.uint64(columns) + np.arange(columns, dtype=np.uint64)
    z = _mix(ids * _M1 + key)
    return ((z >> _S11).astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)


def stochastic_round(x: np.ndarray | float, u: np.ndarray | float) -> np.ndarray:
    """Round down or up with the probability of the fraction, so totals are kept in expectation."""
    x = np.asarray(x, dtype=np.float64)
    return (np.floor(x) + (np.asarray(u) < x - np.floor(x))).astype(np.int64)
