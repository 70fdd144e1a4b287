"""The article's figures (seeds/figures.yaml) and the fit table that compares a run with them."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml


@lru_cache(maxsize=1)
def figures() -> dict:
    """The seed article's figures as data (read once; the file ships as package data)."""
    text = resources.files("sim.seeds").joinpath("figures.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def targets() -> list[dict]:
    return figures()["targets"]


def fit_table(summary: dict[str, float]) -> dict[str, dict]:
    """Figure id -> {metric, unit, article, model, rel_error, bound} for T1..T12.

    A figure the article gives as a bound ("more than 30%", T9) is met by any model value on
    the right side of it: its error is the shortfall only, 0 when the bound holds.
    """
    table = {}
    for t in targets():
        model = float(summary[t["metric"]])
        article = float(t["value"])
        error = (model - article) / article
        bound = t.get("bound")
        if bound == "lower":
            error = min(error, 0.0)
        elif bound == "upper":
            error = max(error, 0.0)
        table[t["id"]] = {
            "metric": t["metric"],
            "unit": t["unit"],
            "article": article,
            "model": model,
            "rel_error": error,
            "bound": bound,
        }
    return table


def format_fit_table(table: dict[str, dict]) -> str:
    lines = [f"{'id':<4} {'figure':<24} {'article':>12} {'model':>12} {'rel.error':>9}"]
    for fid, row in table.items():
        if row["unit"] == "people":
            a, m = f"{row['article']:,.0f}", f"{row['model']:,.0f}"
        else:
            a, m = f"{row['article']:.3f}", f"{row['model']:.3f}"
        a = {"lower": ">=", "upper": "<="}.get(row.get("bound"), "") + a
        lines.append(f"{fid:<4} {row['metric']:<24} {a:>12} {m:>12} {row['rel_error']:>+9.2%}")
    return "\n".join(lines)
