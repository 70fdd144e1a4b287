"""Running counts kept as workers change status, so that a month costs what its movers cost.

Every status change goes through `Ledger.move` (from sim.employment), which updates: workers by
county and status (room limits, peer shares, regional and key-county totals), by household
(members in work, wage income), by workshop (places taken), start-up jobs by county, and workers by
status within each reporting group. Nothing in the monthly step then has to pass over all 2.5
million rows to count.
"""

from __future__ import annotations

import numpy as np

from .population import NOT_WORKING, PUBLIC_WELFARE, STARTUP

N_STATUS = 7


def _tally(codes: np.ndarray, status: np.ndarray, n_groups: int) -> np.ndarray:
    return np.bincount(codes.astype(np.int64) * N_STATUS + status,
                       minlength=n_groups * N_STATUS).reshape(n_groups, N_STATUS)


class Ledger:
    def __init__(self, workers, n_households: int, n_counties: int, n_workshops: int,
                 groupings: dict[str, tuple[np.ndarray, tuple[str, ...]]]) -> None:
        self.w = workers
        self.n_counties = n_counties
        self.n_workshops = n_workshops
        self.n_households = n_households
        self.groupings = groupings
        self.recount()

    def recount(self) -> None:
        """Count everything from the worker columns (at the start, and in tests as a check)."""
        w = self.w
        self.by_county = _tally(w.county, w.status, self.n_counties)
        self.by_group = {name: _tally(codes, w.status, len(labels))
                         for name, (codes, labels) in self.groupings.items()}
        working = w.status <= PUBLIC_WELFARE
        self.household_working = np.bincount(w.household, weights=working,
                                             minlength=self.n_households).astype(np.int32)
        self.household_wages = np.bincount(w.household, weights=w.wage,
                                           minlength=self.n_households)
        in_ws = w.workshop >= 0
        self.workshop_taken = np.bincount(w.workshop[in_ws], minlength=self.n_workshops)
        startup = w.employer == STARTUP
        self.startup_jobs = np.bincount(w.county[startup], minlength=self.n_counties)

    def move(self, rows: np.ndarray, status: np.ndarray, wage: np.ndarray,
             workshop: np.ndarray, employer: np.ndarray) -> None:
        """Record that `rows` take the new status, pay, workshop and employer (not yet written)."""
        if len(rows) == 0:
            return
        w = self.w
        old = w.status[rows]
        status = np.broadcast_to(status, rows.shape)
        self._shift(self.by_county, w.county[rows], old, status)
        for name, (codes, _) in self.groupings.items():
            self._shift(self.by_group[name], codes[rows], old, status)
        h = w.household[rows]
        delta = (status <= PUBLIC_WELFARE).astype(np.int32) - (old <= PUBLIC_WELFARE)
        pay = np.broadcast_to(wage, rows.shape) - w.wage[rows]
        if len(rows) > self.n_households // 8:  # many movers: one dense pass beats add.at
            self.household_working += np.bincount(h, weights=delta, minlength=self.n_households
                                                  ).astype(np.int32)
            self.household_wages += np.bincount(h, weights=pay, minlength=self.n_households)
        else:
            np.add.at(self.household_working, h, delta)
            np.add.at(self.household_wages, h, pay)
        old_ws = w.workshop[rows]
        new_ws = np.broadcast_to(workshop, rows.shape)
        self.workshop_taken -= np.bincount(old_ws[old_ws >= 0], minlength=self.n_workshops)
        self.workshop_taken += np.bincount(new_ws[new_ws >= 0], minlength=self.n_workshops)
        county = w.county[rows]
        was = w.employer[rows] == STARTUP
        now = np.broadcast_to(employer, rows.shape) == STARTUP
        self.startup_jobs -= np.bincount(county[was], minlength=self.n_counties)
        self.startup_jobs += np.bincount(county[now], minlength=self.n_counties)

    @staticmethod
    def _shift(table: np.ndarray, codes: np.ndarray, old: np.ndarray, new: np.ndarray) -> None:
        flat = table.reshape(-1)
        n = flat.size
        base = codes.astype(np.int64) * N_STATUS
        flat -= np.bincount(base + old, minlength=n)
        flat += np.bincount(base + new, minlength=n)

    # ---- views -----------------------------------------------------------------------------
    def status_totals(self) -> np.ndarray:
        return self.by_county.sum(axis=0)

    def not_working(self) -> int:
        return int(self.by_county[:, NOT_WORKING].sum())
