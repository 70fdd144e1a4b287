"""Who gains: each December, the year's outcomes by group of workers and households, and by county
(docs/MODEL.md 2.10). Read from the agents' columns at the end of the year:

- dimensions of workers: region, county type (key assistance county, other formerly poor county,
  other), sex, age band, relocated, monitored, capacity, and county;
- metrics: the labour force and those in work in December, by where (away, in the county, on a
  post), person-months in work over the year and the people who worked at least one month (each
  worker's own record of months); for the dimensions of households (region, county type,
  relocated, monitored, county) also households, their income per member over the year and those
  below the monitoring line.
Counts are people (or households) at full scale.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import compiled  # noqa: F401  (sets numba's cache folder before numba loads)

from .population import (AGE_BANDS, CAPACITIES, IN_COUNTY, MIGRANT, N_STATUS, OUTSIDE,
                         PUBLIC_WELFARE, REGIONS, WORKING)

COUNTY_TYPES = ("key", "formerly_poor", "other")
AGE_LABELS = tuple(f"{a}-{b}" if b < 70 else f"{a}+" for a, b in AGE_BANDS)


def _county_type(model) -> np.ndarray:
    c = model.counties
    return np.where(c.key, 0, np.where(c.formerly_poor, 1, 2)).astype(np.int64)


# the first age of each band after the first: a worker's band is how many of them it has reached
AGE_EDGES = np.array([b + 1 for _, b in AGE_BANDS[:-1]], np.int64)


# dimensions that are a function of the county: counted by county once, then summed up
BY_COUNTY = ("region", "county_type", "county")


def county_maps(model) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    """For the dimensions of counties: name -> (group of each county, labels)."""
    n = model.counties.n
    return {"region": (model.counties.region.astype(np.int64), REGIONS),
            "county_type": (_county_type(model), COUNTY_TYPES),
            "county": (np.arange(n), tuple(str(i) for i in range(n)))}


# the other dimensions, of each worker (its own, or its household's): name -> labels
WORKER_DIMENSIONS = {"sex": ("male", "female"), "age_band": AGE_LABELS, "relocated": ("no", "yes"),
                     "monitored": ("no", "yes"), "capacity": CAPACITIES}


ORDER = ("region", "county_type", "sex", "age_band", "relocated", "monitored", "capacity", "county")


def outcomes(model) -> list[tuple[str, str, str, float]]:
    """The year so far by group: rows (dimension, group, metric, value)."""
    k = 1.0 / model.scale
    by_status = {"labour_force": [s for s in range(N_STATUS) if s != OUTSIDE],
                 "in_work": list(WORKING), "migrant": list(MIGRANT), "in_county": list(IN_COUNTY),
                 "public_welfare": [PUBLIC_WELFARE]}
    worker_tables = _worker_tables(model)
    county_cells, county_months = worker_tables["county"]
    household = _household_sums(model)
    tables = {}
    for name, (of_county, labels) in county_maps(model).items():
        n = len(labels)
        tables[name] = (labels, _sum_up(county_cells, of_county, n),
                        np.bincount(of_county, weights=county_months, minlength=n),
                        {m: _sum_up(v, of_county, n) for m, v in household["county"].items()})
    for name, labels in WORKER_DIMENSIONS.items():
        cells, job_months = worker_tables[name]
        tables[name] = (labels, cells, job_months, household.get(name, {}))
    rows = []
    for name in ORDER:
        labels, cells, job_months, household_sums = tables[name]
        counts = {m: cells[:, s, :].sum(axis=(1, 2)) * k for m, s in by_status.items()}
        counts["worked_any_month"] = cells[:, :, 1].sum(axis=1) * k
        counts["job_months"] = job_months * k
        if household_sums:
            counts.update(_household_outcomes(model, household_sums))
        values = {metric: np.asarray(v, np.float64).tolist() for metric, v in counts.items()}
        for g, group in enumerate(labels):
            rows += [(name, group, metric, v[g]) for metric, v in values.items()]
    return rows


def _worker_tables(model) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For the county and each worker dimension: workers by (group, status, worked this year)
    and the group's person-months in work this year, in one pass over the workers."""
    w, hh = model.workers, model.households
    n_groups = np.array([model.counties.n] + [len(v) for v in WORKER_DIMENSIONS.values()], np.int64)
    cells, months = _count_groups(w.status, model.work_months, w.county, w.female, w.age,
                                  w.household, hh.relocated, hh.monitored, w.capacity,
                                  AGE_EDGES, n_groups, N_STATUS)
    names = ("county",) + tuple(WORKER_DIMENSIONS)
    out, at = {}, 0
    for name, n in zip(names, n_groups):
        out[name] = (cells[at:at + n], months[at:at + n])
        at += n
    return out


