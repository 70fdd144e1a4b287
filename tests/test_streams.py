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
