"""The studies' tables as CSV an analyst can read: numbers written out in full (no scientific
notation: yuan and people whole, other values to six significant digits) and, where a table has
one metric per row, the metric's unit beside it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def unit(metric: str) -> str:
    """The unit a metric is counted in."""
    if metric.startswith("cost_per") or metric.startswith("cost_"):
        return "yuan"
    if metric in ("income_per_person",):
        return "yuan a year per household member"
    if "income" in metric or metric.endswith("_mean"):
        return "yuan"
    if metric.endswith("share") or metric.endswith("growth") or metric == "fit_error":
        return "ratio"
    if metric.endswith("_months"):
        return "person-months"
    if "households" in metric:
        return "households"
    return "people"


def _number(value: float) -> str:
    if pd.isna(value):
        return ""
    if abs(value) >= 1e5:
        return f"{value:.0f}"
    return f"{value:.6g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.6f}"


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """`frame` as CSV with readable numbers, and a `unit` column after `metric` if it has one."""
    out = frame.copy()
    if "metric" in out and "unit" not in out:
        out.insert(out.columns.get_loc("metric") + 1, "unit", out["metric"].map(unit))
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].map(_number)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False)
    return path