@njit(cache=True)
def _count_groups(status, work_months, county, female, age, household, relocated, monitored,
                  capacity, age_edges, n_groups, n_status):
    """One pass: for every worker, its cell (status, worked this year) and its months in work,
    added to the row of its group in each dimension (county, sex, age band, relocated,
    monitored, capacity; the dimensions' rows one after another)."""
    offset = np.zeros(n_groups.shape[0], np.int64)
    for d in range(1, n_groups.shape[0]):
        offset[d] = offset[d - 1] + n_groups[d - 1]
    total = offset[-1] + n_groups[-1]
    cells = np.zeros((total, n_status, 2), np.int64)
    months = np.zeros(total, np.int64)
    group = np.zeros(6, np.int64)
    for r in range(status.shape[0]):
        m = np.int64(work_months[r, 0]) + work_months[r, 1] + work_months[r, 2] + work_months[r, 3]
        worked = 1 if m > 0 else 0
        s = status[r]
        band = 0
        for e in age_edges:
            band += 1 if age[r] >= e else 0
        h = household[r]
        group[0] = county[r]
        group[1] = 1 if female[r] else 0
        group[2] = band
        group[3] = 1 if relocated[h] else 0
        group[4] = 1 if monitored[h] else 0
        group[5] = capacity[r]
        for d in range(6):
            g = offset[d] + group[d]
            cells[g, s, worked] += 1
            months[g] += m
    return cells, months.astype(np.float64)


def _sum_up(by_county: np.ndarray, of_county: np.ndarray, n: int) -> np.ndarray:
    """Per-county values (counties first) summed into the groups `of_county` gives."""
    out = np.zeros((n,) + by_county.shape[1:], by_county.dtype)
    np.add.at(out, of_county, by_county)
    return out


def _household_sums(model) -> dict[str, dict[str, np.ndarray]]:
    """Households, their members, their income so far and those below the line, by county and
    by the household dimensions (relocated, monitored)."""
    hh = model.households
    line = float(model.p.policy.monitoring.monitoring_line)
    counts, persons, income, below = _sum_households(
        hh.county, hh.relocated, hh.monitored, hh.persons, hh.income_year,
        12.0 / months_so_far(model), line,
        np.array([model.counties.n, 2, 2], np.int64))
    out, at = {}, 0
    for name, n in (("county", model.counties.n), ("relocated", 2), ("monitored", 2)):
        out[name] = {"households": counts[at:at + n], "persons": persons[at:at + n],
                     "income": income[at:at + n], "below": below[at:at + n]}
        at += n
    return out


@njit(cache=True)
def _sum_households(county, relocated, monitored, persons, income_year, to_year, line, n_groups):
    """One pass over the households, each added to its county, relocated and monitored group in
    household order (the sums of a bincount, to the last bit)."""
    total = n_groups.sum()
    counts = np.zeros(total)
    members = np.zeros(total)
    income = np.zeros(total)
    below = np.zeros(total)
    group = np.zeros(3, np.int64)
    for h in range(county.shape[0]):
        under = _below_line(income_year, to_year, persons, line, h)
        group[0] = county[h]
        group[1] = n_groups[0] + (1 if relocated[h] else 0)
        group[2] = n_groups[0] + n_groups[1] + (1 if monitored[h] else 0)
        for g in group:
            counts[g] += 1.0
            members[g] += persons[h]
            income[g] += income_year[h]
            below[g] += 1.0 if under else 0.0
    return counts, members, income, below


def months_so_far(model) -> int:
    """The months the households' income of the year covers: this year's so far; at the start
    (December 2020), the burn-in's last twelve, which stand for 2020."""
    return max(model.month_of_year, 1) if model.t > 0 else 12


@njit(cache=True, inline="always")
def _below_line(income_year, to_year, persons, line, h):
    """Household h's income of the year so far, at a year's rate, per member, is below the line
    (the one statement of the rule: `below_line_so_far` and the groups count with it)."""
    return income_year[h] * to_year / persons[h] < line


@njit(cache=True)
def _count_below_line(income_year, to_year, persons, line):
    n = 0
    for h in range(income_year.shape[0]):
        n += _below_line(income_year, to_year, persons, line, h)
    return n


def below_line_so_far(model) -> int:
    """Households whose income per member over the year so far, at a year's rate, is below the
    monitoring line (in December: the year's income)."""
    hh = model.households
    return int(_count_below_line(hh.income_year, 12.0 / months_so_far(model), hh.persons,
                                 float(model.p.policy.monitoring.monitoring_line)))


def _household_outcomes(model, sums: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    k = 1.0 / model.scale
    months = months_so_far(model)
    persons = sums["persons"]
    return {"households": sums["households"] * k,
            "income_per_person": np.divide(sums["income"] * 12.0 / months, persons,
                                           out=np.zeros(len(persons)), where=persons > 0),
            "below_line_households": sums["below"] * k}
