"""Calibration by truncated sequential neural posterior estimation (`sim-calibrate --method npe`).

Round 1 draws parameter sets from the priors and runs the model at each (a reference table,
sim.experiments.reference_table); a flow trained on it (sim.experiments.npe) gives a first
posterior of the article's figures, and the next round draws from a box that holds it
(`npe.truncation_box`), so that its runs fall where the data can be. The last round's table,
less the rows held out, trains the estimator that gives the posterior; the held-out rows are
data sets with known parameters for simulation-based calibration (SBC). Every table stays on disk
chunk by chunk, so a stopped calibration resumes where it stopped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.params import Config
from . import npe
from . import reference_table as rt
from .calibration import (Identification, _standardized_effects, _weighted_correlations, observed,
                          parameter_table)
from .posterior import Parameter, constraints as prior_constraints

HELD_OUT = 200  # rows of the last round kept out of training: SBC's data sets


@dataclass
class Result:
    draws: pd.DataFrame  # posterior draws, each its own parameter set
    point_fit: dict  # the draw whose runs lie nearest the data (`nearest_draw`)
    boxes: list  # each round's box
    rows: list  # each round's rows
    sbc: pd.DataFrame
    edges: dict  # share of draws at a cut edge of the last box, per parameter
    ident: Identification


def run(base: Config, params: list[Parameter], folder: Path, rounds: list[int], workers: int,
        seed: int, draws: int, procs: int, data: dict | None = None, progress=None,
        train_seed: int = 0, candidates: int = 200) -> Result:
    data = data or observed()
    prior = box = rt.Box.prior(params)
    boxes, rows, first, table = [], [], None, None
    for k, n in enumerate(rounds):
        folder_k = folder / f"round-{k + 1}"
        if k > 0:
            # a round's box is chosen once, when the round starts, and kept with its table
            box = rt.stored_box(folder_k) or _next_box(table, params, box, data, seed, train_seed)
        boxes.append(box)
        rt.simulate(base, params, box, n, folder_k, workers, seed + k, procs, progress=progress)
        table = rt.read(folder_k)
        rows.append(len(table[0]))
        first = first or table
    theta, figures = table
    estimator = npe.train(theta.iloc[HELD_OUT:], figures.iloc[HELD_OUT:], params, box,
                          seed=train_seed)
    posterior = estimator.draws(data, draws, seed)
    ranks = npe.ranks(estimator, theta.iloc[:HELD_OUT], figures.iloc[:HELD_OUT], seed=seed)
    point_fit = nearest_draw(base, params, posterior, data, workers, procs, candidates, seed)
    return Result(draws=posterior, point_fit=point_fit, boxes=boxes, rows=rows, sbc=npe.sbc_table(ranks),
                  edges=npe.at_the_edges(posterior, params, box, prior),
                  ident=identification(posterior, params, first))


POINT_SEEDS = 2


def nearest_draw(base: Config, params: list[Parameter], draws: pd.DataFrame, data: dict,
                 workers: int, procs: int, candidates: int, seed: int) -> dict[str, float]:
    """The point fit: of the first `candidates` posterior draws, the one whose figures (the mean
    of POINT_SEEDS runs) lie nearest the data by the calibration's distance. The draw nearest the
    draws' centre (sim.experiments.calibration.point_fit) and the draw of highest density both lay
    off the migrant constants' ridge in a posterior this wide (T2 7 to 21 tolerances off where the
    median draw is within one); a draw chosen by its runs is on it."""
    from joblib import Parallel, delayed

    from .calibration import Simulator, scaled_distance

    rows = [draws.iloc[i].to_dict() for i in range(min(candidates, len(draws)))]
    jobs = [delayed(Simulator(base, params, workers, seed=seed + 7919 * k).figures)(row)
            for row in rows for k in range(POINT_SEEDS)]
    runs = Parallel(n_jobs=procs)(jobs)
    distance = []
    for i in range(len(rows)):
        mine = runs[i * POINT_SEEDS:(i + 1) * POINT_SEEDS]
        distance.append(scaled_distance({key: float(np.mean([r[key] for r in mine]))
                                         for key in runs[0]}, data))
    return {p.name: float(rows[int(np.argmin(distance))][p.name]) for p in params}


def _next_box(table, params: list[Parameter], box: rt.Box, data: dict, seed: int,
              train_seed: int) -> rt.Box:
    """The box of the next round: one that holds the posterior of a flow trained on this one."""
    theta, figures = table
    estimator = npe.train(theta, figures, params, box, seed=train_seed)
    return npe.truncation_box(estimator.draws(data, 4000, seed), params, box)


def identification(draws: pd.DataFrame, params: list[Parameter],
                   first: tuple[pd.DataFrame, pd.DataFrame]) -> Identification:
    """What the posterior says of each parameter against its prior (as
    sim.experiments.calibration.identification says it of an ABC-SMC population); which figures
    move which parameter, over the first round (drawn from the priors)."""
    prior_theta, prior_figures = first
    as_population = pd.concat([prior_theta.add_prefix("par_"),
                               prior_figures.add_prefix("sumstat_")], axis=1)
    names = [p.name for p in params]
    equal = np.ones(len(draws))
    return Identification(table=parameter_table(draws, equal, params, prior_constraints()),
                          correlations=_weighted_correlations(draws[names].astype(float), equal),
                          informs=_standardized_effects(as_population, params))


def sbc_json(result: Result) -> dict:
    """What conf/calibration/sbc.json keeps (sim-validate reads `parameters_passing`)."""
    sbc = result.sbc
    return {"method": "truncated sequential neural posterior estimation (flowjax)",
            "datasets": int(sbc.datasets.max()), "parameters": len(sbc),
            "parameters_passing": int(sbc.passes.sum()),
            "rule": "rank histogram (10 bins) not rejected by chi-square at 1%, and the central "
                    "90% interval covering the known value in 80% to 97% of the data sets",
            "data_sets_from": "the last round's box (the prior cut to it), held out of training",
            "rounds": result.rows, "boxes": [b.to_json() for b in result.boxes],
            "by_parameter": json.loads(sbc.to_json(orient="records"))}
