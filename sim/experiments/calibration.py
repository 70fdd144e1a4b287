"""Bayesian calibration: ABC-SMC (pyabc) of the behaviour parameters against the fitted figures.

Priors come from the evidence (conf/calibration/priors.yaml, one justification each). A particle
is a parameter set; the model runs it at a reduced population (`workers`, the same number of
agents whatever the labour force) with a seed drawn from the parameters themselves, and returns
the fitted figures (`targets.fitted`, those with `in_distance`). The distance is the root sum of
squares of each figure's relative error over its tolerance, so that a distance of sqrt(n) means
every figure at the edge of its tolerance. Populations shrink the tolerance (a quantile of the
last population's distances, 0.2 by default) until `minimum_epsilon`, the number of populations or
the wall time is reached.

The posterior is the last population, regression-adjusted to the data (Beaumont, Zhang & Balding
2002; `last_population`: an hour on two cores ends at a tolerance of several units, and the
adjustment carries the population to the data along the local slope of parameters on figures),
resampled by its weights into equally weighted draws (conf/calibration/posterior.csv); its
centre (`point_fit`) is the point fit (conf/calibration/fitted.yaml). The adjustment is part of the method
the recovery test checks (tests/test_calibration.py).
pyabc's samplers run the particles on local cores (`MulticoreEvalParallelSampler`) or, unchanged,
on a Dask cluster (`DaskDistributedSampler`): see docs/running.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..core.params import Config
from . import targets
from .posterior import Constraint, Parameter, constraints as prior_constraints, with_values
from .run_files import atomic_write
from .runner import simulate, year_figures

WORKERS = 25_000  # agents simulated per particle (seed noise about as at 50,000: docs/MODEL.md 5.3)


def particle_seed(values: dict[str, float]) -> int:
    """A seed drawn from the parameter values: the same particle always runs the same draws,
    different particles different ones."""
    text = json.dumps({k: float(v) for k, v in sorted(values.items())})
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def model_data(base: Config, params: list[Parameter], values: dict[str, float], workers: int,
               seeds: int = 8, first_seed: int = 12345) -> dict[str, float]:
    """Data the model made at known `values`: each figure's mean over `seeds` runs at a
    particle's size. Like the article's figures, a population's and not one seed's draw (little
    seed noise of their own), and at the particles' own scale, so that a figure that moves a
    little with the number of agents does not count as a difference of parameters."""
    runs = [Simulator(base, params, workers, seed=first_seed + k).figures(values)
            for k in range(seeds)]
    return {key: float(np.mean([r[key] for r in runs])) for key in runs[0]}


def distance_figures() -> list[dict]:
    """The fitted figures the distance uses (T1 and E1 are matched through T2-T5)."""
    return [f for f in targets.fitted() if f.get("in_distance", True)]


def observed() -> dict[str, float]:
    return {f["id"]: float(f["value"]) for f in distance_figures()}


class Simulator:
    """The model as pyabc's model function: parameter values -> the fitted figures. A plain
    object (picklable) so that pyabc's samplers can send it to other processes or machines."""

    def __init__(self, base: Config, params: list[Parameter], workers: int = WORKERS,
                 seed: int | None = None) -> None:
        self.base, self.params, self.workers, self.seed = base, params, workers, seed

    def config(self, values: dict[str, float]) -> Config:
        cfg = with_values(self.base, self.params, values)
        scale = self.workers / cfg.population.labour_force
        seed = self.seed if self.seed is not None else particle_seed(values)
        return replace(cfg, seed=seed, quiet=True, population=replace(cfg.population, scale=scale))

    def figures(self, values: dict[str, float]) -> dict[str, float]:
        summary = year_figures(simulate(self.config(values)))
        table = targets.fit_table(summary)
        return {f["id"]: table[f["id"]]["model"] for f in distance_figures()}

    def __call__(self, parameter) -> dict[str, float]:
        return self.figures(dict(parameter))


def distance_weights() -> dict[str, float]:
    """1 / (tolerance x figure)^2 per figure: the squared relative error in units of tolerance."""
    return {f["id"]: 1.0 / (f["tolerance"] * float(f["value"])) ** 2 for f in distance_figures()}


