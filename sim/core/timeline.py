"""The calendar and its shocks: month labels, pay and demand growth, the yearly reset of the
levers, epidemic disruption (workplaces closed, travel blocked), contracts ending, and the Spring
Festival.

Month index 0 is the state at the end of 2020 and index 1 is 2021-01; the burn-in that settles
the start runs at negative indices, under end-2020 conditions (no disruption, no growth).
"""

from __future__ import annotations

import numpy as np

from . import random_streams as streams
from . import work_record
from .compiled.scans import contracts_ending, migrants_drawn
from .employment import release
from .levers.state import BASE_YEAR, lever_state


def month_label(start_year: int, index: int) -> str:
    """`YYYY-MM` of month `index` (0 = December of the year before `start_year`)."""
    months = start_year * 12 + index - 1
    return f"{months // 12:04d}-{months % 12 + 1:02d}"


def month_index(start_year: int, label: str) -> int:
    year, month = (int(x) for x in label.split("-"))
    return (year - start_year) * 12 + month


def labels(start: str, end: str) -> list[str]:
    """Labels from the initial state (month before `start`) through `end`."""
    y0 = int(start[:4])
    return [month_label(y0, i) for i in range(month_index(y0, end) + 1)]


def set_month(model) -> None:
    """The month's label, disruption strength, pay levels and destination demand; in January
    (and the first simulated month) the year's lever settings, and the year's income restarts."""
    s = model.p.scenario
    model.label = model.labels[max(model.t, 0)]  # burn-in months (t < 0) are end-2020 months
    model.year = int(model.label[:4])
    model.month_of_year = int(model.label[5:])
    strength = {str(k): float(v) * s.disruption_scale for k, v in s.disruption.items()}
    model.disruption = strength.get(model.label, 0.0) if model.t > 0 else 0.0
    model.burning_in = model.t <= 0
    w = model.p.wages
    # the 2021 figures are yearly averages: centre the growth path on mid-2021
    exponent = model.year - BASE_YEAR + (model.month_of_year - 6.5) / 12
    # the NBS averages, grown and brought to the pay of this population (wages.relative_pay);
    # workshop and post pay are the local programmes' own levels
    market = (1.0 + w.growth_per_year) ** exponent * w.relative_pay
    change = 1.0 + s.out_of_province_pay_change if model.t > 0 else 1.0
    model.wage_levels = np.array([w.out_of_province * market * change, w.in_province * market,
                                  w.local_job * market, w.workshop, w.public_welfare, 0.0])
    # demand grows from the end-2020 state on, month by month; the burn-in months sit at the
    # 2020 level
    model.years_since_start = max(model.t, 0) / 12.0
    model.destination_demand = (1.0 + s.destination_demand_growth) ** model.years_since_start
    if model.t > 0 and (model.month_of_year == 1 or model.t == 1):
        model.lever = lever_state(model.p, model.year)
        model.households.income_year[:] = 0.0
        model.transported_this_year = 0
        work_record.start_year(model)
    elif model.t == -min(12, s.burn_in_months):  # the burn-in's last twelve months: "2020"
        work_record.start_year(model)


def end_wait_at_home(model) -> np.ndarray:
    """Who waited at home last month (the festival, a closure, blocked travel) decides now; its
    employer of the same kind takes it back (`model.recall`)."""
    rows = np.flatnonzero(model.workers.returning)
    model.workers.returning[rows] = False
    model.recall[:] = False
    model.recall[rows] = True
    return rows


def separations(model) -> None:
    """Contracts that end this month: the worker goes home and looks for work again after a
    geometric wait at the search rate (its review month). In a disruption migrants whose
    workplace closes wait at home and try again next month."""
    w = model.workers
    closure = 0.0
    if model.disruption > 0:
        closure = model.disruption * model.p.scenario.disruption_closure_share
    rows, closed = contracts_ending(
        w.status, w.contract_end, model.t, streams.key(model.seed, streams.EPIDEMIC, model.t),
        closure)
    release(model, rows)
    w.returning[closed] = True


def festival_returns(model) -> None:
    """In the festival month migrants go home; the call to stay put (就地過年) cuts returns.
    They decide the month after."""
    s = model.p.scenario
    if s.festival_months.get(str(model.year)) != model.label:
        return
    share = s.festival_return_share * (1.0 - s.stay_put_call.get(str(model.year), 0.0))
    if share <= 0:
        return
    w = model.workers
    rows = migrants_drawn(w.status, streams.key(model.seed, streams.FESTIVAL, model.t), share)
    release(model, rows)
    w.returning[rows] = True
