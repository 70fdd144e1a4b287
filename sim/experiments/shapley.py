"""Shapley values of the ten levers: an attribution of the whole 2021 mix's effect that adds up.

One-at-a-time contributions (each lever off against the whole mix) do not add up to the mix's
effect when levers interact (posts and workshops compete for the same workers; clearing places
people in posts). The Shapley value of a lever is its marginal effect averaged over every order
in which the levers could be switched on. It is estimated from random orders (permutations):
along each order the levers go on one by one from none to all, every step is one run, and a
lever's marginal effect is the change its step makes. Along one order the steps telescope, so
the levers' marginal effects sum exactly to the whole mix against no policy; averaged over the
orders, the Shapley values sum to the mean whole-mix effect, and the interval of each value is
over the orders (each with its own seed and, with a posterior, its own draw).

The Shapley value is linear in the outcome, so a lever's net effect splits too: the table gives
each lever's values of job-months by status and wage income, what it adds in its own statuses
and what other work loses (sim.experiments.net_effects), and its cost per net job-year (the
ratio of its Shapley cost to its Shapley net job-years, with the 5th-95th percentile of the
order-by-order ratio).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import stats
from tqdm import tqdm

from ..core.params import LEVERS, Config
from . import net_effects
from .compose import load
from .posterior import job_configs
from .runner import simulate, year_figures
from .tables import write_csv

METRICS = ("in_work", "worked_any_month", "job_months", "households_below_line", "cost_total",
           "wage_income", *net_effects.STATUS_MONTHS)
LEVEL = 0.90


def orders(n: int, seed: int = 0) -> list[tuple[str, ...]]:
    """`n` random orders of the levers."""
    rng = np.random.default_rng(seed)
    return [tuple(np.asarray(LEVERS)[rng.permutation(len(LEVERS))]) for _ in range(n)]


def _overrides(on: frozenset[str]) -> list[str]:
    return [f"policy.{lever}.enabled=false" for lever in LEVERS if lever not in on]


def mix_config(on: frozenset[str], seed: int, draw: int, base: tuple[str, ...]) -> Config:
    """The config of one 2021 run with the levers `on` (the others off from January 2021), at
    posterior draw `draw` (-1: the point fit) with its parameters set."""
    cfg = load([*base, *_overrides(on), f"seed={seed}", f"posterior_draw={draw}", "quiet=true"])
    [(_, one)] = job_configs(cfg)  # `posterior_draw` alone does not set the draw's parameters
    return one


def run_mix(on: frozenset[str], seed: int, draw: int, base: tuple[str, ...]) -> dict[str, float]:
    """One 2021 run with the levers `on` (`mix_config`)."""
    figures = year_figures(simulate(mix_config(on, seed, draw, base)))
    return {m: float(figures[m]) for m in METRICS}


def marginal_effects(permutations: list[tuple[str, ...]], base: tuple[str, ...] = (),
                     draws: bool = False) -> pd.DataFrame:
    """Each order's marginal effect of each lever (rows: order, lever, metric, effect). Order k
    runs with seed k and, with `draws`, posterior draw k."""
    steps = []
    for k, order in enumerate(permutations):
        for i in range(len(order) + 1):
            steps.append((k, frozenset(order[:i])))
    unique = list(dict.fromkeys(steps))
    jobs = (delayed(run_mix)(on, k, k if draws else -1, base) for k, on in unique)
    results = Parallel(n_jobs=-1, return_as="generator")(jobs)
    values = dict(zip(unique, tqdm(results, total=len(unique), desc="Shapley", unit="run")))
    rows = []
    for k, order in enumerate(permutations):
        for i, lever in enumerate(order):
            before, after = values[k, frozenset(order[:i])], values[k, frozenset(order[:i + 1])]
            rows += [{"order": k, "lever": lever, "metric": m, "effect": after[m] - before[m]}
                     for m in METRICS]
        whole = values[k, frozenset(order)]
        none = values[k, frozenset()]
        rows += [{"order": k, "lever": "whole mix", "metric": m, "effect": whole[m] - none[m]}
                 for m in METRICS]
    return pd.DataFrame(rows)


def shapley_table(marginal: pd.DataFrame) -> pd.DataFrame:
    """Per lever (and the whole mix) and metric: the mean over orders and its 90% t-interval;
    then each lever's net effect (`net_rows`)."""
    rows = [_mean_row(lever, metric, part["effect"].to_numpy(float))
            for (lever, metric), part in marginal.groupby(["lever", "metric"], sort=False)]
    return pd.DataFrame(rows + net_rows(marginal))


def _mean_row(lever: str, metric: str, x: np.ndarray) -> dict:
    half = (stats.t.ppf(0.5 + LEVEL / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
            if len(x) > 1 else float("nan"))
    return {"lever": lever, "metric": metric, "shapley": x.mean(), "low": x.mean() - half,
            "high": x.mean() + half, "orders": len(x), "interval": "orders (t-interval of the mean)"}


def net_rows(marginal: pd.DataFrame) -> list[dict]:
    """Each lever's net effect from its marginal effects order by order: the net job-months,
    wage income, what it adds in its own statuses and what other work loses (each the mean over
    orders with its t-interval, as every Shapley value), and its cost per net job-year (the
    5th-95th percentile of the order-by-order ratio). None from marginal effects that lack
    the by-status job-months (runs made before they were recorded)."""
    if not net_effects.has_inputs(set(marginal["metric"])):
        return []
    wide = marginal.pivot_table(index=["lever", "order"], columns="metric", values="effect",
                                sort=False)
    rows = []
    for lever, part in wide.groupby(level="lever", sort=False):
        change = net_effects.Change((lever,), 1.0, net_effects.OWN_STATUSES.get(lever, ()))
        values = net_effects.per_pair(part, change)
        for metric in ("net_job_months", "gross_job_months", "displaced_job_months",
                       "wage_income_change"):
            if metric in values:
                rows.append(_mean_row(lever, metric, values[metric].to_numpy(float)))
        ratio = net_effects.cost_per_net_job_year(values, "orders")
        rows.append({"lever": lever, "metric": "cost_per_net_job_year",
                     "shapley": ratio["cost_per_net_job_year"],
                     "low": ratio["cost_per_net_job_year_low"],
                     "high": ratio["cost_per_net_job_year_high"], "orders": len(values),
                     "interval": ratio["cost_per_net_job_year_interval"],
                     "note": ratio["cost_per_net_job_year_note"]})
    return rows


def study(out: Path, n_orders: int, base: tuple[str, ...], draws: bool,
          resume: bool = False) -> pd.DataFrame:
    """The Shapley table of the study (out/shapley.csv); the orders' runs are kept in
    out/shapley_marginal.parquet and reused with `resume` (or when only redrawing)."""
    kept = out / "shapley_marginal.parquet"
    if resume and kept.exists():
        marginal = pd.read_parquet(kept)
    else:
        marginal = marginal_effects(orders(n_orders), base, draws)
        out.mkdir(parents=True, exist_ok=True)
        marginal.to_parquet(kept)
    table = shapley_table(marginal)
    write_csv(table, out / "shapley.csv")
    return table
