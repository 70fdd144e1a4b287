"""The shipped studies (`experiments/`): each runs a Hydra sweep (`conf/experiment/NAME.yaml`)
or, for sensitivity, SALib designs, and draws its figures and tables. The command is `sim-study`
(sim.commands.study)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from . import paired_effects
from . import plots
from .sweep_results import RESULTS, collect

ROOT = Path("experiments")


@dataclass
class Study:
    title: str
    figures: Callable[[Path, pd.DataFrame, Path], list[Path]]


def _summary_table(frame: pd.DataFrame, metrics: list[str], out: Path) -> Path:
    table = paired_effects.seed_spread(frame, metrics)
    path = out / "summary.csv"
    table.to_csv(path, index=False, float_format="%.6g")
    return path


def _ablation(runs: Path, frame: pd.DataFrame, out: Path) -> list[Path]:
    ref = {paired_effects.PREFIX + "ablation": "none"}
    eff = paired_effects.paired_effects(frame, ref, list(plots.CONTRIBUTION_METRICS) + ["cost_total"])
    eff.to_csv(out / "effects.csv", index=False, float_format="%.6g")
    return (plots.contributions_figure(frame, ref, out) + plots.cost_figure(frame, ref, out)
            + plots.series_by_setting(runs, frame, "in_work", out) + [out / "effects.csv"])


def _grid(x: str, y: str, metrics: list[str], reference: dict[str, str] | None = None,
          cost: bool = False):
    def figures(runs: Path, frame: pd.DataFrame, out: Path) -> list[Path]:
        paths = [_summary_table(frame, metrics + ["cost_total"], out)]
        for m in metrics:
            paths += plots.heatmap_figure(frame, x, y, m, out, reference=reference,
                                         name=f"heatmap_{m}")
        paths += plots.sweep_figure(frame, x, metrics, out, hue=y)
        if cost:
            paths += plots.cost_figure(frame, reference, out)
        return paths
    return figures


def _transition(runs: Path, frame: pd.DataFrame, out: Path) -> list[Path]:
    metrics = ["in_work", "migrant", "in_county", "households_below_line", "cost_total"]
    return (plots.yearly_by_setting(runs, frame, metrics, out)
            + plots.series_by_setting(runs, frame, "in_work", out))


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
    cmd = [sys.executable, "-m", "sim.commands.run", "-m", f"+experiment={name}",
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
