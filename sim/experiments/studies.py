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

import numpy as np
import pandas as pd
import yaml

from . import net_effects, paired_effects, plots, shapley
from ..core.params import LEVERS
from ..core.validation import InputError
from .run_files import atomic_write, move_aside
from .runner import SUMMARY_YEAR
from .sweep_results import RESULTS, collect
from .tables import write_csv

ROOT = Path("experiments")
EXIT_BAD_INPUT = 2  # sim's answer to input it refuses


@dataclass
class Study:
    title: str
    figures: Callable[[Path, pd.DataFrame, Path], list[Path]]


def _summary_table(frame: pd.DataFrame, metrics: list[str], out: Path) -> Path:
    table = paired_effects.seed_spread(frame, metrics)
    path = out / "summary.csv"
    write_csv(table, path)
    return path


def write_net_effects(table: pd.DataFrame, out: Path, title: str,
                      year: int | None = SUMMARY_YEAR) -> list[Path]:
    """A study's net effects (sim.experiments.net_effects): the table (net_effects.csv) and the
    same in words (net_effects.md): what the levers add, what other work loses, the net."""
    csv = write_csv(table, out / "net_effects.csv")
    md = out / "net_effects.md"
    text = net_effects.words(table, title, year)
    atomic_write(md, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return [csv, md]


def _net(frame: pd.DataFrame, reference: dict[str, str], out: Path, title: str,
         within: tuple[str, ...] = ()) -> list[Path]:
    """The net effects of a sweep's settings against `reference` (none from a sweep whose jobs
    did not record job-months by status)."""
    if not net_effects.has_inputs(frame.columns):
        return []
    table = net_effects.net_effects(frame, reference, within=within)
    return write_net_effects(table, out, title)


SHAPLEY_ORDERS = 12  # random orders of the ten levers (each one seed, and one posterior draw)
# the ablation's paired effects: the contributions' figures, the cost, and what the net effects
# are made of (job-months by status, wage income)
ABLATION_METRICS = [*plots.CONTRIBUTION_METRICS, "cost_total", "job_months",
                    *net_effects.STATUS_MONTHS, "wage_income"]


def _ablation(runs: Path, frame: pd.DataFrame, out: Path) -> list[Path]:
    ref = {paired_effects.PREFIX + "ablation": "none"}
    metrics = [m for m in ABLATION_METRICS if m in frame.columns]
    eff = paired_effects.paired_effects(frame, ref, metrics)
    write_csv(eff, out / "effects.csv")
    # Shapley values beside the one-at-a-time contributions, at the sweep's own scale
    job = yaml.safe_load((plots.job_dir(runs, frame["job"].iloc[0]) / ".hydra" / "config.yaml")
                         .read_text())
    draws = paired_effects.DRAW in frame and frame[paired_effects.DRAW].nunique() > 1
    table = shapley.study(out, SHAPLEY_ORDERS, (f"population.scale={job['population']['scale']}",),
                          draws, resume=True)
    return (plots.contributions_figure(frame, ref, out) + plots.cost_figure(frame, ref, out)
            + plots.shapley_figure(table, eff, out)
            + plots.series_by_setting(runs, frame, "in_work", out)
            + [out / "effects.csv", out / "shapley.csv"]
            + _net(frame, ref, out, "each 2021 lever against the whole mix (every lever on less "
                   "that lever off)"))


def _grid(x: str, y: str, metrics: list[str], reference: dict[str, str] | None = None,
          cost: bool = False, net: str | None = None, net_reference: dict[str, str] | None = None,
          within: tuple[str, ...] = ()):
    """A two-key grid's figures; with `net` (its title), the net effects against
    `net_reference` (by default the grid's reference), compared `within` those keys."""
    def figures(runs: Path, frame: pd.DataFrame, out: Path) -> list[Path]:
        paths = [_summary_table(frame, metrics + ["cost_total"], out)]
        if net is not None:
            paths += _net(frame, net_reference or reference, out, net, within=within)
        for m in metrics:
            paths += plots.heatmap_figure(frame, x, y, m, out, reference=reference,
                                         name=f"heatmap_{m}")
        paths += plots.sweep_figure(frame, x, metrics, out, hue=y)
        if cost:
            paths += plots.cost_figure(frame, reference, out)
        return paths
    return figures


# the yearly outcomes of a projection (docs/MODEL.md 3.4.26), and the paths compared with
# continued support
PROJECTION_METRICS = ["labour_force", "worked_any_month", "in_work_december", "job_months",
                      "income_per_person", "below_line_households", "cost_total"]
EFFECT_METRICS = ["worked_any_month", "in_work_december", "job_months", "income_per_person",
                  "below_line_households", "cost_total"]
TRANSITION_REFERENCE = "scenario=transition_continue"


def _transition(runs: Path, frame: pd.DataFrame, out: Path) -> list[Path]:
    paths = plots.yearly_by_setting(runs, frame, PROJECTION_METRICS, out)
    yearly = plots.yearly_runs(runs, frame)
    effects = paired_effects.yearly_paired_effects(yearly, TRANSITION_REFERENCE, EFFECT_METRICS)
    table = out / "yearly_effects.csv"
    write_csv(effects, table)
    paths += plots.yearly_effects_figure(effects, EFFECT_METRICS + ["cost_per_job_year"],
                                         TRANSITION_REFERENCE, out)
    return (paths + [table] + plots.series_by_setting(runs, frame, "in_work", out)
            + _transition_net(yearly, out))


# what continued support adds over a path that tapers or withdraws it: every lever, no own status
CONTINUED = net_effects.Change(LEVERS, -1.0, ())


def _transition_net(yearly: pd.DataFrame, out: Path) -> list[Path]:
    """Each year's net effect of continuing support rather than tapering or withdrawing it."""
    if not net_effects.has_inputs(set(yearly["metric"])):
        return []
    table = net_effects.yearly_net_effects(yearly, TRANSITION_REFERENCE, CONTINUED)
    table = table[table["year"] > table["year"].min()]  # the paths share their first year
    return write_net_effects(table, out, "continued support against tapered and withdrawn "
                             "support, by year", year=None)


DRIVERS = {"demography": "demography", "calendar": "the calendar after 2021",
           "markets": "growth of demand and pay", "policy": "the levers after 2021"}
DECOMPOSED = ["in_work_december", "job_months", "worked_any_month", "labour_force"]
# in the table also: the net change's parts by status, wage income and the public cost (a
# driver is not a lever: no status is its own, so the changes by status are shown as they are)
DECOMPOSED_TABLE = [*DECOMPOSED, *net_effects.STATUS_MONTHS, "wage_income", "cost_total"]


def decomposition_table(yearly: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """The change of each metric from `first` to `last` in the projection, and each driver's part
    of it: the projection's change less the change without the driver, draw by draw (5th-95th
    percentile over draws and seeds); what the parts leave is the drivers' interaction."""
    key = "decomposition=none"
    wide = yearly[yearly["year"].isin([first, last])].pivot_table(
        index=["setting", "seed", "posterior_draw", "metric"], columns="year", values="value")
    change = (wide[last] - wide[first]).unstack("metric")
    full = change.xs(key, level="setting")
    rows = []

    metrics = [m for m in DECOMPOSED_TABLE if m in change.columns]

    def add(driver: str, values: pd.DataFrame) -> None:
        for metric in metrics:
            x = values[metric].to_numpy(float)
            rows.append({"driver": driver, "metric": metric, "part": x.mean(),
                         "low": float(np.quantile(x, 0.05)), "high": float(np.quantile(x, 0.95)),
                         "runs": len(x)})

    add(f"change {first}-{last}", full)
    parts = []
    for name, text in DRIVERS.items():
        without = change.xs(f"decomposition={name}", level="setting")
        part = (full - without).dropna()
        parts.append(part)
        add(text, part)
    add("interaction (what the parts leave)", full - sum(parts))
    return pd.DataFrame(rows)


def _decomposition(runs: Path, frame: pd.DataFrame, out: Path) -> list[Path]:
    table = decomposition_table(plots.yearly_runs(runs, frame), 2021, 2023)
    path = write_csv(table, out / "decomposition.csv")
    return plots.decomposition_figure(table, DECOMPOSED, out) + [path]


STUDIES = {
    "ablation": Study("Policy ablation: each 2021 lever off in turn", _ablation),
    "training_subsidy": Study(
        "Training x hiring subsidy",
        _grid("policy.training.scale", "policy.hiring_subsidy.scale", ["in_work"],
              reference={"override.policy.training.scale": "0",
                         "override.policy.hiring_subsidy.scale": "0"}, cost=True,
              net="training and the hiring subsidy against neither")),
    "workshops_posts": Study(
        "Workshops x public-welfare posts",
        _grid("policy.workshops.scale", "policy.public_welfare.scale",
              ["in_work_weak", "in_work_over_age", "zero_employment_households", "in_work"],
              reference={"override.policy.workshops.scale": "0",
                         "override.policy.public_welfare.scale": "0"}, cost=True,
              net="workshops and public-welfare posts against neither")),
    "epidemic_transport": Study(
        "Epidemic strength x transport capacity",
        _grid("scenario.disruption_scale", "policy.transport.scale",
              ["migrant_months", "household_income", "migrant"],
              reference={"override.scenario.disruption_scale": "0",
                         "override.policy.transport.scale": "0"},
              net="transport against none, at each disruption strength",
              net_reference={"override.policy.transport.scale": "0"},
              within=("scenario.disruption_scale",))),
    "transition": Study("Transition 2021-2025: continued, tapered, withdrawn", _transition),
    "decomposition": Study("The path 2021-2023 taken apart: demography, calendar, markets, "
                           "levers", _decomposition),
}
NAMES = tuple(STUDIES) + ("sensitivity",)


def sweep_command(name: str, overrides: list[str], runs: Path) -> list[str]:
    """The `sim` command line of a study's sweep."""
    return ["-m", f"+experiment={name}", f"hydra.sweep.dir={runs.as_posix()}", *overrides]


def run_sweep(name: str, overrides: list[str], runs: Path) -> int:
    cmd = [sys.executable, "-m", "sim.commands.run", *sweep_command(name, overrides, runs)]
    print("running:", " ".join(["sim"] + cmd[3:]), flush=True)
    code = subprocess.call(cmd)
    if code != 0:
        print(f"sim-study: the sweep ended with exit code {code}; figures are drawn from the jobs "
              "that finished.", file=sys.stderr)
    return code


# what a study keeps of its runs besides the sweep folder: moved aside with it on a fresh start
STUDY_RESULTS = ("runs", "shapley_marginal.parquet")


def set_aside(out: Path) -> Path | None:
    """A fresh start of a study: its earlier runs go to `out/replaced-<time>/`, not away."""
    found = [name for name in STUDY_RESULTS if (out / name).exists()]
    if not found:
        return None
    return move_aside(out, found, out, "replaced")


def run_study(name: str, overrides: list[str], root: Path = ROOT, resume: bool = False,
              sweep: bool = True) -> list[Path]:
    """Run a study (its inputs checked by the caller, sim.commands.study) and draw it; without
    `resume`, earlier runs are moved aside first."""
    out = root / name
    if name == "sensitivity":
        from . import sensitivity
        return sensitivity.study(out, resume=resume)
    runs = out / "runs"
    if sweep:
        if not resume and (moved := set_aside(out)) is not None:
            print(f"sim-study: the earlier runs were moved to {moved}", file=sys.stderr)
        if run_sweep(name, overrides, runs) == EXIT_BAD_INPUT:
            raise InputError(f"the sweep of study {name} refused its input (see above)")
    frame = collect(runs)
    shutil.copyfile(runs / RESULTS, out / RESULTS)
    failed = frame[frame["status"] != "ok"]
    if not failed.empty:
        print(f"sim-study: {len(failed)} job(s) did not finish:\n"
              + failed[["job", "error"]].to_string(index=False), file=sys.stderr)
    return STUDIES[name].figures(runs, frame, out)
