"""What a run reports: monthly metrics by group (long format), the end-of-2021 summary, costs.

Counts are people at full scale: simulated counts divided by `population.scale`.
"""

from __future__ import annotations

from importlib import import_module

import numpy as np

from . import groups, work_record
from .params import LEVERS
from .population import (CAPACITIES, IN_COUNTY, IN_LABOUR_FORCE, REGIONS, STATUSES, WORKING)

COST_METRICS = tuple(f"cost_{lever}" for lever in LEVERS)
# each lever's cost line, in the order of LEVERS (the total sums them in this order)
LEVER_COSTS = {lever: import_module(f"{__package__}.levers.{lever}").cost for lever in LEVERS}
# programme outputs counted over a month (summed over a year); the rest are end-of-month stocks
COUNT_FLOWS = ("trainees", "transported", "subsidised_hires", "entrepreneurs",
               "zero_employment_placements")
# monthly levels summed over a year: migrant person-months and household income (yuan)
MONTH_SUMS = ("migrant_months", "household_income", "wage_income", "nonwage_income")
FLOW_METRICS = COUNT_FLOWS + MONTH_SUMS + COST_METRICS + ("cost_total",)
HEADLINE = ("in_work", "out_of_province", "in_province", "in_county", "local_job", "workshop",
            "workshop_paired", "public_welfare", "training", "not_working")


WORKING_NAMES = tuple(STATUSES[s] for s in WORKING)


def worker_groupings(model) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    """Reporting groups that are not county attributes: name -> (code per worker, labels)."""
    w, hh = model.workers, model.households
    return {
        "relocated": (hh.relocated[w.household].astype(np.int8), ("no", "yes")),
        "monitored": (hh.monitored[w.household].astype(np.int8), ("no", "yes")),
        "sex": (w.female.astype(np.int8), ("male", "female")),
        "capacity": (w.capacity, CAPACITIES),
    }


# M6's two NBS averages and the statuses read as each: working away from the province, and
# wage work in the home county (local jobs and workshops; posts are not wage work to the NBS)
PAY_PLACES = {"pay_out_of_province": (STATUSES.index("out_of_province"),),
              "pay_county_wage": (STATUSES.index("local_job"), STATUSES.index("workshop"))}


def pay_by_place(model) -> dict[str, float]:
    """Mean monthly pay (yuan) of the people in each of PAY_PLACES's places, at the month."""
    w = model.workers
    totals = np.bincount(w.status, weights=w.wage, minlength=len(STATUSES))
    counts = np.bincount(w.status, minlength=len(STATUSES))
    out = {}
    for name, statuses in PAY_PLACES.items():
        n = counts[list(statuses)].sum()
        out[name] = float(totals[list(statuses)].sum() / n) if n else float("nan")
    return out


class _NotRecording:
    """The recorder while the start is built: the burn-in months are not part of any run."""

    @staticmethod
    def record() -> None:
        pass


NOT_RECORDING = _NotRecording()


