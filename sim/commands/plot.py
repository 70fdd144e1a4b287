"""`sim-plot`: figures from a run folder or a sweep folder (PNG and SVG).

    sim-plot outputs/baseline_2021/<time>                 # monthly series with 90% bands
    sim-plot multirun/<time>                              # the figures that fit the sweep
    sim-plot multirun/<time> --kind sweep --x policy.training.scale --hue policy.hiring_subsidy.scale
    sim-plot multirun/<time> --kind heatmap --x ... --y ... --metric in_work
    sim-plot multirun/<time> --kind contributions --reference ablation=none
    sim-plot multirun/<time> --kind cost --reference policy.training.scale=0
    sim-plot multirun/<time> --kind groups --metric in_work   # who gains, by group (groups.parquet)

A run folder holds summary.json, timeseries.parquet, yearly.parquet and groups.parquet; a sweep
folder holds results.parquet and groups.parquet (made by `sim-collect` if missing) and one folder
per job. Bands and error bars
are 90% intervals: over the replicates of one job, or over the seeds of a sweep's setting.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from ..experiments import paired_effects
from ..experiments.plots import (KINDS, PlotError, check_metric, contributions_figure, cost_figure,
                                 groups_figure,
                                 heatmap_figure, job_dir, load_results, plot_run,
                                 series_by_setting, sweep_figure, yearly_by_setting)
from ..experiments.run_files import SUMMARY, YEARLY
from ..experiments.sweep_results import RESULTS


def plot_sweep(sweep_dir: Path, frame: pd.DataFrame, args) -> list[Path]:
    out = args.out
    keys = paired_effects.setting_keys(frame[frame["status"] == "ok"])
    metrics = args.metric or ["in_work"]
    for m in metrics:
        check_metric(frame, m)
    kind = args.kind
    if kind == "auto":
        paths = series_by_setting(sweep_dir, frame, metrics[0], out)
        reference = paired_effects.parse_reference(args.reference) if args.reference else None
        if paired_effects.PREFIX + "ablation" in keys:
            reference = reference or {paired_effects.PREFIX + "ablation": "none"}
            return (paths + contributions_figure(frame, reference, out)
                    + cost_figure(frame, reference, out))
        if len(keys) >= 1:
            hue = keys[1] if len(keys) > 1 else None
            paths += sweep_figure(frame, keys[0], metrics, out, hue=hue)
        if len(keys) == 2:
            paths += heatmap_figure(frame, keys[0], keys[1], metrics[0], out)
        if reference:
            paths += cost_figure(frame, reference, out)
        first = job_dir(sweep_dir, frame[frame["status"] == "ok"]["job"].iloc[0])
        if (first / YEARLY).exists() and pd.read_parquet(first / YEARLY)["year"].nunique() > 1:
            paths += yearly_by_setting(sweep_dir, frame, ["in_work", "migrant", "in_county"], out)
        return paths
    if kind == "series":
        return series_by_setting(sweep_dir, frame, metrics[0], out)
    if kind == "groups":
        return groups_figure(sweep_dir, frame, out, metrics[0])
    if kind == "sweep":
        _need(args, "x")
        return sweep_figure(frame, args.x, metrics, out, hue=args.hue)
    if kind == "heatmap":
        _need(args, "x", "y")
        ref = paired_effects.parse_reference(args.reference) if args.reference else None
        return heatmap_figure(frame, args.x, args.y, metrics[0], out, reference=ref)
    _need(args, "reference")
    ref = paired_effects.parse_reference(args.reference)
    if kind == "contributions":
        return contributions_figure(frame, ref, out, args.metric)
    if kind == "cost":
        return cost_figure(frame, ref, out)
    raise PlotError(f"The kind '{kind}' needs a sweep folder; a run folder takes series.")


def _need(args, *names: str) -> None:
    for n in names:
        if not getattr(args, n):
            raise PlotError(f"--kind {args.kind} needs --{n}.")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="sim-plot", description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("path", type=Path, help="a run folder or a sweep folder")
    ap.add_argument("--kind", default="auto", choices=KINDS)
    ap.add_argument("--metric", action="append", help="metric(s) to draw (repeat the flag)")
    ap.add_argument("--x", help="swept key on the x axis, e.g. policy.training.scale")
    ap.add_argument("--y", help="second swept key (heatmap)")
    ap.add_argument("--hue", help="swept key drawn as one line per value")
    ap.add_argument("--reference", help="the counterfactual setting, e.g. ablation=none or "
                                        "policy.training.scale=0,policy.hiring_subsidy.scale=0")
    ap.add_argument("--out", type=Path, help="folder for the figures (default: PATH/figures)")
    return ap


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    path: Path = args.path
    args.out = args.out or path / "figures"
    try:
        if (path / SUMMARY).exists():
            if args.kind not in ("auto", "series"):
                raise PlotError(f"--kind {args.kind} needs a sweep folder; '{path}' is one run "
                                "(allowed here: auto, series).")
            paths = plot_run(path, args.metric, args.out)
        elif path.is_dir() and ((path / RESULTS).exists() or any(path.rglob(".hydra"))):
            paths = plot_sweep(path, load_results(path), args)
        else:
            raise PlotError(f"'{path}' is neither a run folder (with {SUMMARY}) nor a sweep "
                            f"folder (with {RESULTS} or job folders).")
    except (PlotError, paired_effects.EffectError) as e:
        print(f"sim-plot: {e}", file=sys.stderr)
        sys.exit(2)
    for p in paths:
        print(p)


if __name__ == "__main__":
    main()