def scaled_distance(simulated: dict, data: dict) -> float:
    """The root sum of squares of each figure's relative error over its tolerance."""
    weights = distance_weights()
    return float(np.sqrt(sum(weights[k] * (simulated[k] - data[k]) ** 2 for k in weights)))


def set_aside(db: Path) -> Path | None:
    """An existing database moved out of the way of a new run, never deleted: renamed with the
    time it was set aside (abc.db -> abc.db.2026-12-07_20-49-28, a counter added if taken).
    Returns its new path, or None when there was none."""
    db = Path(db)
    if not db.exists():
        return None
    stamp = time.strftime("%Y-%m-%d_%H-%M-%S")
    kept, n = db.with_name(f"{db.name}.{stamp}"), 1
    while kept.exists():
        n += 1
        kept = db.with_name(f"{db.name}.{stamp}-{n}")
    os.rename(db, kept)
    return kept


def calibrate(base: Config, params: list[Parameter], db: Path, particles: int,
              populations: int, walltime_minutes: float, minimum_epsilon: float,
              sampler=None, data: dict | None = None, workers: int = WORKERS,
              seed: int = 0, quantile: float = 0.3, resume: bool = False):
    """Run ABC-SMC and return its pyabc History (also kept in the sqlite database `db`). Each
    population's tolerance is the `quantile` of the last population's distances. With `resume`,
    the run already in `db` goes on from its last population (`populations` more at most), so
    a run stopped by its walltime or by a lost machine is not started again. Without it, a
    database already at `db` is set aside (`set_aside`), never deleted."""
    import pyabc

    np.random.seed(seed)  # pyabc draws its particles from numpy's global generator
    prior = pyabc.Distribution(**{p.name: pyabc.RV("uniform", p.low, p.width) for p in params})
    abc = pyabc.ABCSMC(Simulator(base, params, workers), prior, scaled_distance,
                       population_size=particles, sampler=sampler,
                       eps=pyabc.epsilon.QuantileEpsilon(alpha=quantile))
    db.parent.mkdir(parents=True, exist_ok=True)
    if resume:
        abc.load(f"sqlite:///{db}", 1)
    else:
        set_aside(db)  # pyabc would add the new run to the old one's file
        abc.new(f"sqlite:///{db}", data or observed())
    return abc.run(minimum_epsilon=minimum_epsilon, max_nr_populations=populations,
                   max_walltime=timedelta(minutes=walltime_minutes))


