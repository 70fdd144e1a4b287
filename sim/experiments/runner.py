"""A run without Hydra: config in, results out (`run(cfg) -> Result`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..core.model import LaborExportModel
from ..core.params import Config
from . import targets

SUMMARY_YEAR = 2021
BAND = (0.05, 0.95)  # the 90% interval over replicates
SERIES_KEYS = ["month", "metric", "group"]


@dataclass
class Result:
    summary: dict  # end-of-2021 metrics (mean over replicates), targets, run facts
    timeseries: pd.DataFrame  # month, metric, group, value (mean), low, high (90% over replicates)
    yearly: pd.DataFrame  # year, metric, value, low, high: end-of-year stocks, flows summed


def simulate(cfg: Config) -> LaborExportModel:
    """Build and run one seed. A progress bar counts the months on a terminal (never when quiet,
    nor when the output goes to a file or a sweep's log)."""
    model = LaborExportModel(cfg)
    months = len(model.labels) - 1
    with tqdm(total=months, desc=f"seed {cfg.seed}", unit="month", leave=False,
              disable=True if cfg.quiet else None) as bar:
        model.run(after_month=bar.update)
    return model


def full_years(months: list[str]) -> list[int]:
    """Calendar years whose twelve months the run covers."""
    years = sorted({int(m[:4]) for m in months})
    return [y for y in years if sum(m.startswith(f"{y}-") for m in months) == 12]


def run(cfg: Config, progress=None) -> Result:
    """Run `cfg.replicates` seeds (seed, seed+1, ...) and summarise them."""
    t0 = time.perf_counter()
    summaries, series, yearly = [], [], []
    for r in range(cfg.replicates):
        model = simulate(replace(cfg, seed=cfg.seed + r))
        summaries.append(model.recorder.year_summary(SUMMARY_YEAR))
        series.append(pd.DataFrame(model.recorder.rows(), columns=SERIES_KEYS + ["value"]))
        yearly.append(_yearly(model))
        if progress is not None:
            progress(r + 1)
    metrics = {k: float(np.mean([s[k] for s in summaries])) for k in summaries[0]}
    summary = {"metrics": metrics, "targets": targets.fit_table(metrics)}
    if cfg.replicates > 1:
        summary["interval90"] = {
            k: [float(np.quantile([s[k] for s in summaries], q)) for q in BAND]
            for k in summaries[0]}
        summary["replicate_metrics"] = summaries
    summary["run"] = {"seed": cfg.seed, "replicates": cfg.replicates,
                      "wall_seconds": round(time.perf_counter() - t0, 3)}
    return Result(summary=summary, timeseries=band(series, SERIES_KEYS),
                  yearly=band(yearly, ["year", "metric"]))


def _yearly(model: LaborExportModel) -> pd.DataFrame:
    rows = [(year, name, value)
            for year in full_years(model.recorder.months)
            for name, value in model.recorder.year_summary(year).items()]
    return pd.DataFrame(rows, columns=["year", "metric", "value"])


def band(frames: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    """Replicate frames (same rows, same order) -> mean with the 90% interval as low/high."""
    values = np.stack([f["value"].to_numpy(dtype=float) for f in frames])
    out = frames[0][keys].reset_index(drop=True).copy()
    out["value"] = values.mean(axis=0)
    out["low"], out["high"] = np.quantile(values, BAND, axis=0)
    return out
