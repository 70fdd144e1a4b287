"""Global sensitivity (study 6): Morris screening, then Sobol indices of the parameters that
matter, with SALib, over the answers the studies give: levels, policy effects and their costs.

The design (parameters, ranges, outputs, sizes) is `conf/sensitivity/default.yaml`. Ranges of the
calibrated parameters are their posterior's 5th to 95th percentiles (conf/calibration/
posterior.csv); held parameters and unit costs have the ranges the design gives, each with its
reason. An output is a level of the 2021 run (`in_work`, `fit_error`: the calibration's distance),
or the effect of a lever, `effect.<lever>` (in work in December with the lever, less without it,
on the same seed), or its cost, `cost_per_job.<lever>` (the additional fiscal cost over that
effect). Each design point runs the baseline and one run without each lever whose effect is asked
for, all with one seed (common random numbers), so differences between points come from the
parameters, not from sampling. Sobol's convergence check: the indices from the first half of the
base sample against those from all of it (convergence.csv). Runs go to all local cores (joblib)
with a progress bar.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
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
from .posterior import Parameter, load_draws, priors, with_values  # noqa: E402
from .runner import simulate, year_figures  # noqa: E402
from .tables import write_csv  # noqa: E402

MIN_EFFECT = 100.0  # workers: a smaller effect's cost per job is not read (its ratio is capped)


@dataclass
class Design:
    scale: float
    seed: int
    morris_trajectories: int
    morris_levels: int
    sobol_top: int
    sobol_base: int
    outputs: list[str]
    parameters: dict[str, list[float]] = field(default_factory=dict)
    posterior: list[str] = field(default_factory=list)  # calibrated: 5th-95th percentiles

    def ranges(self) -> dict[str, list[float]]:
        out = {}
        if self.posterior:
            draws = load_draws()
            for name in self.posterior:
                out[name] = [float(draws[name].quantile(0.05)), float(draws[name].quantile(0.95))]
        out.update(self.parameters)
        return out

    def problem(self, names: list[str] | None = None) -> dict:
        ranges = self.ranges()
        names = names or list(ranges)
        return {"num_vars": len(names), "names": names, "bounds": [ranges[n] for n in names]}

    def levers(self) -> list[str]:
        """The levers whose effect or cost is an output."""
        return list(dict.fromkeys(o.split(".", 1)[1] for o in self.outputs if "." in o))


def design(path: Path | None = None) -> Design:
    text = (Path(path).read_text() if path else
            resources.files("sim.conf").joinpath("sensitivity", "default.yaml").read_text())
    return Design(**yaml.safe_load(text))


def _parameters(names: list[str]) -> list[Parameter]:
    """A calibrated parameter sets every config key its prior names; any other name is a key."""
    calibrated = {p.name: p for p in priors()}
    return [calibrated.get(n, Parameter(n, (n,), -np.inf, np.inf)) for n in names]


def _run(names: list[str], x: np.ndarray, scale: float, seed: int,
         overrides: tuple[str, ...] = ()) -> dict[str, float]:
    cfg = replace(load([f"population.scale={scale}", "quiet=true", *overrides]), seed=seed)
    summary = year_figures(simulate(with_values(cfg, _parameters(names), dict(zip(names, x)))))
    table = targets.fit_table(summary)
    # the calibration's distance of the fitted figures
    summary["fit_error"] = calibration.scaled_distance(
        {f["id"]: table[f["id"]]["model"] for f in calibration.distance_figures()},
        calibration.observed())
    return summary


def evaluate(names: list[str], x: np.ndarray, scale: float, seed: int,
             outputs: list[str]) -> list[float]:
    """One design point: the baseline with the parameters `names` set to `x`, and the same
    without each lever an output asks about; the outputs."""
    base = _run(names, x, scale, seed)
    without = {lever: _run(names, x, scale, seed, (f"policy.{lever}.enabled=false",))
               for lever in dict.fromkeys(o.split(".", 1)[1] for o in outputs if "." in o)}
    values = []
    for out in outputs:
        kind, _, lever = out.partition(".")
        if not lever:
            values.append(float(base[out]))
            continue
        effect = base["in_work"] - without[lever]["in_work"]
        if kind == "effect":
            values.append(float(effect))
        else:  # cost_per_job
            cost = base["cost_total"] - without[lever]["cost_total"]
            values.append(float(cost / max(effect, MIN_EFFECT)))
    return values


def run_all(names: list[str], X: np.ndarray, d: Design, label: str) -> np.ndarray:
    jobs = (delayed(evaluate)(names, x, d.scale, d.seed, d.outputs) for x in X)
    results = Parallel(n_jobs=-1, return_as="generator")(jobs)
    return np.array(list(tqdm(results, total=len(X), desc=label, unit="point")))


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
    relative to each output's largest, summed over outputs, up to k in all; and every parameter
    whose mu* is above half its output's leader's (none of those is left out of Sobol)."""
    rel = screen.assign(rel=screen["mu_star"] / screen.groupby("output")["mu_star"].transform("max"))
    leaders = rel.loc[rel.groupby("output")["rel"].idxmax(), "parameter"]
    strong = rel.loc[rel["rel"] > 0.5, "parameter"]
    ranked = rel.groupby("parameter")["rel"].sum().sort_values(ascending=False).index
    chosen = list(dict.fromkeys(list(leaders) + list(strong) + list(ranked)))
    return chosen[:max(k, len(dict.fromkeys(list(leaders) + list(strong))))]