def last_population(history, params: list[Parameter], adjust: bool = True,
                    data: dict | None = None,
                    bounds: list[Constraint] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The last population's particles and weights; with `adjust`, regression-adjusted
    (Beaumont, Zhang & Balding 2002): each particle is moved by what a weighted linear regression
    of the parameters on its figures says separates its figures from the data, so a population
    accepted at a wide tolerance says what it would at the data itself. The regression runs on
    the logit of each parameter's place in its prior range (the adjusted values stay inside the
    priors) and on the figures' errors in tolerances (the distance's own scale), with the
    particles' weights times the Epanechnikov kernel of their distance.

    The prior's constraints (`bounds`, by default those of conf/calibration/priors.yaml that
    apply to these parameters) cut the uniform box: a particle outside them has prior density 0,
    so its weight is set to 0. ABC-SMC weights are prior over proposal density, so this is the
    population a run under the cut prior would give; it is applied after the adjustment, which
    estimates how the figures move with the parameters and needs no prior."""
    pop = history.get_population_extended(t=history.max_t)
    names = [p.name for p in params]
    theta = pop[[f"par_{n}" for n in names]].to_numpy(float)
    weights = pop["w"].to_numpy(float)
    bounds = [c for c in (prior_constraints() if bounds is None else bounds) if c.applies(names)]
    accepted = pd.DataFrame(theta, columns=names)
    if not adjust:
        return accepted, weights * _inside(accepted, bounds)
    observed_values = data or observed()
    figures = distance_figures()
    z = np.column_stack([(pop[f"sumstat_{f['id']}"].to_numpy(float) - observed_values[f["id"]])
                         / (f["tolerance"] * float(f["value"])) for f in figures])
    distance = np.sqrt((z ** 2).sum(axis=1))
    kernel = weights * np.clip(1.0 - (distance / distance.max()) ** 2, 0.0, None)
    low = np.array([p.low for p in params])
    width = np.array([p.width for p in params])
    u = _logit_share(theta, low, width)
    X = np.c_[np.ones(len(z)), z]
    if kernel.sum() ** 2 / (kernel ** 2).sum() <= X.shape[1] + 1:
        # too few accepted particles for the figures to fit the regression: the population as
        # accepted (plain ABC at its tolerance, wider than adjusted), said aloud
        warnings.warn(f"the last population has too few particles ({len(z)}) to regression-adjust "
                      f"on {z.shape[1]} figures; its particles are used as accepted", stacklevel=2)
        return accepted, weights * _inside(accepted, bounds)
    root = np.sqrt(kernel)[:, None]
    beta, *_ = np.linalg.lstsq(X * root, u * root, rcond=None)
    # the residuals of a regression fitted to the same particles understate the spread around
    # the data by the regressors it spent: widen them by the degrees of freedom, counted with the
    # kernel weights' effective sample size (Kish), so that the intervals keep their coverage
    # when there are few particles for many figures
    residual = u - X @ beta
    u_adjusted = beta[0] + residual * degrees_of_freedom_factor(kernel, X.shape[1])
    adjusted = pd.DataFrame(low + width / (1 + np.exp(-u_adjusted)), columns=names)
    kernel = kernel * _inside(adjusted, bounds)
    if kernel.sum() <= 0:
        raise ValueError("no particle of the last population meets the prior's constraints")
    return adjusted, kernel


def _inside(frame: pd.DataFrame, bounds: list[Constraint]) -> np.ndarray:
    """1 where a row meets every constraint, else 0."""
    ok = np.ones(len(frame), bool)
    for c in bounds:
        ok &= c.holds(frame)
    return ok.astype(np.float64)


def prior_intervals(params: list[Parameter], bounds: list[Constraint], level: float = 0.90,
                    size: int = 400_000, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Each parameter's central prior interval: of its uniform range, or, where constraints cut
    the box, of the cut prior's marginal (by Monte Carlo draws from the box)."""
    tail = (1 - level) / 2
    names = [p.name for p in params]
    out = {p.name: (p.low + tail * p.width, p.high - tail * p.width) for p in params}
    bounds = [c for c in bounds if c.applies(names)]
    if not bounds:
        return out
    rng = np.random.default_rng(seed)
    box = pd.DataFrame({p.name: rng.uniform(p.low, p.high, size) for p in params})
    kept = box[_inside(box, bounds) > 0]
    for p in params:
        low, high = np.quantile(kept[p.name], (tail, 1 - tail))
        out[p.name] = (float(low), float(high))
    return out


def degrees_of_freedom_factor(weights: np.ndarray, regressors: int) -> float:
    """sqrt(n / (n - k)) for `regressors` = k and n the weights' effective sample size
    (sum w)^2 / sum w^2; no finite factor when n <= k + 1 (the regression is not to be trusted)."""
    n = weights.sum() ** 2 / (weights ** 2).sum()
    if n <= regressors + 1:
        raise ValueError(f"the regression adjustment needs more accepted particles than figures: "
                         f"effective sample {n:.1f} for {regressors} coefficients")
    return float(np.sqrt(n / (n - regressors)))


def posterior(history, params: list[Parameter], draws: int, seed: int = 0,
              adjust: bool = True, data: dict | None = None) -> pd.DataFrame:
    """The last population (regression-adjusted, `last_population`) resampled by its weights
    into `draws` equally weighted draws."""
    frame, weights = last_population(history, params, adjust, data)
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(frame), size=draws, replace=True, p=weights / weights.sum())
    out = frame.iloc[picked][[p.name for p in params]].reset_index(drop=True)
    for p in params:
        if p.integer:
            out[p.name] = out[p.name].round().astype(int)
    out.index.name = "draw"
    return out


