"""Behaviour diagnostics at given parameters, computed from the agents' states as a review would
compute them (docs/MODEL.md 5.5): do people keep the places they chose, how strongly does work
away answer its pay, what does the taste for not working amount to, who holds the posts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..core.decisions import evaluate, home_income
from ..core.params import Config
from ..core.population import COLUMN_OF_STATUS, PUBLIC_WELFARE, WORKSHOP
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
    """The taste for not working in money: a worker's home value is its household's non-wage
    income per member times e^(taste sd x z / income weight); its quantiles in yuan a month,
    beside the non-wage income itself."""
    b, w = model.p.behaviour, model.workers
    rows = np.arange(w.n)
    income = home_income(model, rows)
    value = income * np.exp(b.home_value_sd * w.home_taste.astype(np.float64) / b.income_weight)
    out = {f"home_value_p{q}": float(np.percentile(value, q)) for q in (10, 50, 90)}
    out["nonwage_per_person_month"] = float(np.median(income))
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
