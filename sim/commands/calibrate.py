"""`sim-calibrate`: fit the free behavioural parameters to the article's figures
(sim.experiments.calibration) and write the fitted config and its report."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..experiments import calibration, targets
from ..experiments.calibration import (Fit, fit, multi_start, refine, report, residuals, sensitivity,
                                       write_fitted)
from ..experiments.compose import load


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="sim-calibrate", description=calibration.__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.05, help="population scale of the search")
    ap.add_argument("--seeds", type=int, default=1, help="seeds averaged per evaluation")
    ap.add_argument("--max-evals", type=int, default=250, help="model runs in the search")
    ap.add_argument("--refine-scale", type=float, default=1.0, help="scale of the final steps")
    ap.add_argument("--refine-steps", type=int, default=3, help="Gauss-Newton steps (0: none)")
    ap.add_argument("--starts", type=int, default=0,
                    help="extra searches from jittered starting points (identification check)")
    ap.add_argument("--output", default="conf/calibration/fitted.yaml")
    ap.add_argument("--report", default="docs/calibration-report.md")
    ap.add_argument("overrides", nargs="*", help="config overrides, e.g. population.labour_force=2200000")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    cfg = load(args.overrides + [f"population.scale={args.scale}"])
    seeds = list(range(args.seeds))
    coarse = fit(cfg, seeds, max_evaluations=args.max_evals)
    restarts = multi_start(cfg, seeds, coarse, args.starts, args.max_evals)
    print("sensitivities at the optimum ...", file=sys.stderr)
    J = sensitivity(cfg, seeds, coarse.params, coarse.x)
    x, table = coarse.x, coarse.table
    if args.refine_steps > 0:
        print(f"refining at scale {args.refine_scale:g} ...", file=sys.stderr)
        fine = load(args.overrides + [f"population.scale={args.refine_scale}"])
        x, table, _ = refine(fine, seeds, coarse.params, coarse.x, J, args.refine_steps)
    seconds = time.perf_counter() - start
    result = Fit(x=x, table=table, objective=float(residuals(table) @ residuals(table)),
                 evaluations=coarse.evaluations, seconds=seconds, params=coarse.params)
    command = ("sim-calibrate " + " ".join(sys.argv[1:] if argv is None else argv)).strip()
    write_fitted(Path(args.output), result, command, cfg.population.labour_force)
    report(Path(args.report), command, coarse, table, x, J, seconds,
           (args.scale, args.refine_scale if args.refine_steps else args.scale), restarts)
    print(targets.format_fit_table(table))
    print(f"objective {result.objective:.4g}; {coarse.evaluations} search runs at scale "
          f"{args.scale:g}; took {seconds / 60:.1f} min; wrote {args.output} and {args.report}")
