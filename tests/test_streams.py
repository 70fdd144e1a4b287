"""Counter-based random numbers: the compiled hash equals its numpy statement; draws are uniform,
depend only on (seed, stream, month, row), and differ across streams."""

from __future__ import annotations

import pytest

import numpy as np
from scipy import stats

from sim.core import random_streams as streams

pytestmark = pytest.mark.model


def test_compiled_hash_equals_numpy_reference():
    rows = np.arange(0, 200_000, 7)
    for columns in (0, 3):
        assert np.array_equal(streams.uniform(5, streams.CHOICE, 4, rows, columns),
                              streams.uniform_reference(5, streams.CHOICE, 4, rows, columns))


def test_the_month_key_in_python_integers_is_the_numpy_hash():
    """`_key` hashes in Python integers for speed; `_key_reference` is the numpy statement."""
    for seed in (0, 1, 7, 2**40, 2**64 - 1):
        for stream in range(1, 23):
            for month in (-30, -1, 0, 1, 60, 5001, 9060, 2**33):
                assert streams._key(seed, stream, month) == streams._key_reference(seed, stream, month)


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
    """The month's compiled scans give the rows np.flatnonzero of the condition gives, whether
    the rows fill whole 64-row blocks, end in a partial block, or are fewer than a block."""
    for n in (20_000, 64 * 300, 37):
        _check_scans(np.random.default_rng(n), n, t=7)


