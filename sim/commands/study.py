"""`sim-study NAME`: run one of the shipped studies and write its figures and tables.

    sim-study ablation             # study 1: each 2021 lever off in turn
    sim-study training_subsidy     # study 2: training x hiring subsidy
    sim-study workshops_posts      # study 3: workshops x public-welfare posts
    sim-study epidemic_transport   # study 4: epidemic strength x transport capacity
    sim-study transition           # study 5: 2021-2025, support continued, tapered, withdrawn
    sim-study sensitivity          # study 6: Morris, then Sobol (SALib)
    sim-study decomposition        # study 7: the path 2021-2023 taken apart, driver by driver
    sim-study ablation population.scale=0.05   # extra overrides go to every job

Studies 1-5 and 7 are Hydra sweeps (`conf/experiment/NAME.yaml`, the same as
`sim -m +experiment=NAME`) on all local cores; their jobs go to `outputs/NAME/runs/`, the
gathered `results.parquet`, the figures (PNG and SVG) and the tables (CSV) to `outputs/NAME/`.
`--into experiments` writes the shipped results in `experiments/NAME/` instead (the project's
own studies: it replaces them). `--resume` keeps the jobs of an earlier run that finished;
without it the runs start afresh.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..experiments import paired_effects, plots
from ..experiments.studies import NAMES, run_study

OUTPUTS = Path("outputs")  # where a study goes unless told `--into experiments`


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
    ap.add_argument("--into", type=Path, default=OUTPUTS,
                    help="folder the study's folder goes in (default outputs; the shipped "
                         "studies: --into experiments)")
    args = ap.parse_args(argv)
    if args.name == "sensitivity" and args.overrides:
        ap.exit(2, "sim-study: the sensitivity study takes its settings from "
                   "conf/sensitivity/default.yaml, not overrides.\n")
    try:
        paths = run_study(args.name, args.overrides, args.into, args.resume,
                          sweep=not args.plot_only)
    except (plots.PlotError, paired_effects.EffectError, FileNotFoundError) as e:
        print(f"sim-study: {e}", file=sys.stderr)
        sys.exit(2)
    for p in paths:
        print(p)


if __name__ == "__main__":
    main()