def sobol(d: Design, names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sobol indices (first order and total) of `names`, and the convergence check: the largest
    change of a total index between the first half of the base sample and all of it."""
    problem = d.problem(names)
    X = sobol_sample.sample(problem, d.sobol_base, calc_second_order=False, seed=d.seed)
    Y = run_all(names, X, d, "Sobol")
    rows, checks = [], []
    half = (d.sobol_base // 2) * (len(names) + 2)
    for j, out in enumerate(d.outputs):
        res = sobol_analyze.analyze(problem, Y[:, j], calc_second_order=False, seed=d.seed)
        early = sobol_analyze.analyze(problem, Y[:half, j], calc_second_order=False, seed=d.seed)
        for i, name in enumerate(names):
            rows.append({"output": out, "parameter": name, "S1": res["S1"][i],
                         "S1_conf": res["S1_conf"][i], "ST": res["ST"][i],
                         "ST_conf": res["ST_conf"][i]})
        change = np.abs(np.asarray(res["ST"]) - np.asarray(early["ST"]))
        checks.append({"output": out, "base_sample": d.sobol_base,
                       "max_change_of_ST_from_half": float(np.nanmax(change)),
                       "largest_ST_conf": float(np.nanmax(res["ST_conf"]))})
    return pd.DataFrame(rows), pd.DataFrame(checks)


def morris_figure(screen: pd.DataFrame, outputs: list[str], out_dir: Path) -> list[Path]:
    """One panel per output, its parameters sorted by its own mu*: every panel carries its own
    labels (a shared axis would put other panels' bars under the first panel's names)."""
    fig, axes = plt.subplots(1, len(outputs), figsize=(5.2 * len(outputs), 5), squeeze=False)
    for ax, out in zip(axes[0], outputs):
        rows = screen[screen["output"] == out].sort_values("mu_star")
        y = np.arange(len(rows))
        ax.barh(y, rows["mu_star"], xerr=rows["mu_star_conf"], capsize=2)
        ax.set_yticks(y, rows["parameter"], fontsize=7)
        ax.set_title(f"{out}: Morris mu*", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return save_figure(fig, out_dir, "morris")


def sobol_figure(indices: pd.DataFrame, outputs: list[str], out_dir: Path) -> list[Path]:
    fig, axes = plt.subplots(1, len(outputs), figsize=(5.2 * len(outputs), 3.5), squeeze=False)
    for ax, out in zip(axes[0], outputs):
        rows = indices[indices["output"] == out]
        y = np.arange(len(rows))
        ax.barh(y - 0.2, rows["S1"], 0.4, xerr=rows["S1_conf"], capsize=2, label="first order S1")
        ax.barh(y + 0.2, rows["ST"], 0.4, xerr=rows["ST_conf"], capsize=2, label="total ST")
        ax.set_yticks(y, rows["parameter"])
        # the whole interval shows: the limits follow the bars and their error bars
        ends = np.concatenate([rows["S1"] - rows["S1_conf"], rows["ST"] + rows["ST_conf"], [0, 1]])
        ax.set_xlim(min(-0.1, np.nanmin(ends) - 0.05), max(1.1, np.nanmax(ends) + 0.05))
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
    indices, convergence = sobol(d, names)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(screen, out_dir / "morris.csv")
    write_csv(indices, out_dir / "sobol.csv")
    write_csv(convergence, out_dir / "convergence.csv")
    paths = morris_figure(screen, d.outputs, out_dir) + sobol_figure(indices, d.outputs, out_dir)
    print(f"sensitivity: {len(d.ranges())} parameters screened, Sobol on {', '.join(names)}; "
          f"{time.perf_counter() - t0:.0f} s")
    return paths + [out_dir / "morris.csv", out_dir / "sobol.csv", out_dir / "convergence.csv"]