def _check_scans(rng, n, t):
    from sim.core.compiled import scans as kernels
    from sim.core.population import NOT_WORKING

    status = rng.integers(0, 7, n).astype(np.int8)
    contract_end = rng.integers(0, 15, n).astype(np.int16)
    next_review = rng.integers(0, 15, n).astype(np.int16)
    returning = rng.random(n) < 0.1
    workshop = np.where(status == 3, rng.integers(0, 50, n), -1).astype(np.int32)
    closing = rng.random(50) < 0.2
    forced = rng.integers(0, n, 500)
    ended, _ = kernels.contracts_ending(status, contract_end, t, streams.key(0, 1, t), 0.0)
    assert np.array_equal(ended, np.flatnonzero((status <= 4) & (contract_end <= t)))
    # in a closure month each migrant draws; the closed are sent home with the contracts ending
    u = streams.uniform(0, 1, t, np.arange(n))
    closed = (status <= 1) & (u < 0.3)
    ended, sent_home = kernels.contracts_ending(status, contract_end, t, streams.key(0, 1, t), 0.3)
    assert np.array_equal(sent_home, np.flatnonzero(closed))
    assert np.array_equal(ended, np.flatnonzero((status <= 4) & (closed | (contract_end <= t))))
    assert np.array_equal(kernels.migrants_drawn(status, streams.key(0, 1, t), 0.3),
                          np.flatnonzero(closed))
    due = (next_review <= t) & (status != 6) & ~returning
    due[forced] = True
    assert np.array_equal(kernels.reviews_due(next_review, status, returning, t, 6, forced),
                          np.flatnonzero(due))
    assert np.array_equal(kernels.courses_ending(status, contract_end, t, 6),
                          np.flatnonzero((status == 6) & (contract_end <= t)))
    assert np.array_equal(kernels.in_workshops(status, workshop, closing, 3),
                          np.flatnonzero((status == 3) & closing[np.maximum(workshop, 0)]))
    capacity = rng.integers(0, 3, n).astype(np.int8)
    trained = rng.random(n) < 0.3
    since = rng.integers(-5, 8, n).astype(np.int16)
    candidates = ((status == NOT_WORKING) & (capacity != 2) & ~trained & ~returning
                  & ((t - since.astype(np.int64)) >= 3))
    assert np.array_equal(
        kernels.training_candidates(status, capacity, trained, returning, since, t, 3, 2),
        np.flatnonzero(candidates))
    skill = rng.integers(0, 3, n).astype(np.int8)
    n_hh = max(n // 3, 1)
    household = np.sort(rng.integers(0, n_hh, n)).astype(np.int32)
    identified = rng.random(n_hh) < 0.2
    cand = np.flatnonzero(status == 5)
    key = kernels.training_keys(cand, skill, household, identified, streams.key(0, 9, t))
    expected = streams.uniform(0, 9, t, cand) + skill[cand] - 3 * identified[household[cand]]
    assert key.tobytes() == expected.tobytes()
    # zero-employment clearing: reached households (draw below the rate) with nobody in work,
    # each its member not working and not waiting at home with the lowest draw
    working = np.bincount(household, weights=status <= 4, minlength=n_hh).astype(np.int32)
    start = np.searchsorted(household, np.arange(n_hh + 1))
    reach, pick = streams.key(0, 11, t), streams.key(0, 12, t)
    got = kernels.zero_employment_members(working, start, status, returning, reach, pick, 0.6)
    u_reach = streams.uniform(0, 11, t, np.arange(n_hh))
    u_pick = streams.uniform(0, 12, t, np.arange(n))
    expected = []
    for h in np.flatnonzero((working == 0) & (u_reach < 0.6)):
        members = np.arange(start[h], start[h + 1])
        members = members[(status[members] == NOT_WORKING) & ~returning[members]]
        if len(members):
            expected.append(members[np.argmin(u_pick[members])])
    assert np.array_equal(got, np.array(expected, np.int64))


def test_compiled_room_filling_equals_fill_room():
    """accept_in_groups serves the same applicants as the numpy statement of the rule
    (tests/oracles.py) and leaves the same room, with counties over and under their room and
    counties with none."""
    from sim.core.compiled import allocation as kernels

    from .oracles import fill_room

    rng = np.random.default_rng(11)
    for n in (0, 1, 300, 5_000):
        county = rng.integers(0, 40, n)
        order = rng.random(n) + rng.integers(0, 3, n)  # a priority class plus a draw
        free = rng.integers(-2, 60, (40, 3))
        expected_free = free[:, 1].copy()
        expected = fill_room(county, order, np.maximum(expected_free, 0))
        got = kernels.accept_in_groups(county, order, free, 1)
        assert np.array_equal(got, expected)
        served = np.bincount(county[got], minlength=40)
        assert np.array_equal(free[:, 1], expected_free - served)


@pytest.mark.parametrize("tied", [False, True])
def test_room_far_below_the_queue_is_served_as_the_rule_says(tied):
    """When the room is a small share of the queue (the zero-employment clearing), the kernel's
    one pass keeps the same applicants as the numpy rule's stable sort, ties going to the
    earlier row, and leaves the same room."""
    from sim.core.compiled import allocation as kernels

    from .oracles import fill_room

    rng = np.random.default_rng(3)
    n = 60_000
    county = rng.integers(0, 50, n)
    order = rng.integers(0, 3, n).astype(np.float64) if tied else rng.random(n)
    free = rng.integers(-1, 12, (50, 2))
    expected_free = free[:, 1].copy()
    expected = fill_room(county, order, np.maximum(expected_free, 0))
    got = kernels.accept_in_groups(county, order, free, 1)
    assert np.array_equal(got, expected)
    assert np.array_equal(free[:, 1], expected_free - np.bincount(county[got], minlength=50))
    assert 0 < got.sum() < 600


def test_compiled_room_filling_with_tied_orders_serves_exactly_the_room():
    """With many applicants sharing an order, no group gets more than its room, and nobody
    served comes after somebody turned away."""
    from sim.core.compiled import allocation as kernels

    rng = np.random.default_rng(5)
    county = rng.integers(0, 10, 3_000)
    order = rng.integers(0, 4, 3_000).astype(np.float64)  # four priority classes, no draw
    free = rng.integers(0, 400, (10, 3))
    room = free[:, 0].copy()
    got = kernels.accept_in_groups(county, order, free, 0)
    count = np.bincount(county, minlength=10)
    assert np.array_equal(np.bincount(county[got], minlength=10), np.minimum(count, room))
    for g in range(10):
        served, turned = order[(county == g) & got], order[(county == g) & ~got]
        assert len(turned) == 0 or served.max() <= turned.min()
