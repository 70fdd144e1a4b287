"""Simulated method of moments: fit the free behavioural parameters to the article's figures.

The objective is the weighted sum of squared relative errors over T1..T12, each error divided by
its tolerance (1% for the headline counts, 5% for the programme figures), so that a residual of 1
means "at the edge of tolerance" for every target. Runs use common random numbers: the same seeds,
and counter-based draws per worker and month (sim.streams), so the objective moves smoothly with
the parameters. scipy's trust-region least squares does the fitting.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import least_squares
from tqdm import tqdm

from . import targets
from .config import Config
from .runner import SUMMARY_YEAR, simulate

# tolerance of each target (relative error counted as one unit of misfit)
TOLERANCE = {"T1": 0.01, "T2": 0.01, "T3": 0.01, "T4": 0.01, "T5": 0.005, "T6": 0.01, "T8": 0.01,
             "T7": 0.05, "T9": 0.05, "T10": 0.05, "T11": 0.05, "T12": 0.05}


@dataclass(frozen=True)
class Parameter:
    key: str  # dotted config key
    lower: float
    upper: float
    unit: float = 1.0  # the optimiser works in units of this size

    def get(self, cfg: Config) -> float:
        node = cfg
        for part in self.key.split("."):
            node = getattr(node, part)
        return float(node)


FREE = (
    Parameter("behaviour.asc_out_of_province", -10, 10),
    Parameter("behaviour.asc_in_province", -10, 10),
    Parameter("behaviour.asc_local_job", -10, 10),
    Parameter("behaviour.asc_workshop", -10, 10),
    Parameter("behaviour.asc_public_welfare", -10, 10),
    Parameter("behaviour.habit", 0, 6),
    Parameter("behaviour.home_value_sd", 0, 8),
    Parameter("behaviour.search_rate", 0.02, 1.0, 0.1),
    Parameter("local_jobs.demand", 300_000, 1_500_000, 100_000),
    Parameter("policy.labour_brands.members", 20_000, 150_000, 10_000),
)


def with_values(cfg: Config, params: tuple[Parameter, ...], x: np.ndarray) -> Config:
    """A copy of cfg with the parameters set (dataclasses are replaced level by level)."""
    for p, value in zip(params, x):
        parts = p.key.split(".")
        nodes = [cfg]
        for part in parts[:-1]:
            nodes.append(getattr(nodes[-1], part))
        current = getattr(nodes[-1], parts[-1])
        new = type(current)(round(value) if isinstance(current, int) else value)
        for node, part in zip(reversed(nodes), reversed(parts)):
            new = replace(node, **{part: new})
        cfg = new
    return cfg


def simulate_targets(cfg: Config, seeds: list[int]) -> dict[str, dict]:
    """Mean end-of-2021 metrics over seeds, as the fit table."""
    summaries = [simulate(replace(cfg, seed=s)).recorder.year_summary(SUMMARY_YEAR) for s in seeds]
    mean = {k: float(np.mean([s[k] for s in summaries])) for k in summaries[0]}
    return targets.fit_table(mean)


def residuals(table: dict[str, dict]) -> np.ndarray:
    return np.array([table[k]["rel_error"] / TOLERANCE[k] for k in sorted(table)])


class _Budget(Exception):
    """The evaluation budget is spent: the best point so far is the fit."""


@dataclass
class Fit:
    x: np.ndarray
    table: dict[str, dict]
    objective: float
    evaluations: int
    seconds: float
    params: tuple[Parameter, ...]


def fit(cfg: Config, seeds: list[int], params: tuple[Parameter, ...] = FREE,
        max_evaluations: int = 200, x0: np.ndarray | None = None, show: bool = True) -> Fit:
    start = time.perf_counter()
    units = np.array([p.unit for p in params])
    x0 = np.array([p.get(cfg) for p in params]) if x0 is None else np.asarray(x0, float)
    lo = np.array([p.lower for p in params]) / units
    hi = np.array([p.upper for p in params]) / units
    bar = tqdm(total=max_evaluations, desc="calibrating", unit="eval", disable=not show,
               file=sys.stderr)
    best = {"objective": np.inf}

    def f(z: np.ndarray) -> np.ndarray:
        if bar.n >= max_evaluations:  # scipy does not count the evaluations for its gradients
            raise _Budget
        table = simulate_targets(with_values(cfg, params, z * units), seeds)
        r = residuals(table)
        obj = float(r @ r)
        if obj < best["objective"]:
            best.update(objective=obj, z=z.copy(), table=table)
        bar.update(1)
        bar.set_postfix(objective=f"{best['objective']:.3g}")
        return r

    try:
        least_squares(f, np.clip(x0 / units, lo, hi), bounds=(lo, hi), diff_step=0.05,
                      x_scale="jac", method="trf", ftol=1e-10, xtol=1e-10, gtol=1e-10)
    except _Budget:
        pass
    bar.close()
    return Fit(x=best["z"] * units, table=best["table"], objective=best["objective"],
               evaluations=bar.n, seconds=time.perf_counter() - start, params=params)


def write_fitted(path: Path, result: Fit, command: str, labour_force: int) -> None:
    """Write the fitted values as a config file (a global package) with the fit table."""
    lines = [
        "# @package _global_",
        f"# Fitted by simulated method of moments (sim.calibration), labour force {labour_force:,}.",
        f"# Reproduce: {command}",
        f"# Objective {result.objective:.4g} after {result.evaluations} evaluations, "
        f"{result.seconds:.0f} s.",
        "# Fit (article -> model, relative error):",
    ]
    for fid, row in result.table.items():
        lines.append(f"#   {fid} {row['metric']}: {row['article']:.6g} -> {row['model']:.6g} "
                     f"({row['rel_error']:+.2%})")
    tree: dict = {}
    for p, v in zip(result.params, result.x):
        node = tree
        parts = p.key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = int(round(v)) if p.unit >= 1000 else round(float(v), 5)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n" + yaml.safe_dump(tree, sort_keys=False))


def main(argv: list[str] | None = None) -> None:
    from .configs import load

    ap = argparse.ArgumentParser(prog="sim-calibrate", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.1, help="population scale used in the fit")
    ap.add_argument("--seeds", type=int, default=2, help="seeds averaged per evaluation")
    ap.add_argument("--max-evals", type=int, default=150)
    ap.add_argument("--output", default="conf/calibration/fitted.yaml")
    ap.add_argument("overrides", nargs="*", help="config overrides, e.g. population.labour_force=2200000")
    args = ap.parse_args(argv)
    cfg = load(args.overrides + [f"population.scale={args.scale}"])
    result = fit(cfg, list(range(args.seeds)), max_evaluations=args.max_evals)
    command = "sim-calibrate " + " ".join(sys.argv[1:] if argv is None else argv)
    write_fitted(Path(args.output), result, command.strip(), cfg.population.labour_force)
    print(targets.format_fit_table(result.table))
    print(f"objective {result.objective:.4g}, {result.evaluations} evaluations, "
          f"{result.seconds:.0f} s; wrote {args.output}")
