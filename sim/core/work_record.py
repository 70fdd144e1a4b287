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
    counts = np.zeros((7, 3), np.int64)
    for r in range(status.shape[0]):
        place = place_of_status[status[r]]
        if place >= 0:
            months[r, place] += 1
        out, inside, wage, post = months[r, 0], months[r, 1], months[r, 2], months[r, 3]
        county = wage + post
        total = out + inside + county
        if total == 0:
            continue
        # the place of most months; a tie goes to the nearer place
        main = 2
        if out > county and out > inside:
            main = 0
        elif inside > county and inside >= out:
            main = 1
        counts[0, main] += 1
        counts[1, main] += total >= 6
        counts[2, main] += female[r]
        counts[3, main] += age[r] > over
        if main < 2 or wage >= post:
            counts[4, main] += 1
            counts[5, main] += female[r]
            counts[6, main] += age[r] > over
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
    out["women_share_away"] = (women[0] + women[1]) / away if away else float("nan")
    out["women_share_in_county"] = women[2] / wage[2] if wage[2] else float("nan")
    out["over_50_share"] = older.sum() / wage.sum() if wage.sum() else float("nan")
    return out