def interval(values: np.ndarray, weights: np.ndarray | None = None, level: float = 0.90):
    """The central `level` interval of weighted values."""
    order = np.argsort(values)
    v = np.asarray(values)[order]
    w = np.ones(len(v)) if weights is None else np.asarray(weights)[order]
    cum = np.cumsum(w) / w.sum()
    tail = (1 - level) / 2
    return float(v[np.searchsorted(cum, tail)]), float(v[min(np.searchsorted(cum, 1 - tail), len(v) - 1)])


# ---- reading the posterior --------------------------------------------------------------------
@dataclass
class Identification:
    """What the calibration tells about each parameter."""

    table: pd.DataFrame  # per parameter: prior and posterior 90% intervals and widths, identified
    correlations: pd.DataFrame  # weighted correlations of the last population
    informs: pd.DataFrame  # figure x parameter: standardized effect over the prior predictive


def _weighted_correlations(frame: pd.DataFrame, weights: np.ndarray) -> pd.DataFrame:
    x = frame.to_numpy(float)
    w = weights / weights.sum()
    mean = w @ x
    cov = (x - mean).T @ ((x - mean) * w[:, None])
    sd = np.sqrt(np.diag(cov))
    return pd.DataFrame(cov / np.outer(sd, sd), index=frame.columns, columns=frame.columns)


def _standardized_effects(first: pd.DataFrame, params: list[Parameter]) -> pd.DataFrame:
    """Each figure regressed on the parameters over the first population (drawn from the prior):
    the standardized coefficients say which parameters move which figure."""
    names = [p.name for p in params]
    X = first[[f"par_{n}" for n in names]].to_numpy(float)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    rows = {}
    for f in distance_figures():
        y = first[f"sumstat_{f['id']}"].to_numpy(float)
        ok = np.isfinite(y)
        y = (y[ok] - y[ok].mean()) / (y[ok].std() or 1.0)
        coef, *_ = np.linalg.lstsq(np.c_[np.ones(ok.sum()), X[ok]], y, rcond=None)
        rows[f["id"]] = coef[1:]
    return pd.DataFrame(rows, index=names).T


def parameter_table(posterior: pd.DataFrame, weights: np.ndarray, params: list[Parameter],
                    bounds: list[Constraint]) -> pd.DataFrame:
    """Per parameter: its prior's and its (weighted) posterior's 90% intervals, the posterior
    median, the width ratio, and whether it is identified (at most half the prior's width)."""
    priors_90 = prior_intervals(params, bounds)
    rows = []
    for p in params:
        values = posterior[p.name].to_numpy(float)
        low, high = interval(values, weights)
        prior_low, prior_high = priors_90[p.name]
        prior_width = prior_high - prior_low
        rows.append({"parameter": p.name, "role": p.role, "prior_low": prior_low,
                     "prior_high": prior_high, "posterior_low": low, "posterior_high": high,
                     "median": interval(values, weights, 0.0)[0],
                     "width_ratio": (high - low) / prior_width,
                     "identified": (high - low) <= 0.5 * prior_width})
    return pd.DataFrame(rows)


def identification(history, params: list[Parameter], adjust: bool = True,
                   data: dict | None = None,
                   bounds: list[Constraint] | None = None) -> Identification:
    bounds = prior_constraints() if bounds is None else bounds
    last, weights = last_population(history, params, adjust, data, bounds)
    first = history.get_population_extended(t=0)
    return Identification(table=parameter_table(last, weights, params, bounds),
                          correlations=_weighted_correlations(last[[p.name for p in params]], weights),
                          informs=_standardized_effects(first, params))


# ---- writing it -------------------------------------------------------------------------------
def write_posterior(path: Path, draws: pd.DataFrame, params: list[Parameter], facts: dict) -> None:
    """The draws as CSV, each parameter a column (the config keys it sets in the header)."""
    lines = [f"# Posterior draws of sim-calibrate ({facts['method']}), equally weighted: {len(draws)}.",
             f"# Reproduce: {facts['command']}",
             f"# {facts['how']}",
             "# Columns set these config keys: "
             + "; ".join(f"{p.name} -> {', '.join(p.keys)}" for p in params)]
    _write_text(path, "\n".join(lines) + "\n" + draws.to_csv(float_format="%.6g"))


