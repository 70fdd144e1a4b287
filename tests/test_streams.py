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


def test_compiled_scans_equal_their_numpy_conditions():
    """The month's branch-free scans give the rows np.flatnonzero of the condition gives."""
    from sim import kernels

    rng = np.random.default_rng(3)
    n, t = 20_000, 7
    status = rng.integers(0, 7, n).astype(np.int8)
    contract_end = rng.integers(0, 15, n).astype(np.int16)
    next_review = rng.integers(0, 15, n).astype(np.int16)
    returning = rng.random(n) < 0.1
    workshop = np.where(status == 3, rng.integers(0, 50, n), -1).astype(np.int32)
    closing = rng.random(50) < 0.2
    forced = rng.integers(0, n, 500)
    ended, _ = kernels.contracts_ending(status, contract_end, t, streams.key(0, 1, t), 0.0)
    assert np.array_equal(ended, np.flatnonzero((status <= 4) & (contract_end <= t)))
    due = (next_review <= t) & (status != 6) & ~returning
    due[forced] = True
    assert np.array_equal(kernels.reviews_due(next_review, status, returning, t, 6, forced),
                          np.flatnonzero(due))
    assert np.array_equal(kernels.courses_ending(status, contract_end, t, 6),
                          np.flatnonzero((status == 6) & (contract_end <= t)))
    assert np.array_equal(kernels.in_workshops(status, workshop, closing, 3),
                          np.flatnonzero((status == 3) & closing[np.maximum(workshop, 0)]))
    skill = rng.integers(0, 3, n).astype(np.int8)
    household = np.sort(rng.integers(0, 8000, n)).astype(np.int32)
    identified = rng.random(8000) < 0.2
    cand = np.flatnonzero(status == 5)
    key = kernels.training_keys(cand, skill, household, identified, streams.key(0, 9, t))
    expected = streams.uniform(0, 9, t, cand) + skill[cand] - 3 * identified[household[cand]]
    assert key.tobytes() == expected.tobytes()
