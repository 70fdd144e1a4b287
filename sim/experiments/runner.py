"""A run without Hydra: config in, results out (`run(cfg) -> Result`)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..core.model import LaborExportModel
from ..core.params import Config
from . import targets
from .posterior import job_configs

SUMMARY_YEAR = 2021
BAND = (0.05, 0.95)  # the 90% interval over replicates
SERIES_KEYS = ["month", "metric", "group"]


@dataclass
class Result:
    summary: dict  # end-of-2021 metrics (mean over replicates), targets, run facts
    timeseries: pd.DataFrame  # month, metric, group, value (mean), low, high (90% over replicates)
    yearly: pd.DataFrame  # year, metric, group, value, low, high: end-of-year stocks, flows
    # summed, the year's outcomes (group `all`, and by reporting group)
    groups: pd.DataFrame | None = None  # year, dimension, group, metric, value, low, high:
    # December outcomes by group of workers and households, and by county (sim.core.groups)


def simulate(cfg: Config) -> LaborExportModel:
    """Build and run one seed. A progress bar counts the months on a terminal (never when quiet,
    nor when the output goes to a file or a sweep's log)."""
    model = LaborExportModel(cfg)
    months = len(model.labels) - 1
    with tqdm(total=months, desc=f"seed {cfg.seed}", unit="month", leave=False,
              disable=True if cfg.quiet else None) as bar:
        model.run(after_month=bar.update)
    return model


def year_figures(model: LaborExportModel, year: int = SUMMARY_YEAR) -> dict[str, float]:
    """The year's metrics (`Recorder.year_summary`), the monthly ratios the figures compare
    with (targets.MONTH_RATIOS) and the figures derived from them (targets.derived_metrics)."""
    out = model.recorder.year_summary(year)
    rec = model.recorder
    for name, (metric, month, below) in targets.MONTH_RATIOS.items():
        if month in rec.months and below in rec.months:
            out[name] = (rec.by_month[rec.months.index(month)][metric]
                         / rec.by_month[rec.months.index(below)][metric])
    out.update(targets.derived_metrics(out))
    return out


def full_years(months: list[str]) -> list[int]:
    """Calendar years whose twelve months the run covers."""
    years = sorted({int(m[:4]) for m in months})
    return [y for y in years if sum(m.startswith(f"{y}-") for m in months) == 12]


def run(cfg: Config, progress=None) -> Result:
    """Run the job's configs (`runs`) and summarise them: means, and 90% intervals over seeds and
    posterior draws (which they cover is in the summary's `run` section)."""
    t0 = time.perf_counter()
    summaries, series, yearly, by_group = [], [], [], []
    plan = job_configs(cfg)
    for k, (draw, one) in enumerate(plan):
        model = simulate(one)
        summaries.append({**year_figures(model), "posterior_draw": draw, "seed": one.seed})
        series.append(pd.DataFrame(model.recorder.rows(), columns=SERIES_KEYS + ["value"]))
        yearly.append(_yearly(model))
        by_group.append(pd.DataFrame([(y, *row) for y, rows in model.recorder.groups.items()
                                      for row in rows], columns=GROUP_KEYS + ["value"]))
        if progress is not None:
            progress(k + 1)
    names = [k for k in summaries[0] if k not in ("posterior_draw", "seed")]
    metrics = {k: float(np.mean([s[k] for s in summaries])) for k in names}
    summary = {"metrics": metrics, "targets": targets.fit_table(metrics)}
    if len(plan) > 1:
        summary["interval90"] = {
            k: [float(np.quantile([s[k] for s in summaries], q)) for q in BAND] for k in names}
        summary["replicate_metrics"] = summaries
    seeds = f"{cfg.replicates} seed" + ("s" if cfg.replicates > 1 else "")
    covers = f"{cfg.ensemble} posterior draws x {seeds}" if cfg.ensemble else seeds
    summary["run"] = {"seed": cfg.seed, "replicates": cfg.replicates,
                      "posterior_draw": cfg.posterior_draw, "ensemble": cfg.ensemble,
                      "interval_covers": covers,
                      "wall_seconds": round(time.perf_counter() - t0, 3)}
    return Result(summary=summary, timeseries=band(series, SERIES_KEYS),
                  yearly=band(yearly, YEARLY_KEYS), groups=band(by_group, GROUP_KEYS))


YEARLY_KEYS = ["year", "metric", "group"]
GROUP_KEYS = ["year", "dimension", "group", "metric"]


def _yearly(model: LaborExportModel) -> pd.DataFrame:
    """The year's metrics for everyone (group `all`), then its outcomes by reporting group."""
    rec = model.recorder
    rows = []
    for year in full_years(rec.months):
        rows += [(year, name, "all", value) for name, value in rec.year_summary(year).items()]
        rows += [(year, name, group, value) for name, group, value in rec.year_groups(year)]
    return pd.DataFrame(rows, columns=YEARLY_KEYS + ["value"])


def band(frames: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    """Replicate frames (same rows, same order) -> mean with the 90% interval as low/high."""
    values = np.stack([f["value"].to_numpy(dtype=float) for f in frames])
    out = frames[0][keys].reset_index(drop=True).copy()
    out["value"] = values.mean(axis=0)
    out["low"], out["high"] = np.quantile(values, BAND, axis=0)
    return out