def write_identification(path: Path, ident: Identification) -> None:
    """The identification table as CSV (sim-validate counts the identified parameters in it)."""
    _write_text(path, ident.table.to_csv(index=False, float_format="%.6g"))


def write_record_at_fit(path: Path, record: bytes) -> None:
    """The checks' pre-registration record (seeds/preregistration.yaml) as it was when the fit
    started, copied verbatim beside the posterior (conf/calibration/preregistration_at_fit.yaml):
    what the checks were declared as before this fit (sim.experiments.preregistration.status)."""
    atomic_write(Path(path), lambda tmp: Path(tmp).write_bytes(record))


def point_fit(draws: pd.DataFrame, params: list[Parameter]) -> dict[str, float]:
    """The posterior draw nearest the posterior's centre: on the logit scale of each parameter's
    place in its prior range (the scale the regression adjustment works on), the draw with the
    least Mahalanobis distance to the draws' mean. A mean itself need not lie where the posterior
    has mass: the two migrant constants and the constants' level against staying home lie on
    ridges, and a mean of a curved or cut cloud falls off them (it fitted T2-T4 11-23% off where
    every draw fits them); a draw is on them."""
    u = _logit_share(draws[[p.name for p in params]].to_numpy(float),
                     np.array([p.low for p in params]), np.array([p.width for p in params]))
    centred = u - u.mean(axis=0)
    precision = np.linalg.pinv(np.cov(u, rowvar=False))
    nearest = int(np.argmin(np.einsum("ij,jk,ik->i", centred, precision, centred)))
    return {p.name: float(draws[p.name].iloc[nearest]) for p in params}


def _logit_share(values: np.ndarray, low, width) -> np.ndarray:
    """The logit of each value's place in its prior range (the adjustment's scale)."""
    share = np.clip((values - low) / width, 1e-6, 1 - 1e-6)
    return np.log(share / (1 - share))


def write_point_fit(path: Path, draws: pd.DataFrame, params: list[Parameter], command: str,
                    centre: dict[str, float] | None = None,
                    how: str = "the posterior draw in posterior.csv nearest the draws' centre (on the\n"
                               "# logit scale of each prior range; sim.experiments.calibration.point_fit)"
                    ) -> None:
    """The point fit (`point_fit`, or the `centre` given) as a config file (a global package):
    what the baseline runs."""
    tree: dict = {}
    centre = point_fit(draws, params) if centre is None else centre
    for p in params:
        value = centre[p.name]
        for key in p.keys:
            node = tree
            *parents, last = key.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = int(round(value)) if p.integer else round(value, 6)
    labour = tree.get("population", {}).get("labour_force")
    if labour is not None:
        tree = {"fitted_for_labour_force": labour, **tree}
    head = ["# @package _global_",
            f"# The point fit: {how}, from sim-calibrate.",
            f"# Reproduce: {command}"]
    _write_text(path, "\n".join(head) + "\n" + yaml.safe_dump(tree, sort_keys=False))


def smc_facts(facts: dict) -> dict:
    """The method's lines of the posterior's header and the report, for an ABC-SMC run."""
    return {**facts, "method": "ABC-SMC, pyabc",
            "how": (f"{facts['populations']} populations of {facts['particles']} particles, "
                    f"{facts['simulations']} model runs, final tolerance {facts['epsilon']:.3g}, "
                    f"{facts['minutes']:.0f} min."),
            "method_text": (f"ABC-SMC with pyabc: {facts['populations']} populations of "
                            f"{facts['particles']} particles, {facts['simulations']:,} model runs at "
                            f"{facts['workers']:,} workers, final tolerance {facts['epsilon']:.3g} "
                            f"(the root sum of squares of the figures' relative errors over their "
                            f"tolerances, {facts['figures']} figures).")}


