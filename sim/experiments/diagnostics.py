"""Behaviour diagnostics at given parameters, computed from the agents' states as a review would
compute them (docs/MODEL.md 5.5): do people keep the places they chose, how strongly does work
away answer its pay, what does the taste for not working amount to, who holds the posts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..core.decisions import _fixed_tables, evaluate, home_income
from ..core.params import Config
from ..core.population import COLUMN_OF_STATUS, OUTSIDE, PUBLIC_WELFARE, WORKSHOP
from ..core.rooms import room_capacity
from .runner import simulate


def keep_probability(model, status: int) -> float:
    """The decision rule's probability that a holder of `status` who reviews her options now
    chooses her own place again (with the pull of the place she holds), averaged over holders."""
    rows = np.flatnonzero(model.workers.status == status)
    if len(rows) == 0:
        return float("nan")
    model.options_open = room_capacity(model) > 0
    P, _ = evaluate(model, rows)
    return float(P[:, COLUMN_OF_STATUS[status]].mean())


def keep_probabilities(model) -> dict[str, float]:
    return {"stay_post": keep_probability(model, PUBLIC_WELFARE),
            "stay_workshop": keep_probability(model, WORKSHOP)}


def own_wage_elasticity(cfg: Config, seeds: list[int], change: float = 0.10) -> float:
    """The relative change of December-2021 out-of-province workers when out-of-province pay is
    `change` higher from January 2021, over `change`; paired seeds (the same start and draws)."""
    ratios = []
    for seed in seeds:
        base = replace(cfg, seed=seed, quiet=True)
        raised = replace(base, scenario=replace(base.scenario, out_of_province_pay_change=change))
        before = simulate(base).recorder.year_summary(2021)["out_of_province"]
        after = simulate(raised).recorder.year_summary(2021)["out_of_province"]
        ratios.append(after / before - 1.0)
    return float(np.mean(ratios) / change)


def home_taste(model) -> dict[str, float]:
    """What not working is worth to each worker in money, from the whole of its utility that the
    agents use (docs/MODEL.md 3.4.11): its household's non-wage income per member times
    e^((taste sd x z + the age and women's home values) / income weight); its quantiles in yuan a
    month, beside the non-wage income itself, and the share of the labour force for whom it
    exceeds out-of-province pay (W1 x relative pay), who would not take work away at any chance."""
    b, w = model.p.behaviour, model.workers
    rows = np.arange(w.n)
    income = home_income(model, rows)
    terms = _fixed_tables(model)["home"][w.age.astype(np.int64), w.female.astype(np.int64)]
    value = income * np.exp((b.home_value_sd * w.home_taste.astype(np.float64) + terms)
                            / b.income_weight)
    out = {f"home_value_p{q}": float(np.percentile(value, q)) for q in (10, 50, 90)}
    out["nonwage_per_person_month"] = float(np.median(income))
    pay_away = model.p.wages.out_of_province * model.p.wages.relative_pay
    in_labour = w.status != OUTSIDE
    out["home_above_pay_away_share"] = float((value[in_labour] > pay_away).mean())
    return out


def post_holders(model) -> dict[str, float]:
    """Who holds the posts at the end of the run: shares of weak or over-age labour, of carers,
    and of full-capacity workers without care duties."""
    w = model.workers
    held = w.status == PUBLIC_WELFARE
    n = max(int(held.sum()), 1)
    return {"posts_weak_or_over_age": float((held & (w.capacity != 0)).sum() / n),
            "posts_carers": float((held & (w.capacity == 0) & w.care).sum() / n),
            "posts_full_capacity_no_care": float((held & (w.capacity == 0) & ~w.care).sum() / n)}


def never_worked(model) -> dict[str, float]:
    """The people with no month of work in the year: their share of the labour force, and what
    holds them: care duties, weak or over-age, unable to migrate."""
    w = model.workers
    none = model.work_months.sum(axis=1) == 0
    n = max(int(none.sum()), 1)
    return {"never_worked_share": float(none.mean()),
            "never_worked_carers": float((none & w.care).sum() / n),
            "never_worked_weak_or_over_age": float((none & (w.capacity != 0)).sum() / n),
            "never_worked_cannot_migrate": float((none & ~w.can_migrate).sum() / n)}
