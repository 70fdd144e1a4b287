"""Calibration by reference tables and forest weights, in rounds (`sim-calibrate`).

Round 1 draws the parameter sets from the priors; each later round draws them from a box that
holds the last round's posterior (`forest_posterior.truncation_box`), so its runs fall where the
data can be. The last round's table, less the rows held out for simulation-based calibration,
trains the forest that gives the posterior of the article's figures; the held-out rows check
that forest's posteriors (`forest_posterior.sbc_table`). Every table is kept on disk, chunk by
chunk, so a stopped calibration resumes where it stopped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.params import Config
from . import forest_posterior as fp
from . import reference_table as rt
from .calibration import Identification, _standardized_effects, _weighted_correlations, observed
from .posterior import Parameter

HELD_OUT = 200  # rows of the last round kept out of the forest: SBC's data sets


@dataclass
class Result:
    draws: pd.DataFrame  # equally weighted posterior draws
    theta: pd.DataFrame  # the last round's training rows
    weights: np.ndarray  # their posterior weights for the data
    boxes: list  # each round's box
    sbc: pd.DataFrame
    ident: Identification
    simulations: int


def run(base: Config, params: list[Parameter], folder: Path, rounds: list[int], workers: int,
        seed: int, draws: int, procs: int, data: dict | None = None, progress=None) -> Result:
    data = data or observed()
    box = rt.Box.prior(params)
    boxes, simulations = [box], 0
    first = None
    for k, n in enumerate(rounds):
        table = folder / f"round-{k + 1}"
        rt.simulate(base, params, box, n, table, workers, seed + k, procs, progress=progress)
        theta, figures = rt.read(table)
        simulations += n
        if first is None:
            first = (theta, figures)
        last = k == len(rounds) - 1
        train = slice(HELD_OUT, None) if last else slice(None)
        forest = fp.fit(theta.iloc[train], figures.iloc[train], params, box, seed=seed, procs=procs)
        weights = forest.weights(pd.DataFrame([data]))[0]
        if not last:
            box = fp.truncation_box(theta, weights, params, box)
            boxes.append(box)
    ranks = fp.ranks(forest, theta.iloc[HELD_OUT:], theta.iloc[:HELD_OUT],
                     figures.iloc[:HELD_OUT], params)
    train_theta = theta.iloc[HELD_OUT:].reset_index(drop=True)
    out_draws = fp.resample(train_theta, weights, draws, seed, params)
    ident = identification(train_theta, weights, params, first)
    return Result(draws=out_draws, theta=train_theta, weights=weights, boxes=boxes,
                  sbc=fp.sbc_table(ranks), ident=ident, simulations=simulations)


def identification(theta: pd.DataFrame, weights: np.ndarray, params: list[Parameter],
                   first: tuple[pd.DataFrame, pd.DataFrame]) -> Identification:
    """What the posterior says of each parameter against its prior (as
    sim.experiments.calibration.identification says it of an ABC-SMC population)."""
    rows = []
    for p in params:
        x = theta[p.name].to_numpy(float)
        low, median, high = fp.weighted_quantiles(x, weights, (0.05, 0.5, 0.95))
        prior_low, prior_high = p.low + 0.05 * p.width, p.high - 0.05 * p.width
        rows.append({"parameter": p.name, "role": p.role, "prior_low": prior_low,
                     "prior_high": prior_high, "posterior_low": float(low),
                     "posterior_high": float(high), "median": float(median),
                     "width_ratio": float((high - low) / (prior_high - prior_low)),
                     "identified": bool((high - low) <= 0.5 * (prior_high - prior_low))})
    prior_theta, prior_figures = first
    as_population = pd.concat([prior_theta.add_prefix("par_"),
                               prior_figures.add_prefix("sumstat_")], axis=1)
    return Identification(table=pd.DataFrame(rows),
                          correlations=_weighted_correlations(theta[[p.name for p in params]], weights),
                          informs=_standardized_effects(as_population, params))


def sbc_json(sbc: pd.DataFrame) -> dict:
    """What conf/calibration/sbc.json keeps (sim-validate reads `parameters_passing`)."""
    return {"datasets": int(sbc.datasets.max()), "parameters": len(sbc),
            "parameters_passing": int(sbc.passes.sum()),
            "rule": "rank histogram (10 bins) not rejected by chi-square at 1%, and the central "
                    "90% interval covering the known value in 80% to 97% of the data sets",
            "by_parameter": json.loads(sbc.to_json(orient="records"))}
