"""Counter-based random numbers: the compiled hash equals its numpy statement; draws are uniform,
depend only on (seed, stream, month, row), and differ across streams."""

from __future__ import annotations

import numpy as np
from scipy import stats

from sim import streams


def test_compiled_hash_equals_numpy_reference():
    rows = np.arange(0, 200_000, 7)
    for columns in (0, 3):
        assert np.array_equal(streams.uniform(5, streams.CHOICE, 4, rows, columns),
                              streams.uniform_reference(5, streams.CHOICE, 4, rows, columns))


def test_draws_are_uniform_and_belong_to_their_row():
    rows = np.arange(100_000)
    u = streams.uniform(1, streams.SEARCH, 3, rows)
    assert 0 < u.min() and u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > 1e-4
    # a worker's draw does not depend on who else draws this month
    assert np.array_equal(streams.uniform(1, streams.SEARCH, 3, rows[::5]), u[::5])
    # other streams, months and seeds give unrelated draws
    for other in (streams.uniform(1, streams.WAGE, 3, rows), streams.uniform(1, streams.SEARCH, 4, rows),
                  streams.uniform(2, streams.SEARCH, 3, rows)):
        assert abs(np.corrcoef(u, other)[0, 1]) < 0.02


def test_compiled_normal_quantile_equals_scipy():
    from numba import njit
    from scipy.special import ndtri

    @njit
    def quantiles(u):
        out = np.empty_like(u)
        for i in range(u.shape[0]):
            out[i] = streams.ndtri(u[i])
        return out

    u = np.concatenate([streams.uniform(3, streams.WAGE, 1, np.arange(1_000_000)),
                        np.logspace(-300, -1e-3, 20_000), 1 - np.logspace(-16, -1e-3, 20_000)])
    assert np.array_equal(quantiles(u), ndtri(u))


def test_one_draw_equals_the_vectorised_draw():
    from numba import njit

    @njit
    def draws(key, rows, width, column):
        return np.array([streams.draw(key, r, width, column) for r in rows])

    rows = np.arange(0, 50_000, 3)
    key = streams.key(7, streams.CHOICE, -5)
    assert np.array_equal(draws(key, rows, 0, 0), streams.uniform(7, streams.CHOICE, -5, rows))
    assert np.array_equal(draws(key, rows, 4, 2), streams.uniform(7, streams.CHOICE, -5, rows, 4)[:, 2])
