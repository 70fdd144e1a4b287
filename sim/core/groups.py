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

from .population import (AGE_BANDS, CAPACITIES, IN_COUNTY, MIGRANT, OUTSIDE, PUBLIC_WELFARE,
                         REGIONS, WORKING)

COUNTY_TYPES = ("key", "formerly_poor", "other")
AGE_LABELS = tuple(f"{a}-{b}" if b < 70 else f"{a}+" for a, b in AGE_BANDS)
HOUSEHOLD_DIMENSIONS = ("region", "county_type", "relocated", "monitored", "county")


def _county_type(model) -> np.ndarray:
    c = model.counties
    return np.where(c.key, 0, np.where(c.formerly_poor, 1, 2)).astype(np.int64)


def _age_band(age: np.ndarray) -> np.ndarray:
    edges = [b + 1 for _, b in AGE_BANDS[:-1]]
    return np.digitize(age, edges)


def dimensions(model) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    """Each worker's group in every dimension: name -> (code per worker, labels)."""
    w, hh = model.workers, model.households
    county = w.county.astype(np.int64)
    return {
        "region": (model.counties.region[county].astype(np.int64), REGIONS),
        "county_type": (_county_type(model)[county], COUNTY_TYPES),
        "sex": (w.female.astype(np.int64), ("male", "female")),
        "age_band": (_age_band(w.age), AGE_LABELS),
        "relocated": (hh.relocated[w.household].astype(np.int64), ("no", "yes")),
        "monitored": (hh.monitored[w.household].astype(np.int64), ("no", "yes")),
        "capacity": (w.capacity.astype(np.int64), CAPACITIES),
        "county": (county, tuple(str(i) for i in range(model.counties.n))),
    }


def _household_codes(model, name: str) -> np.ndarray:
    hh = model.households
    county = hh.county.astype(np.int64)
    return {"region": model.counties.region[county].astype(np.int64),
            "county_type": _county_type(model)[county],
            "relocated": hh.relocated.astype(np.int64),
            "monitored": hh.monitored.astype(np.int64),
            "county": county}[name]


def outcomes(model) -> list[tuple[str, str, str, float]]:
    """The year so far by group: rows (dimension, group, metric, value)."""
    w = model.workers
    k = 1.0 / model.scale
    status = w.status
    months = model.work_months.sum(axis=1).astype(np.float64)
    per_worker = {
        "labour_force": status != OUTSIDE,
        "in_work": np.isin(status, WORKING),
        "migrant": np.isin(status, MIGRANT),
        "in_county": np.isin(status, IN_COUNTY),
        "public_welfare": status == PUBLIC_WELFARE,
        "worked_any_month": months > 0,
    }
    rows = []
    for name, (codes, labels) in dimensions(model).items():
        n = len(labels)
        counts = {m: np.bincount(codes, weights=v, minlength=n) * k for m, v in per_worker.items()}
        counts["job_months"] = np.bincount(codes, weights=months, minlength=n) * k
        if name in HOUSEHOLD_DIMENSIONS:
            counts.update(_household_outcomes(model, name, n))
        for g, group in enumerate(labels):
            rows += [(name, group, metric, float(v[g])) for metric, v in counts.items()]
    return rows


def _household_outcomes(model, name: str, n: int) -> dict[str, np.ndarray]:
    hh = model.households
    k = 1.0 / model.scale
    codes = _household_codes(model, name)
    persons = np.bincount(codes, weights=hh.persons, minlength=n)
    income = np.bincount(codes, weights=hh.income_year, minlength=n)
    months = max(model.month_of_year, 1) if model.t > 0 else 12
    yearly = hh.income_year * (12.0 / months) / hh.persons
    below = yearly < model.p.policy.monitoring.monitoring_line
    return {"households": np.bincount(codes, minlength=n) * k,
            "income_per_person": np.divide(income * 12.0 / months, persons,
                                           out=np.zeros(n), where=persons > 0),
            "below_line_households": np.bincount(codes, weights=below, minlength=n) * k}
