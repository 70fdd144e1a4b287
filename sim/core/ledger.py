"""Running counts kept as workers change status, so that a month costs what its movers cost.

Every status change goes through `move` (called by the compiled moves in sim.core.employment), which
updates: workers by county and status (room limits, peer shares, regional and key-county totals),
by reporting-group combination and status, by household (members in work, wage income), by
workshop (places taken), and start-up jobs by county. Nothing in the monthly step then has to pass
over all 2.5 million rows to count.

Each worker has one `cell` code: its county and its combination of reporting groups (relocated,
monitored, sex, capacity: 24 combinations), so a move reads one number to find both its county
row and its group row; the per-group tables are sums over the combination table.
"""

from __future__ import annotations

from . import compiled  # noqa: F401  (sets numba's cache folder before numba loads)
from .compiled.hints import AHEAD, prefetch

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

from .population import N_STATUS, NOT_WORKING, OUTSIDE, PUBLIC_WELFARE, STARTUP


def _tally(codes: np.ndarray, status: np.ndarray, n_groups: int) -> np.ndarray:
    return np.bincount(codes.astype(np.int64) * N_STATUS + status,
                       minlength=n_groups * N_STATUS).reshape(n_groups, N_STATUS)


@njit(cache=True)
def move(rows, status, pay, workshop, employer, cols, tables, n_combo, dense):
    """Count the move of `rows` to (status, pay, workshop, employer), each of length 1 (the same
    for all) or one per row; the worker columns still hold the old values.

    With `dense` (many movers), pay changes are summed per household first and then added (the
    float additions of a bincount); otherwise they are added one by one (those of np.add.at).
    Both orders are kept so that results stay the same bit for bit whichever path a move takes.
    The per-row work is written out in the loop: a call per row that passes arrays would cost
    reference counting on every call."""
    w_status, w_wage, w_workshop, w_employer, cell, household = cols
    by_county, by_combo, hh_working, hh_wages, scratch, ws_taken, startup_jobs = tables
    one_s, one_p = status.shape[0] == 1, pay.shape[0] == 1
    one_w, one_e = workshop.shape[0] == 1, employer.shape[0] == 1
    n = rows.shape[0]
    for i in range(n):
        if i + AHEAD < n:  # memory hints only (sim.core.compiled.hints.prefetch)
            q = rows[i + AHEAD]
            prefetch(w_status, q)
            prefetch(w_wage, q)
            prefetch(w_workshop, q)
            prefetch(w_employer, q)
            prefetch(cell, q)
            prefetch(household, q)
            q = household[rows[i + AHEAD // 2]]
            prefetch(hh_working, q)
            prefetch(hh_wages if not dense else scratch, q)
        r = rows[i]
        new = status[0 if one_s else i]
        old = w_status[r]
        c = cell[r]
        county = c // n_combo
        combo = c - county * n_combo
        by_county[county, old] -= 1
        by_county[county, new] += 1
        by_combo[combo, old] -= 1
        by_combo[combo, new] += 1
        h = household[r]
        hh_working[h] += (1 if new <= PUBLIC_WELFARE else 0) - (1 if old <= PUBLIC_WELFARE else 0)
        # pay is stored in float32: count what is stored, so that the sums never drift
        delta = np.float64(np.float32(pay[0 if one_p else i])) - np.float64(w_wage[r])
        if dense:
            scratch[h] += delta
        else:
            hh_wages[h] += delta
        if w_workshop[r] >= 0:
            ws_taken[w_workshop[r]] -= 1
        ws = workshop[0 if one_w else i]
        if ws >= 0:
            ws_taken[ws] += 1
        if w_employer[r] == STARTUP:
            startup_jobs[county] -= 1
        if employer[0 if one_e else i] == STARTUP:
            startup_jobs[county] += 1
    if dense:
        for i in range(rows.shape[0]):
            h = household[rows[i]]
            hh_wages[h] += scratch[h]
            scratch[h] = 0.0


class Ledger:
    def __init__(self, workers, n_households: int, n_counties: int, n_workshops: int,
                 groupings: dict[str, tuple[np.ndarray, tuple[str, ...]]]) -> None:
        self.w = workers
        self.n_counties = n_counties
        self.n_workshops = n_workshops
        self.n_households = n_households
        self.groupings = groupings
        self.radices = tuple(len(labels) for _, labels in groupings.values())
        self.n_combo = int(np.prod(self.radices))
        combo = np.zeros(workers.n, np.int32)
        for codes, labels in groupings.values():
            combo = combo * len(labels) + codes
        self.cell = workers.county.astype(np.int32) * self.n_combo + combo
        self.scratch = np.zeros(n_households)
        self.recount()

    def recount(self) -> None:
        """Count everything from the worker columns (at the start, and in tests as a check)."""
        w = self.w
        self.by_county = _tally(w.county, w.status, self.n_counties)
        self.by_combo = _tally(self.cell % self.n_combo, w.status, self.n_combo)
        working = w.status <= PUBLIC_WELFARE
        self.household_working = np.bincount(w.household, weights=working,
                                             minlength=self.n_households).astype(np.int32)
        # members in the labour force (sim.core.demography keeps it as they enter and leave)
        self.household_labour = np.bincount(w.household, weights=w.status != OUTSIDE,
                                            minlength=self.n_households).astype(np.int32)
        self.household_wages = np.bincount(w.household, weights=w.wage,
                                           minlength=self.n_households)
        in_ws = w.workshop >= 0
        self.workshop_taken = np.bincount(w.workshop[in_ws], minlength=self.n_workshops)
        startup = w.employer == STARTUP
        self.startup_jobs = np.bincount(w.county[startup], minlength=self.n_counties)

    @property
    def by_group(self) -> dict[str, np.ndarray]:
        """Workers by status within each reporting group (group x status tables)."""
        table = self.by_combo.reshape(*self.radices, N_STATUS)
        axes = range(len(self.radices))
        return {name: table.sum(axis=tuple(a for a in axes if a != k))
                for k, name in enumerate(self.groupings)}

    def columns(self) -> tuple:
        w = self.w
        return w.status, w.wage, w.workshop, w.employer, self.cell, w.household

    def tables(self) -> tuple:
        return (self.by_county, self.by_combo, self.household_working, self.household_wages,
                self.scratch, self.workshop_taken, self.startup_jobs)

    def dense(self, n_movers: int) -> bool:
        """Many movers: their pay changes are summed per household before adding (see `move`)."""
        return n_movers > self.n_households // 8

    def move(self, rows: np.ndarray, status, wage, workshop, employer) -> None:
        """Record that `rows` take the new status, pay, workshop and employer (not yet written)."""
        if len(rows) == 0:
            return
        move(np.ascontiguousarray(rows, np.int64), np.atleast_1d(np.asarray(status, np.int8)),
              np.atleast_1d(np.asarray(wage, np.float64)), np.atleast_1d(np.asarray(workshop, np.int32)),
              np.atleast_1d(np.asarray(employer, np.int8)), self.columns(), self.tables(),
              self.n_combo, self.dense(len(rows)))

    def change_capacity(self, rows: np.ndarray, capacity: int) -> None:
        """Workers whose labour capacity changes (turning 60): their reporting group moves."""
        w = self.w
        old = self.cell[rows] % self.n_combo
        np.subtract.at(self.by_combo, (old, w.status[rows]), 1)
        w.capacity[rows] = capacity
        combo = np.zeros(len(rows), np.int32)
        for codes, labels in self.groupings.values():
            combo = combo * len(labels) + codes[rows]
        self.cell[rows] = w.county[rows].astype(np.int32) * self.n_combo + combo
        np.add.at(self.by_combo, (combo, w.status[rows]), 1)

    # ---- views -----------------------------------------------------------------------------
    def status_totals(self) -> np.ndarray:
        return self.by_county.sum(axis=0)

    def not_working(self) -> int:
        return int(self.by_county[:, NOT_WORKING].sum())
