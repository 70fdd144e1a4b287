"""Who worked during the year, and where: the year's 累計 figures.

The article's 216.43萬 counts people who worked during 2021, not those in work in December; its
split (T2-T4) puts each of them where they worked. Each worker's months in work this calendar
year are counted by place (out of the province, in the province, in the home county) at the end
of every month, and restart each January. A worker who worked at least one month counts once, at
the place of most of its months (the nearer place when months tie). The same record gives the
share working six months or more, the women's shares away and at home, and the share aged over 50.

The burn-in that settles the start runs under end-2020 conditions; its last twelve months (all of
it when it is shorter) stand for 2020, so that 2021 can be compared with the 2020 count (T5).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import compiled  # noqa: F401  (sets numba's cache folder before numba loads)
from .population import IN_COUNTY, IN_PROVINCE, OUT_OF_PROVINCE

PLACES = ("out_of_province", "in_province", "in_county")
# months are counted in four places: out, in, county wage work (local jobs, workshops), posts
PLACE_OF_STATUS = np.array([0, 1, 2, 2, 3, -1, -1, -1], np.int8)  # by status; -1: not in work
OVER = 50  # the NBS reports the share of migrant workers aged over 50 (M4)

assert tuple(PLACE_OF_STATUS[[OUT_OF_PROVINCE, IN_PROVINCE]]) == (0, 1)
assert all(PLACE_OF_STATUS[s] >= 2 for s in IN_COUNTY)


@njit(cache=True)
def _tally(status, months, place_of_status, age, female, over):
    """Add this month to each worker's months by place; return the year so far by main place
    (out, in, county): workers, with six months or more, women, aged over `over` (rows 0-3);
    and, among the workers the NBS would count (not mostly on a post), by main place: workers,
    women, aged over `over` (rows 4-6)."""
    # Two passes, measured 2.6 times faster than one that adds to seven counters per worker: the
    # first gives each worker its cell of 48 (main place + 3 six months + 6 woman + 12 over
    # `over` + 24 counted by the NBS; 64 and up: no month yet) with no branch, since the
    # statuses of neighbouring rows do not predict each other; the second counts the cells, in
    # four histograms taken in turn so that consecutive rows do not wait on the same cell.
    cells = np.empty(status.shape[0], np.uint8)
    for r in range(status.shape[0]):
        place = place_of_status[status[r]]
        out = months[r, 0] + np.int8(place == 0)
        inside = months[r, 1] + np.int8(place == 1)
        wage = months[r, 2] + np.int8(place == 2)
        post = months[r, 3] + np.int8(place == 3)
        months[r, 0], months[r, 1], months[r, 2], months[r, 3] = out, inside, wage, post
        county = wage + post
        total = out + inside + county  # at most 12: one place a month
        # the place of most months; a tie goes to the nearer place
        most_out = np.int8((out > county) & (out > inside))
        most_in = np.int8((inside > county) & (inside >= out))
        main = np.int8(2) - np.int8(2) * most_out - most_in
        counted = np.int8((main < 2) | (wage >= post))
        cell = (main + np.int8(3) * np.int8(total >= 6) + np.int8(6) * np.int8(female[r])
                + np.int8(12) * np.int8(age[r] > over) + np.int8(24) * counted)
        cells[r] = np.uint8(cell) | (np.uint8(total == 0) << np.uint8(6))
    hist = np.zeros(4 * 128, np.int64)
    for r in range(cells.shape[0]):
        hist[((r & 3) << 7) + cells[r]] += 1
    return _counts_of_cells(hist.reshape(4, 128).sum(axis=0)[:48])


@njit(cache=True)
def _counts_of_cells(cells):
    """The seven rows of `_tally` from the 48 cells (main + 3 six + 6 woman + 12 over + 24 NBS)."""
    counts = np.zeros((7, 3), np.int64)
    for cell in range(48):
        n = cells[cell]
        main, six, woman = cell % 3, (cell // 3) % 2, (cell // 6) % 2
        older, counted = (cell // 12) % 2, cell // 24
        counts[0, main] += n
        counts[1, main] += n * six
        counts[2, main] += n * woman
        counts[3, main] += n * older
        counts[4, main] += n * counted
        counts[5, main] += n * woman * counted
        counts[6, main] += n * older * counted
    return counts


def start_year(model) -> None:
    """A new year of the record: every worker's months back to zero."""
    model.work_months[:] = 0


def tally(model) -> None:
    """The end of a month: count it, and keep the year so far (`model.work_year`)."""
    w = model.workers
    model.work_year = _tally(w.status, model.work_months, PLACE_OF_STATUS, w.age, w.female, OVER)


def year_figures(counts: np.ndarray) -> dict[str, float]:
    """The year's figures from the counts of `_tally` (simulated people; shares as shares)."""
    workers, six = counts[0].astype(np.float64), counts[1].astype(np.float64)
    wage, women, older = (counts[k].astype(np.float64) for k in (4, 5, 6))
    away = workers[0] + workers[1]
    out = {f"worked_{place}": workers[k] for k, place in enumerate(PLACES)}
    out["worked_any_month"] = workers.sum()
    out["worked_6_months"] = six.sum()
    out["migrant_6_months_share"] = (six[0] + six[1]) / away if away else float("nan")
    # the same share over everyone who worked: the reading of N5's series (docs/MODEL.md 5.2)
    out["all_work_6_months_share"] = six.sum() / workers.sum() if workers.sum() else float("nan")
    out["women_share_away"] = (women[0] + women[1]) / away if away else float("nan")
    out["women_share_in_county"] = women[2] / wage[2] if wage[2] else float("nan")
    out["over_50_share"] = older.sum() / wage.sum() if wage.sum() else float("nan")
    return out
