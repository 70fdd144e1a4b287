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
own studies: it replaces them). `--resume` keeps the jobs of an earlier run that finished
(refused if that run was made with another config, posterior or code); without it the runs start
afresh and the earlier ones are moved to `NAME/replaced-<time>/`, never deleted. Every input is
checked before anything is touched: a bad override is refused with exit status 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.validation import ConfigError
from ..experiments import studies
from ..experiments.studies import NAMES, run_study
from . import cli, input_checks, run_folder

OUTPUTS = Path("outputs")  # where a study goes unless told `--into experiments`


def main(argv: list[str] | None = None) -> None:
    ap = cli.Parser(prog="sim-study", description=__doc__.splitlines()[0],
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
    with cli.answers_bad_input("sim-study"):
        if args.name == "sensitivity" and args.overrides:
            raise ConfigError("Invalid arguments: the sensitivity study takes its settings from "
                              "conf/sensitivity/default.yaml; allowed: no overrides.")
        if not args.plot_only:
            check_inputs(args.name, args.overrides, args.into, args.resume)
        paths = run_study(args.name, args.overrides, args.into, args.resume,
                          sweep=not args.plot_only)
    for p in paths:
        print(p)


def check_inputs(name: str, overrides: list[str], into: Path, resume: bool) -> None:
    """Everything the study's sweep would refuse, found before anything is moved or written:
    the overrides and every job (as `sim` checks them), the folder, and with `resume` that the
    earlier runs are the same sweep with today's code and posterior."""
    out = into / name
    input_checks.check_output_folder(str(out), "--into")
    if name == "sensitivity":
        return
    runs = out / "runs"
    checked = input_checks.plan(studies.sweep_command(name, overrides, runs))
    if resume:
        try:
            run_folder.check(runs.absolute(), checked.jobs, True, "refuse")
        except ConfigError as e:
            raise ConfigError(f"{e} For a study: run it without --resume (the earlier runs are "
                              "then moved aside, not deleted).") from None


if __name__ == "__main__":
    main()
