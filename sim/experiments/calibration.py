"""Simulated method of moments: fit the free behavioural parameters to the article's figures.

The objective is the weighted sum of squared relative errors over T1..T12, each error divided by
its tolerance (1% for the headline counts, 5% for the programme figures), so that a residual of 1
means "at the edge of tolerance" for every target. Runs use common random numbers: the same seeds,
and counter-based draws per worker and month (sim.core.random_streams), so the objective moves smoothly with
the parameters. scipy's trust-region least squares does the fitting.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import least_squares
from tqdm import tqdm

from . import targets
from ..core.params import Config
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
    # the 2021 recovery of demand at destinations: T5 (growth on 2020) is what pins it down
    Parameter("scenario.destination_demand_growth", 0.0, 0.5, 0.1),
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
    return np.array([table[k]["rel_error"] / TOLERANCE[k] for k in sorted(table, key=lambda t: int(t[1:]))])


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

    # trust-region least squares, restarted from the best point while it still improves and
    # runs are left (with simulated moments it often stops early on a flat stretch)
    z = np.clip(x0 / units, lo, hi)
    previous = None
    try:
        while bar.n < max_evaluations and (previous is None or best["objective"] < previous * 0.98):
            previous = best["objective"]
            least_squares(f, z, bounds=(lo, hi), diff_step=0.05, x_scale="jac", method="trf",
                          ftol=1e-10, xtol=1e-10, gtol=1e-10)
            z = best["z"]
    except _Budget:
        pass
    bar.close()
    return Fit(x=best["z"] * units, table=best["table"], objective=best["objective"],
               evaluations=bar.n, seconds=time.perf_counter() - start, params=params)


def sensitivity(cfg: Config, seeds: list[int], params: tuple[Parameter, ...], x: np.ndarray,
                step: float = 0.05) -> np.ndarray:
    """d residual / d parameter (per unit of each parameter) at x, by forward differences:
    the identification matrix (which targets move each parameter)."""
    units = np.array([p.unit for p in params])
    r0 = residuals(simulate_targets(with_values(cfg, params, x), seeds))
    J = np.empty((len(r0), len(params)))
    for k, p in enumerate(params):
        h = step * units[k] if x[k] + step * units[k] <= p.upper else -step * units[k]
        xk = x.copy()
        xk[k] += h
        J[:, k] = (residuals(simulate_targets(with_values(cfg, params, xk), seeds)) - r0) / (h / units[k])
    return J


def refine(cfg: Config, seeds: list[int], params: tuple[Parameter, ...], x: np.ndarray,
           J: np.ndarray, steps: int, damping: float = 1.0) -> tuple[np.ndarray, dict, float]:
    """Gauss-Newton steps at another scale (full scale), reusing the Jacobian J found at the
    coarse scale: the sensitivities hardly change with the scale, the level does."""
    units = np.array([p.unit for p in params])
    lo = np.array([p.lower for p in params])
    hi = np.array([p.upper for p in params])
    table = simulate_targets(with_values(cfg, params, x), seeds)
    r = residuals(table)
    best = (x, table, float(r @ r))
    for _ in range(steps):
        dz = np.linalg.solve(J.T @ J + damping * np.eye(J.shape[1]), -J.T @ r)
        x = np.clip(x + dz * units, lo, hi)
        table = simulate_targets(with_values(cfg, params, x), seeds)
        r = residuals(table)
        if float(r @ r) < best[2]:
            best = (x, table, float(r @ r))
    return best


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
    tree: dict = {"fitted_for_labour_force": int(labour_force)}
    for p, v in zip(result.params, result.x):
        node = tree
        parts = p.key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = int(round(v)) if p.unit >= 1000 else round(float(v), 5)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n" + yaml.safe_dump(tree, sort_keys=False))


FIXED_FROM_EVIDENCE = (
    ("wages.*", "NBS 2021 migrant worker report; Shaanxi statistics; county reports (W1-W6)"),
    ("behaviour.peer_weight", "Chen, Jin & Yue, NBER w15671 (E4)"),
    ("policy.training.wage_premium", "Zhao & Geng 2020 (E5)"),
    ("policy.*.<sizes>", "the article's policy sizes (P1-P13, T6-T12 inputs)"),
    ("local_jobs.demand_growth_per_year", "NBS 2021: migrant workers working locally +4.1% (L2)"),
)


def identification(J: np.ndarray, params: tuple[Parameter, ...], x: np.ndarray,
                   target_ids: list[str]) -> list[str]:
    """The identification section of the report: sensitivity matrix, bounds, flat directions."""
    lines = ["## Sensitivity at the optimum", "",
             "Change of each target's weighted residual (relative error / tolerance) per unit of",
             "each parameter (unit in brackets). A column of zeros: no target moves the parameter.",
             "", "| target | " + " | ".join(f"{p.key.split('.')[-1]} [{p.unit:g}]" for p in params)
             + " |", "|---" * (len(params) + 1) + "|"]
    for t, row in zip(target_ids, J):
        lines.append(f"| {t} | " + " | ".join(f"{v:+.2f}" for v in row) + " |")
    lines += ["", "## Flags", ""]
    for p, v in zip(params, x):
        width = p.upper - p.lower
        if min(v - p.lower, p.upper - v) < 0.01 * width:
            lines.append(f"- {p.key} = {v:.4g} is at a bound [{p.lower:g}, {p.upper:g}].")
    strength = np.abs(J).sum(axis=0)
    for p, s_ in zip(params, strength):
        if s_ < 0.5:
            lines.append(f"- {p.key}: flat (targets move by {s_:.2f} in all per unit).")
    sv, vt = np.linalg.svd(J, full_matrices=False)[1:]
    lines.append(f"- singular values of the sensitivity matrix: {', '.join(f'{v:.3g}' for v in sv)}")
    weak = vt[-1]
    combo = ", ".join(f"{w:+.2f} {p.key.split('.')[-1]}" for w, p in zip(weak, params) if abs(w) > 0.2)
    lines.append(f"- weakest direction (smallest singular value {sv[-1]:.3g}): {combo}")
    return lines


def multi_start(cfg: Config, seeds: list[int], best: Fit, starts: int,
                max_evaluations: int) -> list[Fit]:
    """Searches from starting points moved off the optimum by up to 1.5 units of each parameter
    (a fixed random draw per start): do they come back to the same values?"""
    rng = np.random.default_rng(12345)
    units = np.array([p.unit for p in best.params])
    out = []
    for _ in range(starts):
        x0 = best.x + rng.uniform(-3, 3, len(units)) * units * 0.5
        lo = np.array([p.lower for p in best.params])
        hi = np.array([p.upper for p in best.params])
        out.append(fit(cfg, seeds, best.params, max_evaluations, np.clip(x0, lo, hi)))
    return out


def report(path: Path, command: str, coarse: Fit, final_table: dict, x: np.ndarray, J: np.ndarray,
           seconds: float, scales: tuple[float, float], restarts: list[Fit] = ()) -> None:
    ids = sorted(coarse.table, key=lambda t: int(t[1:]))
    lines = ["# Calibration report", "", f"Reproduce: `{command}`", "",
             f"Wall time {seconds:.0f} s; {coarse.evaluations} evaluations at scale {scales[0]:g},",
             f"then Gauss-Newton steps at scale {scales[1]:g} with the coarse sensitivities.", "",
             "## Fit", "", "| id | metric | article | coarse fit | final | error |",
             "|---|---|---|---|---|---|"]
    for fid in ids:
        a, c, f = coarse.table[fid], final_table[fid]["model"], final_table[fid]
        lines.append(f"| {fid} | {a['metric']} | {a['article']:.6g} | {a['model']:.6g} | {c:.6g} "
                     f"| {f['rel_error']:+.2%} |")
    lines += ["", "## Fitted parameters", "", "| parameter | value | bounds |", "|---|---|---|"]
    for p, v in zip(coarse.params, x):
        lines.append(f"| {p.key} | {v:.5g} | [{p.lower:g}, {p.upper:g}] |")
    lines += ["", "## Held at outside evidence (not fitted)", ""]
    lines += [f"- {k}: {src}" for k, src in FIXED_FROM_EVIDENCE]
    lines += [""] + identification(J, coarse.params, x, ids)
    if restarts:
        lines += ["", "## Searches from other starting points", "",
                  "| parameter | search | " + " | ".join(f"start {k + 1}" for k in range(len(restarts)))
                  + " |", "|---" * (len(restarts) + 2) + "|"]
        for i, p in enumerate(coarse.params):
            lines.append(f"| {p.key} | {coarse.x[i]:.4g} | "
                         + " | ".join(f"{r.x[i]:.4g}" for r in restarts) + " |")
        lines.append("| objective | " + f"{coarse.objective:.3g} | "
                     + " | ".join(f"{r.objective:.3g}" for r in restarts) + " |")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
