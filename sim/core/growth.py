"""Growth after the end-2020 start (docs/MODEL.md 3.4.25): demand at destinations and for local
wage jobs, and market pay, year by year.

2021 grows at this population's own rates (`scenario.destination_demand_growth`,
`local_jobs.demand_growth_per_year`, `wages.growth_per_year`: calibrated or sourced for 2021).
Later years follow the national series (conf/series/nbs.yaml): demand grows at the national
growth of the year plus this population's 2021 gap to the national 2021 growth, so the posterior
of the 2021 rate carries into the projection; pay grows at the national pay growth of the year.
After the series' last year, its mean growth over the last three years holds. Without a series
(`series=none`) the 2021 rates hold in every year.
"""

from __future__ import annotations

import math

BASE_YEAR = 2021


def national_growth(series: dict[str, float], year: int) -> float:
    """The growth of `series` in `year`: its level over the year before's; after the last
    year, the mean growth of the last three."""
    levels = {int(y): float(v) for y, v in series.items()}
    if year in levels and year - 1 in levels:
        return levels[year] / levels[year - 1] - 1.0
    last = max(levels)
    if year <= last:
        raise ValueError(f"the series has no level for {year - 1} or {year}")
    recent = [levels[y] / levels[y - 1] - 1.0 for y in range(last - 2, last + 1)
              if y - 1 in levels]
    return sum(recent) / len(recent)


def own_growth(rate_2021: float, series: dict[str, float], year: int) -> float:
    """This population's growth in `year`: its 2021 rate in 2021; later, the national growth
    plus the 2021 gap (the 2021 rate if there is no series)."""
    if year <= BASE_YEAR or not series:
        return rate_2021
    return rate_2021 + national_growth(series, year) - national_growth(series, BASE_YEAR)


def pay_growth(rate_2021: float, series: dict[str, float], year: int) -> float:
    """Market pay growth in `year`: the 2021 rate in 2021; later, the national series' (the
    2021 rate if there is no series)."""
    if year <= BASE_YEAR or not series:
        return rate_2021
    return national_growth(series, year)


def demand_index(rate, t: int, first_year: int = BASE_YEAR) -> float:
    """Demand in month `t` (1 = January of `first_year`) relative to the end-2020 state: each
    month grows by a twelfth of its year's log growth `rate(year)`; 1 at and before the start."""
    log_level = 0.0
    for s in range(1, max(t, 0) + 1):
        log_level += math.log1p(rate(first_year + (s - 1) // 12)) / 12.0
    return math.exp(log_level)


def pay_index(rate, year: int, month: int) -> float:
    """Pay in a month relative to its 2021 yearly average: the log level runs straight between
    the middles of the years (a yearly average is the level mid-year), each year's middle
    `rate(year)` above the year before's."""
    def middle(y: int) -> float:
        if y >= BASE_YEAR:
            return sum(math.log1p(rate(k)) for k in range(BASE_YEAR + 1, y + 1))
        return -sum(math.log1p(rate(k)) for k in range(y + 1, BASE_YEAR + 1))

    offset = (month - 6.5) / 12.0
    here = middle(year)
    beside = middle(year + 1) - here if offset > 0 else here - middle(year - 1)
    return math.exp(here + offset * beside)
