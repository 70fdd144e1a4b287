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

from .population import (AGE_BANDS, CAPACITIES, IN_COUNTY, MIGRANT, N_STATUS, OUTSIDE,
                         PUBLIC_WELFARE, REGIONS, WORKING)

COUNTY_TYPES = ("key", "formerly_poor", "other")
AGE_LABELS = tuple(f"{a}-{b}" if b < 70 else f"{a}+" for a, b in AGE_BANDS)
HOUSEHOLD_DIMENSIONS = ("region", "county_type", "relocated", "monitored", "county")


def _county_type(model) -> np.ndarray:
    c = model.counties
    return np.where(c.key, 0, np.where(c.formerly_poor, 1, 2)).astype(np.int64)


def _age_band(age: np.ndarray) -> np.ndarray:
    edges = [b + 1 for _, b in AGE_BANDS[:-1]]
    return np.digitize(age, edges)


# dimensions that are a function of the county: counted by county once, then summed up
BY_COUNTY = ("region", "county_type", "county")


def county_maps(model) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    """For the dimensions of counties: name -> (group of each county, labels)."""
    n = model.counties.n
    return {"region": (model.counties.region.astype(np.int64), REGIONS),
            "county_type": (_county_type(model), COUNTY_TYPES),
            "county": (np.arange(n), tuple(str(i) for i in range(n)))}


def worker_dimensions(model) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    """For the other dimensions: name -> (code per worker, labels)."""
    w, hh = model.workers, model.households
    return {
        "sex": (w.female.view(np.uint8), ("male", "female")),
        "age_band": (_age_band(w.age), AGE_LABELS),
        "relocated": (hh.relocated[w.household].view(np.uint8), ("no", "yes")),
        "monitored": (hh.monitored[w.household].view(np.uint8), ("no", "yes")),
        "capacity": (w.capacity, CAPACITIES),
    }


ORDER = ("region", "county_type", "sex", "age_band", "relocated", "monitored", "capacity", "county")


def outcomes(model) -> list[tuple[str, str, str, float]]:
    """The year so far by group: rows (dimension, group, metric, value)."""
    w = model.workers
    k = 1.0 / model.scale
    months = model.work_months.sum(axis=1).astype(np.float64)
    # one count per (group, status, worked this year), then each metric sums its statuses: two
    # passes over the workers per dimension instead of one per metric, and one for all the
    # dimensions of counties
    cell = w.status.astype(np.int64) * 2 + (months > 0)
    width = N_STATUS * 2
    by_status = {"labour_force": [s for s in range(N_STATUS) if s != OUTSIDE],
                 "in_work": list(WORKING), "migrant": list(MIGRANT), "in_county": list(IN_COUNTY),
                 "public_welfare": [PUBLIC_WELFARE]}

    def counted(codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        cells = np.bincount(codes * width + cell, minlength=n * width).reshape(n, N_STATUS, 2)
        return cells, np.bincount(codes, weights=months, minlength=n)

    county = w.county.astype(np.int64)
    n_counties = model.counties.n
    county_cells, county_months = counted(county, n_counties)
    household = _household_sums(model, model.households.county.astype(np.int64), n_counties)
    tables = {}
    for name, (of_county, labels) in county_maps(model).items():
        n = len(labels)
        tables[name] = (labels, _sum_up(county_cells, of_county, n),
                        np.bincount(of_county, weights=county_months, minlength=n),
                        {m: _sum_up(v, of_county, n) for m, v in household.items()})
    for name, (codes, labels) in worker_dimensions(model).items():
        n = len(labels)
        cells, job_months = counted(codes.astype(np.int64), n)
        extra = {}
        if name in HOUSEHOLD_DIMENSIONS:
            extra = _household_sums(model, _household_codes(model, name), n)
        tables[name] = (labels, cells, job_months, extra)
    rows = []
    for name in ORDER:
        labels, cells, job_months, household_sums = tables[name]
        counts = {m: cells[:, s, :].sum(axis=(1, 2)) * k for m, s in by_status.items()}
        counts["worked_any_month"] = cells[:, :, 1].sum(axis=1) * k
        counts["job_months"] = job_months * k
        if household_sums:
            counts.update(_household_outcomes(model, household_sums))
        for g, group in enumerate(labels):
            rows += [(name, group, metric, float(v[g])) for metric, v in counts.items()]
    return rows


def _sum_up(by_county: np.ndarray, of_county: np.ndarray, n: int) -> np.ndarray:
    """Per-county values (counties first) summed into the groups `of_county` gives."""
    out = np.zeros((n,) + by_county.shape[1:], by_county.dtype)
    np.add.at(out, of_county, by_county)
    return out


def _household_codes(model, name: str) -> np.ndarray:
    hh = model.households
    return {"relocated": hh.relocated.astype(np.int64),
            "monitored": hh.monitored.astype(np.int64)}[name]


def _household_sums(model, codes: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Households, their members, their income so far and those below the line, by group."""
    hh = model.households
    months = max(model.month_of_year, 1) if model.t > 0 else 12
    yearly = hh.income_year * (12.0 / months) / hh.persons
    below = yearly < model.p.policy.monitoring.monitoring_line
    return {"households": np.bincount(codes, minlength=n).astype(np.float64),
            "persons": np.bincount(codes, weights=hh.persons, minlength=n),
            "income": np.bincount(codes, weights=hh.income_year, minlength=n),
            "below": np.bincount(codes, weights=below, minlength=n)}


def _household_outcomes(model, sums: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    k = 1.0 / model.scale
    months = max(model.month_of_year, 1) if model.t > 0 else 12
    persons = sums["persons"]
    return {"households": sums["households"] * k,
            "income_per_person": np.divide(sums["income"] * 12.0 / months, persons,
                                           out=np.zeros(len(persons)), where=persons > 0),
            "below_line_households": sums["below"] * k}
