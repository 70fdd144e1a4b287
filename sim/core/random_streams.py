"""Counter-based random numbers: worker i's draw in month t depends only on (seed, stream, t, i).

Why not one Generator: a calibration compares runs whose parameters differ, so the set of workers
who decide in a month differs too. With a sequential generator every later draw then shifts and the
objective becomes noisy. Hashing (seed, stream, month, worker) with splitmix64 gives each worker its
own draws whatever else happens (common random numbers), costs a few integer operations per draw,
and touches only the rows that act this month.
"""

from __future__ import annotations

import math

from . import compiled  # noqa: F401  (sets numba's cache folder before numba loads)

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

# one id per use, so that no two mechanisms share draws (RECONSIDER is no longer drawn: review
# months come from SEARCH; it keeps its place so the other ids, and so all results, stay put)
SEARCH, RECONSIDER, CHOICE, JOB_FINDING, TRAVEL, ORDER, WAGE, CONTRACT, TRAINING, FESTIVAL, \
    CLOSURE, CLEARING, MONITORING, TRANSPORT, SUBSIDY, LAYOFF, EPIDEMIC, STARTUPS, \
    HOME, LEVER_CHANGE, AWAY, DEMOGRAPHY = range(1, 23)

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))


def _mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> _S30)) * _M2
    z = (z ^ (z >> _S27)) * _M3
    return z ^ (z >> _S31)


_MASK = 0xFFFFFFFFFFFFFFFF


def _mix_int(z: int) -> int:
    """`_mix` on a Python int, wrapped to 64 bits as numpy's uint64 products wrap."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _key(seed: int, stream: int, month: int) -> np.uint64:
    # Python ints, not numpy arrays: a small run asks for thousands of keys, and each numpy call
    # cost more than the hash (tests/test_streams.py checks it against `_key_reference`)
    base = _mix_int((int(seed) & _MASK) + 0x9E3779B97F4A7C15 * (int(stream) + 1) & _MASK)
    base = _mix_int((base + 0x9E3779B97F4A7C15 * ((int(month) + 100000) & 0xFFFFFFFF)) & _MASK)
    return np.uint64(base)


def _key_reference(seed: int, stream: int, month: int) -> np.uint64:
    """`_key` in numpy uint64 arithmetic (the statement the tests compare with)."""
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


@njit(cache=True, inline="always")
def draw(key, row, width, column):
    """One draw of `uniform(..., columns=width)` (width 0 for a single column), for compiled
    loops that hash only the rows they reach; the same number as the vectorised call gives."""
    z = np.uint64(row) * np.uint64(width if width else 1) + np.uint64(column)
    z = z * np.uint64(0x9E3779B97F4A7C15) + key
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (float(z >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


def key(seed: int, stream: int, month: int) -> np.uint64:
    """The hash key of (seed, stream, month), for compiled loops that call `draw`."""
    return _key(seed, stream, month)


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


# ---- standard-normal quantile, compiled ---------------------------------------------------------
# Cephes' ndtri (the algorithm and coefficients scipy.special.ndtri uses), so that compiled loops
# draw the same normal numbers as scipy does (tests/test_streams.py checks they are equal).
_S2PI = 2.50662827463100050242E0
_EXP_M2 = 0.13533528323661269189  # exp(-2)
_P0 = np.array([-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1,
                1.39312609387279679503E1, -1.23916583867381258016E0])
_Q0 = np.array([1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1,
                -2.25462687854119370527E2, 2.00260212380060660359E2, -8.20372256168333339912E1,
                1.59056225126211695515E1, -1.18331621121330003142E0])
_P1 = np.array([4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1,
                4.40805073893200834700E1, 1.46849561928858024014E1, 2.18663306850790267539E0,
                -1.40256079171354495875E-1, -3.50424626827848203418E-2, -8.57456785154685413611E-4])
_Q1 = np.array([1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1,
                1.50425385692907503408E1, 2.50464946208309415979E0, -1.42182922854787788574E-1,
                -3.80806407691578277194E-2, -9.33259480895457427372E-4])
_P2 = np.array([3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0,
                1.33303460815807542389E0, 2.01485389549179081538E-1, 1.23716634817820021358E-2,
                3.01581553508235416007E-4, 2.65806974686737550832E-6, 6.23974539184983293730E-9])
_Q2 = np.array([6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0,
                2.16236993594496635890E-1, 1.34204006088543189037E-2, 3.28014464682127739104E-4,
                2.89247864745380683936E-6, 6.79019408009981274425E-9])


@njit(cache=True, inline="always")
def _polevl(x, c):
    ans = c[0]
    for k in range(1, c.shape[0]):
        ans = ans * x + c[k]
    return ans


@njit(cache=True, inline="always")
def _p1evl(x, c):  # leading coefficient 1
    ans = x + c[0]
    for k in range(1, c.shape[0]):
        ans = ans * x + c[k]
    return ans


@njit(cache=True)
def ndtri(y0):
    """The standard-normal quantile of y0 in (0, 1)."""
    if y0 <= 0.0:
        return -np.inf
    if y0 >= 1.0:
        return np.inf
    y = y0
    lower = True
    if y > 1.0 - _EXP_M2:
        y = 1.0 - y
        lower = False
    if y > _EXP_M2:
        y = y - 0.5
        y2 = y * y
        x = y + y * (y2 * _polevl(y2, _P0) / _p1evl(y2, _Q0))
        return x * _S2PI
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    if x < 8.0:  # y > exp(-32)
        x1 = z * _polevl(z, _P1) / _p1evl(z, _Q1)
    else:
        x1 = z * _polevl(z, _P2) / _p1evl(z, _Q2)
    x = x0 - x1
    return -x if lower else x
