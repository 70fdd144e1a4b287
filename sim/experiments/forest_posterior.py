"""The posterior from a reference table by random-forest weights, and its simulation-based check.

A regression forest learns the parameters (each on the logit of its place in the box it was
drawn from, standardized) from the fitted figures over the reference table (Raynal, Marin,
Pudlo, Ribatet, Robert & Estoup 2019, ABC random forests). For a data set, each table row's
weight is how often, over the trees, it shares the data's leaf, divided by that leaf's size
(the weights of Meinshausen's 2006 quantile regression forests, taken jointly over all
parameters). The posterior is the table's own rows with those weights: parameter sets the model
ran, nothing moved past them by a regression (the linear adjustment of the ABC-SMC posterior
moved draws to where no particle had been), and its effective sample is the weights' Kish size.

One forest serves every data set, so simulation-based calibration (Talts, Betancourt, Simpson,
Vehtari & Gelman 2018) costs no new model run: rows held out of the forest's training are data
sets with known parameters; the weighted rank of each known value among its posterior must be
uniform, and each 90% interval must cover it 90% of the time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .posterior import Parameter
from .reference_table import Box

TREES = 300
LEAF = 20  # rows at least per leaf: the posterior's smallest grain (its effective sample grows with it)
LEVEL = 0.90
SBC_BINS = 10


def _logit(theta: pd.DataFrame, params: list[Parameter], box: Box) -> np.ndarray:
    low = np.array([box.low[p.name] for p in params])
    width = np.array([box.high[p.name] - box.low[p.name] for p in params])
    share = np.clip((theta[[p.name for p in params]].to_numpy(float) - low) / width, 1e-6, 1 - 1e-6)
    return np.log(share / (1 - share))


@dataclass
class Forest:
    """A fitted forest and the leaf of every training row in every tree."""

    model: object
    leaves: np.ndarray  # rows x trees
    figure_ids: list[str]

    def weights(self, figures: pd.DataFrame) -> np.ndarray:
        """One row of table weights (summing to 1) per data set in `figures`."""
        target = self.model.apply(figures[self.figure_ids].to_numpy(float))
        out = np.zeros((len(target), len(self.leaves)))
        for t in range(self.leaves.shape[1]):
            same = self.leaves[:, t][None, :] == target[:, t][:, None]
            out += same / same.sum(axis=1, keepdims=True)
        return out / self.leaves.shape[1]


def fit(theta: pd.DataFrame, figures: pd.DataFrame, params: list[Parameter], box: Box,
        trees: int = TREES, leaf: int = LEAF, seed: int = 0, procs: int = 2) -> Forest:
    from sklearn.ensemble import RandomForestRegressor

    y = _logit(theta, params, box)
    y = (y - y.mean(axis=0)) / y.std(axis=0)
    ids = list(figures.columns)
    model = RandomForestRegressor(n_estimators=trees, min_samples_leaf=leaf, max_features=1 / 3,
                                  random_state=seed, n_jobs=procs)
    x = figures[ids].to_numpy(float)
    model.fit(x, y)
    return Forest(model=model, leaves=model.apply(x), figure_ids=ids)


def effective_sample(weights: np.ndarray) -> float:
    """Kish's effective sample size of weights."""
    return float(weights.sum() ** 2 / (weights ** 2).sum())


def resample(theta: pd.DataFrame, weights: np.ndarray, n: int, seed: int,
             params: list[Parameter]) -> pd.DataFrame:
    """n equally weighted draws by systematic resampling (each row kept about n x its weight
    times, the fewest duplicates a resample can have)."""
    rng = np.random.default_rng(seed)
    positions = (rng.uniform() + np.arange(n)) / n
    picked = np.searchsorted(np.cumsum(weights / weights.sum()), positions)
    picked = rng.permutation(np.minimum(picked, len(theta) - 1))
    out = theta.iloc[picked][[p.name for p in params]].reset_index(drop=True)
    for p in params:
        if p.integer:
            out[p.name] = out[p.name].round().astype(int)
    out.index.name = "draw"
    return out


def truncation_box(theta: pd.DataFrame, weights: np.ndarray, params: list[Parameter],
                   box: Box, margin: float = 0.1, tail: float = 5e-4) -> Box:
    """A box holding the posterior: per parameter the weighted `tail` to 1 - `tail` range,
    widened by `margin` of itself on each side, inside the box drawn from. A prior truncated to
    a box that holds the posterior leaves the posterior as it is (Deistler et al. 2022), and the
    next round's rows all fall where the data can be."""
    low, high = {}, {}
    for p in params:
        a, b = weighted_quantiles(theta[p.name].to_numpy(float), weights, (tail, 1 - tail))
        pad = margin * (b - a)
        low[p.name] = max(box.low[p.name], a - pad)
        high[p.name] = min(box.high[p.name], b + pad)
    return Box(low, high)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, q) -> np.ndarray:
    order = np.argsort(values)
    cum = np.cumsum(weights[order]) / weights.sum()
    idx = np.minimum(np.searchsorted(cum, np.asarray(q)), len(values) - 1)
    return values[order][idx]


def ranks(forest: Forest, theta_train: pd.DataFrame, theta_test: pd.DataFrame,
          figures_test: pd.DataFrame, params: list[Parameter]) -> pd.DataFrame:
    """For each held-out row and parameter, the posterior weight below its known value: uniform
    on (0, 1) when the posterior is calibrated."""
    w = forest.weights(figures_test)
    out = {}
    for p in params:
        below = theta_train[p.name].to_numpy(float)[None, :] < theta_test[p.name].to_numpy(float)[:, None]
        out[p.name] = (w * below).sum(axis=1)
    return pd.DataFrame(out, index=theta_test.index)


def sbc_table(rank: pd.DataFrame, level: float = LEVEL, bins: int = SBC_BINS,
              alpha: float = 0.01) -> pd.DataFrame:
    """Per parameter: the chi-square test of the rank histogram's uniformity (`bins` bins), the
    coverage of the central `level` interval, and whether both pass (not rejected at `alpha`;
    coverage between 0.80 and 0.97)."""
    tail = (1 - level) / 2
    rows = []
    for name in rank.columns:
        r = rank[name].to_numpy(float)
        counts = np.histogram(np.clip(r, 0, 1 - 1e-12), bins=bins, range=(0, 1))[0]
        p_value = float(stats.chisquare(counts).pvalue)
        coverage = float(((r >= tail) & (r <= 1 - tail)).mean())
        rows.append({"parameter": name, "datasets": len(r), "histogram": counts.tolist(),
                     "p_value": p_value, "coverage": coverage,
                     "passes": bool(p_value >= alpha and 0.80 <= coverage <= 0.97)})
    return pd.DataFrame(rows)
