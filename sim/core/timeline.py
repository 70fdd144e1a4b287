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
from .growth import BASE_YEAR, demand_index, own_growth, pay_growth, pay_index
from .compiled.scans import contracts_ending, migrants_drawn
from .employment import release
from .levers.state import lever_state
from .params import disruption


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
    """The month's label, disruption strength, pay levels and demand; in January (and the first
    simulated month) the year's lever settings, and the year's income restarts."""
    model.label = model.labels[max(model.t, 0)]  # burn-in months (t < 0) are end-2020 months
    model.year = int(model.label[:4])
    model.month_of_year = int(model.label[5:])
    model.disruption = disruption(model.p, model.label) if model.t > 0 else 0.0
    model.burning_in = model.t <= 0
    _pay_and_demand(model)
    if model.t > 0 and (model.month_of_year == 1 or model.t == 1):
        model.lever = lever_state(model.p, model.year)
        model.households.income_year[:] = 0.0
        model.transported_this_year = 0
        work_record.start_year(model)


def _pay_and_demand(model) -> None:
    """Market pay (NBS averages grown, brought to this population's pay by wages.relative_pay;
    workshop and post pay are the programmes' own levels) and demand at destinations and for
    local jobs, relative to the end-2020 state (sim.core.growth). The burn-in months sit at the
    end-2020 levels."""
    cfg = model.p
    s, w, series = cfg.scenario, cfg.wages, cfg.series

    year, month = model.year, model.month_of_year

    def after_2021(rate):  # without growth after 2021 (a what-if) later years add nothing
        return rate if s.growth_after_2021 else (lambda y: rate(y) if y <= BASE_YEAR else 0.0)

    migrant = pay_index(after_2021(lambda y: pay_growth(w.growth_per_year, series.pay_outgoing,
                                                        y)), year, month) * w.relative_pay
    local = pay_index(after_2021(lambda y: pay_growth(w.growth_per_year, series.pay_local, y)),
                      year, month) * w.relative_pay
    change = 1.0 + s.out_of_province_pay_change if model.t > 0 else 1.0
    model.wage_levels = np.array([w.out_of_province * migrant * change, w.in_province * migrant,
                                  w.local_job * local, w.workshop, w.public_welfare, 0.0])
    model.destination_demand = demand_index(after_2021(
        lambda y: own_growth(s.destination_demand_growth, series.outgoing_migrants, y)), model.t)
    model.local_demand = demand_index(after_2021(
        lambda y: own_growth(cfg.local_jobs.demand_growth_per_year, series.local_migrants, y)),
        model.t)


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
