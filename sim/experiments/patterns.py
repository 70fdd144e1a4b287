"""Patterns the calibration did not use, measured on a run's monthly series (docs/MODEL.md 5.4).

`python -m sim.experiments.patterns [scale] [seeds]` prints them; tests/test_patterns.py asserts them.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

MIGRANT = ("out_of_province", "in_province")
FESTIVALS = (("2021-01", "2021-02", "2021-04"), ("2021-12", "2022-01", "2022-04"))


def value(ts: pd.DataFrame, month: str, metrics, group: str = "all") -> float:
    rows = ts[(ts.month == month) & ts.metric.isin(metrics) & (ts.group == group)]
    return float(rows.value.sum())


def women_shares(ts: pd.DataFrame, month: str = "2021-12") -> tuple[float, float]:
    """Women's share among workers away and among workers in their county."""
    away = value(ts, month, MIGRANT, "sex=female") / value(ts, month, MIGRANT)
    local = value(ts, month, ["in_county"], "sex=female") / value(ts, month, ["in_county"])
    return away, local


def festival(ts: pd.DataFrame) -> list[tuple[str, float, float]]:
    """Per festival: migrant work in the festival month and three months later, each as a share
    of the month before the festival."""
    out = []
    for before, month, after in FESTIVALS:
        level = value(ts, before, MIGRANT)
        out.append((month, value(ts, month, MIGRANT) / level, value(ts, after, MIGRANT) / level))
    return out


def recovery(ts: pd.DataFrame, metrics=MIGRANT) -> dict[str, float]:
    """Migrant work (or `metrics`, such as ("in_work",)) by month as a share of January 2021 (for
    the epidemic_2020 scenario)."""
    base = value(ts, "2021-01", metrics)
    return {m: value(ts, m, metrics) / base for m in ("2021-02", "2021-03", "2021-04", "2021-05",
                                                      "2021-06", "2021-09")}


def mean_series(configs) -> pd.DataFrame:
    from .runner import run

    frames = [run(cfg).timeseries for cfg in configs]
    ts = frames[0].copy()
    ts["value"] = np.mean([f["value"].to_numpy() for f in frames], axis=0)
    return ts


def main() -> None:
    from .compose import load

    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 0.1
    seeds = range(int(sys.argv[2]) if len(sys.argv) > 2 else 3)

    def runs(*overrides):
        return mean_series([load([f"population.scale={scale}", f"seed={s}", *overrides]) for s in seeds])

    away, local = women_shares(runs())
    print(f"women's share, December 2021: away {away:.1%}, in the county {local:.1%}")
    for month, low, back in festival(runs("scenario.end=2022-04", "scenario.disruption_scale=0")):
        print(f"festival {month}: migrant work {low:.1%} of the month before; {back:.1%} three "
              "months after")
    shares = recovery(runs("scenario=epidemic_2020"))
    print("epidemic_2020, migrant work as a share of January 2021: "
          + ", ".join(f"{m} {v:.1%}" for m, v in shares.items()))


if __name__ == "__main__":
    main()
