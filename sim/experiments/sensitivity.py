"""Global sensitivity (study 6): Morris screening of every fitted and assumed parameter, then
Sobol indices of the few that matter, with SALib.

The design (parameters, ranges, sizes) is `conf/sensitivity/default.yaml`. Each run is the 2021
baseline with the parameters set, at a reduced scale and with one seed for every run (common
random numbers), so differences between runs come from the parameters, not from sampling. Runs
go to all local cores (joblib) with a progress bar; the tables and figures go to the output
folder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402
from joblib import Parallel, delayed  # noqa: E402
from SALib.analyze import morris as morris_analyze  # noqa: E402
from SALib.analyze import sobol as sobol_analyze  # noqa: E402
from SALib.sample import morris as morris_sample  # noqa: E402
from SALib.sample import sobol as sobol_sample  # noqa: E402
from tqdm import tqdm  # noqa: E402

from . import calibration, targets  # noqa: E402
from .compose import load  # noqa: E402
from .plots import save_figure  # noqa: E402
from .runner import SUMMARY_YEAR, simulate  # noqa: E402


@dataclass
class Design:
    scale: float
    seed: int
    morris_trajectories: int
    morris_levels: int
    sobol_top: int
    sobol_base: int
    outputs: list[str]
    parameters: dict[str, list[float]]

    def problem(self, names: list[str] | None = None) -> dict:
        names = names or list(self.parameters)
        return {"num_vars": len(names), "names": names,
                "bounds": [self.parameters[n] for n in names]}


def design(path: Path | None = None) -> Design:
    text = (Path(path).read_text() if path else
            resources.files("sim.conf").joinpath("sensitivity", "default.yaml").read_text())
    return Design(**yaml.safe_load(text))


def evaluate(names: list[str], x: np.ndarray, scale: float, seed: int,
             outputs: list[str]) -> list[float]:
    """One run of the baseline with the parameters `names` set to `x`: the outputs."""
    cfg = replace(load([f"population.scale={scale}", "quiet=true"]), seed=seed)
    params = tuple(calibration.Parameter(n, -np.inf, np.inf) for n in names)
    model = simulate(calibration.with_values(cfg, params, x))
    summary = model.recorder.year_summary(SUMMARY_YEAR)
    table = targets.fit_table(summary)
    summary["fit_error"] = float(np.sum(calibration.residuals(table) ** 2))
    return [float(summary[o]) for o in outputs]


def run_all(names: list[str], X: np.ndarray, d: Design, label: str) -> np.ndarray:
    jobs = (delayed(evaluate)(names, x, d.scale, d.seed, d.outputs) for x in X)
    results = Parallel(n_jobs=-1, return_as="generator")(jobs)
    return np.array(list(tqdm(results, total=len(X), desc=label, unit="run")))


def morris(d: Design) -> pd.DataFrame:
    problem = d.problem()
    X = morris_sample.sample(problem, d.morris_trajectories, num_levels=d.morris_levels, seed=d.seed)
    Y = run_all(problem["names"], X, d, "Morris")
    rows = []
    for j, out in enumerate(d.outputs):
        res = morris_analyze.analyze(problem, X, Y[:, j], num_levels=d.morris_levels, seed=d.seed)
        for i, name in enumerate(problem["names"]):
            rows.append({"output": out, "parameter": name, "mu_star": res["mu_star"][i],
                         "mu_star_conf": res["mu_star_conf"][i], "sigma": res["sigma"][i]})
    return pd.DataFrame(rows)


def top_parameters(screen: pd.DataFrame, k: int) -> list[str]:
    """Each output's most influential parameter (largest mu*), then the others by their mu*
    relative to each output's largest, summed over outputs, up to k in all."""
    rel = screen.assign(rel=screen["mu_star"] / screen.groupby("output")["mu_star"].transform("max"))
    leaders = rel.loc[rel.groupby("output")["rel"].idxmax(), "parameter"]
    ranked = rel.groupby("parameter")["rel"].sum().sort_values(ascending=False).index
    chosen = list(dict.fromkeys(list(leaders) + list(ranked)))
    return chosen[:max(k, leaders.nunique())]


def sobol(d: Design, names: list[str]) -> pd.DataFrame:
    problem = d.problem(names)
    X = sobol_sample.sample(problem, d.sobol_base, calc_second_order=False, seed=d.seed)
    Y = run_all(names, X, d, "Sobol")
    rows = []
    for j, out in enumerate(d.outputs):
        res = sobol_analyze.analyze(problem, Y[:, j], calc_second_order=False, seed=d.seed)
        for i, name in enumerate(names):
            rows.append({"output": out, "parameter": name, "S1": res["S1"][i],
                         "S1_conf": res["S1_conf"][i], "ST": res["ST"][i],
                         "ST_conf": res["ST_conf"][i]})
    return pd.DataFrame(rows)


def morris_figure(screen: pd.DataFrame, outputs: list[str], out_dir: Path) -> list[Path]:
    fig, axes = plt.subplots(1, len(outputs), figsize=(4.2 * len(outputs), 5), squeeze=False)
    for ax, out in zip(axes[0], outputs):
        rows = screen[screen["output"] == out].sort_values("mu_star")
        ax.barh(rows["parameter"], rows["mu_star"], xerr=rows["mu_star_conf"], capsize=2)
        ax.set_title(f"{out}: Morris mu*", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        if out != outputs[0]:
            ax.set_yticklabels([])
    fig.tight_layout()
    return save_figure(fig, out_dir, "morris")


def sobol_figure(indices: pd.DataFrame, outputs: list[str], out_dir: Path) -> list[Path]:
    fig, axes = plt.subplots(1, len(outputs), figsize=(4.2 * len(outputs), 3.5), squeeze=False,
                             sharey=True)
    for ax, out in zip(axes[0], outputs):
        rows = indices[indices["output"] == out]
        y = np.arange(len(rows))
        ax.barh(y - 0.2, rows["S1"], 0.4, xerr=rows["S1_conf"], capsize=2, label="first order S1")
        ax.barh(y + 0.2, rows["ST"], 0.4, xerr=rows["ST_conf"], capsize=2, label="total ST")
        ax.set_yticks(y, rows["parameter"])
        ax.set_xlim(-0.1, 1.1)
        ax.set_title(f"{out}: Sobol indices", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0][0].legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return save_figure(fig, out_dir, "sobol")


def study(out_dir: Path, design_file: Path | None = None, resume: bool = False,
          **changes) -> list[Path]:
    """Morris over every parameter, Sobol over the top ones; tables and figures in out_dir.
    With `resume`, an earlier Morris table in out_dir is kept (same design, same numbers)."""
    d = replace(design(design_file), **changes)
    t0 = time.perf_counter()
    earlier = out_dir / "morris.csv"
    screen = pd.read_csv(earlier) if resume and earlier.exists() else morris(d)
    names = top_parameters(screen, d.sobol_top)
    indices = sobol(d, names)
    out_dir.mkdir(parents=True, exist_ok=True)
    screen.to_csv(out_dir / "morris.csv", index=False, float_format="%.6g")
    indices.to_csv(out_dir / "sobol.csv", index=False, float_format="%.6g")
    shown = [o for o in d.outputs if o in ("in_work", "out_of_province", "in_county", "fit_error")]
    paths = morris_figure(screen, shown, out_dir) + sobol_figure(indices, shown, out_dir)
    print(f"sensitivity: {len(d.parameters)} parameters screened, Sobol on {', '.join(names)}; "
          f"{time.perf_counter() - t0:.0f} s")
    return paths + [out_dir / "morris.csv", out_dir / "sobol.csv"]