def report(path: Path, ident: Identification, params: list[Parameter], facts: dict,
           truth: dict[str, float] | None = None, extra_sections: list[str] | None = None) -> None:
    """The identification report: priors against the posterior, which figures inform which
    parameter, the strongest correlations; with `truth`, whether a recovery covered it."""
    t = ident.table
    counted = t[t.role == "behaviour"]
    lines = [f"# {'Parameter recovery' if truth else 'Calibration report'}", "",
             f"Reproduce: `{facts['command']}` ({facts['minutes']:.0f} min on "
             f"{facts['cores']} cores). {facts['method_text']}", ""]
    if truth:
        lines += ["The data were made by the model at known parameters (another seed); each "
                  "row says whether the posterior 90% interval covers the known value.", ""]
    lines += ["## Priors and posterior", "",
              "Uniform priors from conf/calibration/priors.yaml; 90% intervals. A parameter is "
              "*identified* when its posterior interval is at most half as wide as its prior's. "
              "Inputs (the labour force, growth at destinations) are uncertain inputs carried "
              "into every answer, reported apart.", "",
              "| parameter | role | prior 90% | posterior 90% | median | width ratio | identified |"
              + (" truth | covered |" if truth else ""),
              "|---|---|---|---|---|---|---|" + ("---|---|" if truth else "")]
    for _, r in t.iterrows():
        row = (f"| {r.parameter} | {r.role} | {r.prior_low:.4g} to {r.prior_high:.4g} | "
               f"{r.posterior_low:.4g} to {r.posterior_high:.4g} | {r['median']:.4g} | "
               f"{r.width_ratio:.2f} | {'yes' if r.identified else 'no'} |")
        if truth:
            v = truth[r.parameter]
            row += f" {v:.4g} | {'yes' if r.posterior_low <= v <= r.posterior_high else 'no'} |"
        lines.append(row)
    lines += ["", f"Identified: {int(counted.identified.sum())} of {len(counted)} behaviour "
              f"parameters ({int(t.identified.sum())} of {len(t)} with the inputs).", "",
              "## Which figures inform which parameter", "",
              "Standardized effect of each parameter on each figure over the first population "
              "or round (drawn from the priors): a linear regression of the figure on all parameters. "
              "Effects of 0.3 or more in bold.", "",
              "| figure | " + " | ".join(p.name for p in params) + " |",
              "|---" * (len(params) + 1) + "|"]
    for fid, row in ident.informs.iterrows():
        cells = [f"**{v:+.2f}**" if abs(v) >= 0.3 else f"{v:+.2f}" for v in row]
        lines.append(f"| {fid} | " + " | ".join(cells) + " |")
    corr = ident.correlations
    pairs = [(abs(corr.iloc[i, j]), corr.index[i], corr.columns[j], corr.iloc[i, j])
             for i in range(len(corr)) for j in range(i + 1, len(corr))]
    strong = sorted(pairs, reverse=True)[:8]
    lines += ["", "## Strongest posterior correlations", "",
              "Parameters the figures trade against each other (correlation over the posterior "
              "draws, weighted where they carry weights):", ""]
    lines += [f"- {a} and {b}: {c:+.2f}" for _, a, b, c in strong]
    lines += ["", "## Priors: why each is what it is", ""]
    lines += [f"- **{p.name}** ({', '.join(p.keys)}), uniform {p.low:g} to {p.high:g}: {p.why}"
              for p in params]
    names = [p.name for p in params]
    cuts = [c for c in prior_constraints() if c.applies(names)]
    if cuts:
        lines += ["", "The uniform box is cut by these constraints (a particle outside has prior "
                  "density 0; the prior 90% intervals above are the cut prior's marginals):", ""]
        lines += [f"- **{c.name}**: {c.numerator} / {c.denominator} at most {c.at_most:g}. {c.why}"
                  for c in cuts]
    lines += extra_sections or []
    _write_text(path, "\n".join(lines) + "\n")


def _write_text(path: Path, text: str) -> None:
    """Written under a temporary name and renamed: a file the runs read is never half written."""
    def write(tmp: str) -> None:
        Path(tmp).write_text(text, encoding="utf-8")

    atomic_write(Path(path), write)
