"""A run without Hydra: config in, results out (`run(cfg) -> Result`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from . import targets
from .config import Config
from .model import LaborExportModel

SUMMARY_YEAR = 2021


@dataclass
class Result:
    summary: dict  # end-of-2021 metrics (mean over replicates), targets, run facts
    timeseries: pd.DataFrame  # month, metric, group, value (mean over replicates)


def simulate(cfg: Config) -> LaborExportModel:
    model = LaborExportModel(cfg)
    model.run()
    return model


def run(cfg: Config, progress=None) -> Result:
    """Run `cfg.replicates` seeds (seed, seed+1, ...) and summarise them."""
    t0 = time.perf_counter()
    summaries, series = [], []
    for r in range(cfg.replicates):
        model = simulate(replace(cfg, seed=cfg.seed + r))
        summaries.append(model.recorder.year_summary(SUMMARY_YEAR))
        frame = pd.DataFrame(model.recorder.rows(), columns=["month", "metric", "group", "value"])
        series.append(frame)
        if progress is not None:
            progress(r + 1)
    metrics = {k: float(np.mean([s[k] for s in summaries])) for k in summaries[0]}
    summary = {"metrics": metrics, "targets": targets.fit_table(metrics)}
    if cfg.replicates > 1:
        summary["interval90"] = {
            k: [float(np.quantile([s[k] for s in summaries], q)) for q in (0.05, 0.95)]
            for k in summaries[0]}
        summary["replicate_metrics"] = summaries
    ts = pd.concat(series).groupby(["month", "metric", "group"], sort=False, as_index=False)["value"].mean()
    summary["run"] = {"seed": cfg.seed, "replicates": cfg.replicates,
                      "wall_seconds": round(time.perf_counter() - t0, 3)}
    return Result(summary=summary, timeseries=ts)
