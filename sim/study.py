"""`sim-study NAME`: run one of the shipped studies and write its figures and tables.

    sim-study ablation             # study 1: each 2021 lever off in turn
    sim-study training_subsidy     # study 2: training x hiring subsidy
    sim-study workshops_posts      # study 3: workshops x public-welfare posts
    sim-study epidemic_transport   # study 4: epidemic strength x transport capacity
    sim-study transition           # study 5: 2021-2025, support continued, tapered, withdrawn
    sim-study sensitivity          # study 6: Morris, then Sobol (SALib)
    sim-study ablation population.scale=0.05   # extra overrides go to every job

Studies 1-5 are Hydra sweeps (`conf/experiment/NAME.yaml`, the same as
`sim -m +experiment=NAME`) on all local cores; their jobs go to `experiments/NAME/runs/`, the
gathered `results.parquet`, the figures (PNG and SVG) and the tables (CSV) to `experiments/NAME/`.
`--resume` keeps the jobs of an earlier run that finished; without it the runs start afresh.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from . import effects, plot
from .collect import RESULTS, collect

ROOT = Path("experiments")


@dataclass
class Study:
    title: str
    figures: Callable[[Path, pd.DataFrame, Path], list[Path]]


def _summary_table(frame: pd.DataFrame, metrics: list[str], out: Path) -> Path:
    table = effects.seed_spread(frame, metrics)
    path = out / "summary.csv"
    table.to_csv(path, index=False, float_format="%.6g")
    return path


def _ablation(runs: Path, frame: pd.DataFrame, out: Path) -> list[Path]:
    ref = {effects.PREFIX + "ablation": "none"}
    eff = effects.paired_effects(frame, ref, list(plot.CONTRIBUTION_METRICS) + ["cost_total"])
    eff.to_csv(out / "effects.csv", index=False, float_format="%.6g")
    return (plot.contributions_figure(frame, ref, out) + plot.cost_figure(frame, ref, out)
            + plot.series_by_setting(runs, frame, "in_work", out) + [out / "effects.csv"])


def _grid(x: str, y: str, metrics: list[str], reference: dict[str, str] | None = None,
          cost: bool = False):
    def figures(runs: Path, frame: pd.DataFrame, out: Path) -> list[Path]:
        paths = [_summary_table(frame, metrics + ["cost_total"], out)]
        for m in metrics:
            paths += plot.heatmap_figure(frame, x, y, m, out, reference=reference,
                                         name=f"heatmap_{m}")
        paths += plot.sweep_figure(frame, x, metrics, out, hue=y)
        if cost:
            paths += plot.cost_figure(frame, reference, out)
        return paths
    return figures


def _transition(runs: Path, frame: pd.DataFrame, out: Path) -> list[Path]:
    metrics = ["in_work", "migrant", "in_county", "households_below_line", "cost_total"]
    return (plot.yearly_by_setting(runs, frame, metrics, out)
            + plot.series_by_setting(runs, frame, "in_work", out))


STUDIES = {
    "ablation": Study("Policy ablation: each 2021 lever off in turn", _ablation),
    "training_subsidy": Study(
        "Training x hiring subsidy",
        _grid("policy.training.scale", "policy.hiring_subsidy.scale", ["in_work"],
              reference={"override.policy.training.scale": "0",
                         "override.policy.hiring_subsidy.scale": "0"}, cost=True)),
    "workshops_posts": Study(
        "Workshops x public-welfare posts",
        _grid("policy.workshops.scale", "policy.public_welfare.scale",
              ["in_work_weak", "in_work_over_age", "zero_employment_households", "in_work"])),
    "epidemic_transport": Study(
        "Epidemic strength x transport capacity",
        _grid("scenario.disruption_scale", "policy.transport.scale",
              ["migrant_months", "household_income", "migrant"])),
    "transition": Study("Transition 2021-2025: continued, tapered, withdrawn", _transition),
}
NAMES = tuple(STUDIES) + ("sensitivity",)


def run_sweep(name: str, overrides: list[str], runs: Path, resume: bool) -> None:
    if runs.exists() and not resume:
        shutil.rmtree(runs)
    cmd = [sys.executable, "-m", "sim.cli", "-m", f"+experiment={name}",
           f"hydra.sweep.dir={runs.as_posix()}", *overrides]
    print("running:", " ".join(["sim"] + cmd[3:]), flush=True)
    code = subprocess.call(cmd)
    if code != 0:
        print(f"sim-study: the sweep ended with exit code {code}; figures are drawn from the jobs "
              "that finished.", file=sys.stderr)


def run_study(name: str, overrides: list[str], root: Path = ROOT, resume: bool = False,
              sweep: bool = True) -> list[Path]:
    out = root / name
    if name == "sensitivity":
        from . import sensitivity
        return sensitivity.study(out, resume=resume)
    runs = out / "runs"
    if sweep:
        run_sweep(name, overrides, runs, resume)
    frame = collect(runs)
    shutil.copyfile(runs / RESULTS, out / RESULTS)
    failed = frame[frame["status"] != "ok"]
    if not failed.empty:
        print(f"sim-study: {len(failed)} job(s) did not finish:\n"
              + failed[["job", "error"]].to_string(index=False), file=sys.stderr)
    return STUDIES[name].figures(runs, frame, out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="sim-study", description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("name", choices=NAMES, help="the study")
    ap.add_argument("overrides", nargs="*", help="config overrides for every job")
    ap.add_argument("--resume", action="store_true",
                    help="keep finished jobs of an earlier run of this study")
    ap.add_argument("--plot-only", action="store_true",
                    help="redraw the figures from the jobs already run")
    ap.add_argument("--root", type=Path, default=ROOT, help="folder of the studies")
    args = ap.parse_args(argv)
    if args.name == "sensitivity" and args.overrides:
        ap.exit(2, "sim-study: the sensitivity study takes its settings from "
                   "conf/sensitivity/default.yaml, not overrides.\n")
    try:
        paths = run_study(args.name, args.overrides, args.root, args.resume,
                          sweep=not args.plot_only)
    except (plot.PlotError, effects.EffectError, FileNotFoundError) as e:
        print(f"sim-study: {e}", file=sys.stderr)
        sys.exit(2)
    for p in paths:
        print(p)


if __name__ == "__main__":
    main()