class Recorder:
    """Collects one set of metrics per month (and feeds the model's Mesa DataCollector);
    `rows()` gives the long table."""

    def __init__(self, model) -> None:
        self.model = model
        self.months: list[str] = []
        self.by_month: list[dict[str, float]] = []
        self.grouped: list[list[tuple[str, str, float]]] = []
        self.current: dict[str, float] = {}
        # each December: the year's outcomes by group and by county (sim.core.groups), and the
        # pay of the people in work by place (checked against the NBS averages, M6)
        self.groups: dict[int, list[tuple[str, str, str, float]]] = {}
        self.pay: dict[int, dict[str, float]] = {}
        # households' members and non-wage income do not change during a run: summed once
        hh = model.households
        self.persons_total = hh.persons.sum(dtype=np.float64)
        self.nonwage_total = hh.nonwage_income.sum(dtype=np.float64)

    def record(self) -> None:
        m = self.model
        values = self._headline()
        values.update(self._programmes())
        values.update(self._costs())
        self.current = values
        self.months.append(m.label)
        self.by_month.append(values)
        self.grouped.append(self._by_group())
        if m.t > 0 and m.month_of_year == 12:
            self.groups[m.year] = groups.outcomes(m)
            self.pay[m.year] = pay_by_place(m)
        m.datacollector.collect(m)

    def _headline(self) -> dict[str, float]:
        m = self.model
        k = 1.0 / m.scale
        counts = m.ledger.status_totals() * k
        out = {name: float(counts[i]) for i, name in enumerate(STATUSES)}
        out["in_work"] = float(counts[list(WORKING)].sum())
        out["labour_force"] = float(counts[list(IN_LABOUR_FORCE)].sum())
        out["in_county"] = float(counts[list(IN_COUNTY)].sum())
        out["migrant"] = out["out_of_province"] + out["in_province"]
        # weak and over-age labour (弱勞力, 超齡勞力): whom workshops and posts are for
        by_capacity = m.ledger.by_group["capacity"] * k
        for c, name in enumerate(CAPACITIES[1:], start=1):
            out[f"in_work_{name}"] = float(by_capacity[c, list(WORKING)].sum())
            out[f"labour_{name}"] = float(by_capacity[c, list(IN_LABOUR_FORCE)].sum())
        out["workshop_paired"] = float(m.ledger.workshop_taken[m.workshops.paired].sum() * k)
        # all rural workers in open workshops and bases, modelled or not (the article's 19.7萬)
        ws = m.workshops
        out["workshop_rural_jobs"] = float((ws.other_jobs[ws.open].sum()
                                            + m.ledger.workshop_taken[ws.open].sum()) * k)
        n_working = counts[list(WORKING)].sum() / k
        wages = m.ledger.household_wages.sum()
        out["earnings_mean"] = float(wages / max(n_working, 1))
        hh_n = m.households.n
        out["zero_employment_households"] = float(m.n_zero_employment * k)
        out["households_below_line"] = float(m.n_below_line * k)
        out["households"] = float(hh_n * k)
        out["persons"] = float(self.persons_total * k)
        out["below_line_households"] = float(groups.below_line_so_far(m) * k)
        income = m.month_income.sum()  # np.mean is this sum over the count, to the bit
        out["household_income_mean"] = float(income / len(m.month_income))
        out["household_income"] = float(income * k)
        out["wage_income"] = float(wages * k)
        out["nonwage_income"] = float(self.nonwage_total / 12 * k)
        out["migrant_months"] = out["migrant"]
        # the year so far (累計): who worked at least a month, where most, for how long
        for key, value in work_record.year_figures(m.work_year).items():
            out[key] = float(value * k if key.startswith("worked_") else value)
        return out

    def _programmes(self) -> dict[str, float]:
        m = self.model
        w = m.workers
        k = 1.0 / m.scale
        out = {name: float(m.flow[name] * k) for name in COUNT_FLOWS}
        # the few programme members are listed once and looked up, not found in all rows
        trained = m.trained_rows
        working = w.status[trained] <= 4
        out["trained"] = float(len(trained) * k)
        out["trained_employed_share"] = float(working.mean()) if len(trained) else 0.0
        out["startup_jobs"] = float(m.ledger.startup_jobs.sum() * k)
        out["brand_jobs"] = float((w.status[m.brand_rows] <= 4).sum() * k)
        out["identified_households"] = float(m.households.identified.sum() * k)
        # what the model is given: the room of the open workshops and of the paired ones, the
        # post quota, start-up jobs opened, the year's transport seats and course places
        ws = m.workshops
        open_room = np.where(ws.open, ws.room, 0)
        out["workshop_room"] = float(open_room.sum() * k)
        out["workshop_paired_room"] = float(open_room[ws.paired].sum() * k)
        out["post_quota"] = float(m.rooms.post_quota.sum() * k)
        out["startup_room"] = float(m.rooms.startup_room.sum() * k)
        out["transport_seats"] = float(m.lever.transport_per_year)
        out["training_places"] = float(m.lever.training_per_year)
        return out

    def _costs(self) -> dict[str, float]:
        """Fiscal cost of each lever this month, yuan (none at the start)."""
        m = self.model
        if m.t == 0:
            return {name: 0.0 for name in COST_METRICS + ("cost_total",)}
        c = {f"cost_{lever}": cost(m) for lever, cost in LEVER_COSTS.items()}
        c["cost_total"] = float(sum(c.values()))
        return {key: float(v) for key, v in c.items()}

    def _by_group(self) -> list[tuple[str, str, float]]:
        m = self.model
        k = 1.0 / m.scale
        by_county = m.ledger.by_county
        tables = {
            "region": (np.stack([by_county[m.counties.region == r].sum(axis=0) for r in range(3)]),
                       REGIONS),
            "key_county": (np.stack([by_county[~m.counties.key].sum(axis=0),
                                     by_county[m.counties.key].sum(axis=0)]), ("no", "yes")),
        }
        for name, (_, labels) in m.ledger.groupings.items():
            tables[name] = (m.ledger.by_group[name], labels)
        rows = []
        for name, (table, labels) in tables.items():
            counts = table * k
            for g, label in enumerate(labels):
                group = f"{name}={label}"
                for s, status in enumerate(STATUSES):
                    rows.append((status, group, float(counts[g, s])))
                rows.append(("in_work", group, float(counts[g, list(WORKING)].sum())))
                rows.append(("in_county", group, float(counts[g, list(IN_COUNTY)].sum())))
                rows.append(("labour_force", group, float(counts[g, list(IN_LABOUR_FORCE)].sum())))
        return rows

    # ---- outputs ---------------------------------------------------------------------------
    def rows(self) -> list[tuple[str, str, str, float]]:
        """The monthly series, long format: (month, metric, group, value)."""
        out = []
        for month, values, grouped in zip(self.months, self.by_month, self.grouped):
            out.extend((month, name, "all", v) for name, v in values.items())
            out.extend((month, metric, group, v) for metric, group, v in grouped)
        return out

    def year_summary(self, year: int) -> dict[str, float]:
        """End-of-year stocks and the year's summed flows; the growth on the year before."""
        idx = [i for i, mth in enumerate(self.months) if mth.startswith(f"{year}-")]
        if not idx:
            raise ValueError(f"the run does not cover {year}")
        end = self.by_month[idx[-1]]
        out = {k: v for k, v in end.items() if k not in FLOW_METRICS}
        for k in FLOW_METRICS:
            out[k] = float(sum(self.by_month[i][k] for i in idx))
        before = self.by_month[idx[0] - 1] if idx[0] > 0 else None
        out["in_work_start"] = before["in_work"] if before else float("nan")
        out["in_work_growth"] = out["in_work"] / before["in_work"] if before else float("nan")
        # the record before the year's first month holds the year before's 累計 count (for
        # 2021, the burn-in's last twelve months under end-2020 conditions)
        out["worked_any_month_year_before"] = (before["worked_any_month"] if before
                                               else float("nan"))
        out["worked_any_growth"] = (out["worked_any_month"] / before["worked_any_month"]
                                    if before else float("nan"))
        out["work_income_per_worker"] = out["wage_income"] / max(out["worked_any_month"], 1.0)
        income = out["wage_income"] + out["nonwage_income"]
        out["work_income_share"] = out["wage_income"] / income if income else float("nan")
        # the year's outcomes (projections): person-months in work by status and in all, who
        # was in work in December, and net income per household member (wages and other income)
        for status in WORKING_NAMES:
            out[f"job_months_{status}"] = float(sum(self.by_month[i][status] for i in idx))
        out["job_months"] = float(sum(out[f"job_months_{s}"] for s in WORKING_NAMES))
        out["in_work_december"] = end["in_work"]
        out["income_per_person"] = income / out["persons"] if out["persons"] else float("nan")
        out.update(self.pay.get(year, {}))
        return out

    def year_groups(self, year: int) -> list[tuple[str, str, float]]:
        """The year's outcomes by reporting group: (metric, group, value) for person-months in
        work, in work in December and the labour force in December."""
        idx = [i for i, mth in enumerate(self.months) if mth.startswith(f"{year}-")]
        months: dict[str, float] = {}
        december: dict[tuple[str, str], float] = {}
        for i in idx:
            for metric, group, value in self.grouped[i]:
                if metric == "in_work":
                    months[group] = months.get(group, 0.0) + value
                if i == idx[-1] and metric in ("in_work", "labour_force"):
                    december[metric, group] = value
        rows = [("job_months", group, value) for group, value in months.items()]
        rows += [("in_work_december" if metric == "in_work" else metric, group, value)
                 for (metric, group), value in december.items()]
        return rows
