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

The figures are written together: all of them, or, when a file cannot be read or a figure cannot
be drawn, none (one paragraph says why, exit status 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .cli import Parser, answers_bad_input, existing_folder, output_path

PROG = "sim-plot"
KINDS = ("auto", "series", "yearly", "sweep", "heatmap", "contributions", "cost", "groups")
RUN_KINDS = ("auto", "series", "yearly")  # a run folder's figures: its series and yearly totals
YEARLY_METRICS = ("in_work", "migrant", "in_county")


def plot_sweep(sweep_dir: Path, frame, args, out: Path) -> list[Path]:
    from ..experiments import input_files, paired_effects
    from ..experiments.plots import (check_metric, contributions_figure, cost_figure,
                                     groups_figure, heatmap_figure, job_dir, series_by_setting,
                                     sweep_figure, yearly_by_setting)
    from ..experiments.run_files import YEARLY

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
        if (first / YEARLY).exists() and input_files.read_table(
                first / YEARLY, input_files.YEARLY)["year"].nunique() > 1:
            paths += yearly_by_setting(sweep_dir, frame, list(YEARLY_METRICS), out)
        return paths
    if kind == "series":
        return series_by_setting(sweep_dir, frame, metrics[0], out)
    if kind == "yearly":
        return yearly_by_setting(sweep_dir, frame, args.metric or list(YEARLY_METRICS), out)
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
    return cost_figure(frame, ref, out)


def _need(args, *names: str) -> None:
    from ..experiments.plots import PlotError

    for n in names:
        if not getattr(args, n):
            raise PlotError(f"--kind {args.kind} needs --{n}.")


def parser() -> argparse.ArgumentParser:
    ap = Parser(prog=PROG, description=__doc__.splitlines()[0],
                formatter_class=argparse.RawDescriptionHelpFormatter,
                epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("path", type=existing_folder("a run folder or a sweep folder"),
                    help="a run folder or a sweep folder")
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
    out = args.out or args.path / "figures"
    with answers_bad_input(PROG):
        output_path(out, "--out", folder=True)
        draw = _drawing(args)
        from ..experiments.tables import written_together

        with written_together(out) as staging:
            paths = [out / p.relative_to(staging) for p in draw(staging)]
    for p in paths:
        print(p)


def _drawing(args):
    """What to draw into a folder, once the run's or the sweep's files are read and checked
    (a run's before matplotlib is even loaded: bad input is answered in half a second)."""
    from ..core.validation import InputError
    from ..experiments import input_files
    from ..experiments.run_files import SUMMARY
    from ..experiments.sweep_results import RESULTS, job_folders

    path = args.path
    if (path / SUMMARY).exists():
        if args.kind not in RUN_KINDS:
            raise InputError(f"--kind {args.kind} needs a sweep folder; '{path}' is one run "
                             f"(allowed here: {', '.join(RUN_KINDS)}).")
        files = input_files.read_run(path)
        from ..experiments.plots import plot_run

        return lambda staging: plot_run(path, args.metric, staging, files)
    if (path / RESULTS).exists() or job_folders(path):
        from ..experiments.plots import load_results

        frame = load_results(path)
        return lambda staging: plot_sweep(path, frame, args, staging)
    raise InputError(f"'{path}' is neither a run folder (with {SUMMARY}) nor a sweep folder (with "
                     f"{RESULTS} or job folders); allowed: the folder a run or a sweep of `sim` "
                     "printed.")


if __name__ == "__main__":
    main()
