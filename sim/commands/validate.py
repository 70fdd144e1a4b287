"""`sim-validate`: the calibration's posterior against every figure, and the behaviour it implies.

    sim-validate                      # 200 posterior draws, about 10 minutes on 2 cores
    sim-validate --draws 50           # a quicker look
    sim-validate --stamp              # record the checks' inputs' values, before a refit

Prints the fitted figures (the median's error in tolerances) and the checks (judged by their
declared rule on the posterior-predictive median, seeds/preregistration.yaml) with their 90%
posterior predictive intervals, the spent figures apart, the posterior-predictive distance and
the behaviour diagnostics; writes docs/validation.md; ends with one line of JSON. The arguments,
the pre-registration record and its copy at the fit, the identification table and the output
paths are checked before anything runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from .calibrate import MAX_PROCS, MAX_WORKERS
from .cli import MIN_WORKERS, Parser, answers_bad_input, existing_file, output_path, whole_number

PROG = "sim-validate"


def parser() -> argparse.ArgumentParser:
    ap = Parser(prog=PROG, description=__doc__.splitlines()[0],
                formatter_class=argparse.RawDescriptionHelpFormatter,
                epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("--draws", type=whole_number(1, 100_000), default=200,
                    help="posterior draws to run (at most the posterior's)")
    ap.add_argument("--workers", type=whole_number(MIN_WORKERS, MAX_WORKERS), default=None,
                    help="agents per run (default: the calibration's particles' own)")
    ap.add_argument("--point-seeds", type=whole_number(1, 1000), default=3,
                    help="seeds of the point fit")
    ap.add_argument("--full-scale-seeds", type=whole_number(0, 100), default=3,
                    help="runs of the point fit at full scale (one agent per worker; about a "
                         "minute and 0.7 GB each), for the scale table; 0: none")
    ap.add_argument("--procs", type=whole_number(1, MAX_PROCS), default=os.cpu_count() or 1,
                    help="local processes")
    ap.add_argument("--report", type=Path, default=Path("docs/validation.md"))
    ap.add_argument("--summary", type=Path, default=Path("conf/calibration/validation.json"),
                    help="the JSON line, kept for sim-report's validation state")
    ap.add_argument("--stamp", action="store_true",
                    help="write the current values of the checks' inputs into "
                         "seeds/preregistration.yaml and stop (before a refit)")
    ap.add_argument("--identification",
                    type=existing_file("the identification table sim-calibrate writes"),
                    default=Path("conf/calibration/identification.csv"),
                    help="the calibration's identification table (sim-calibrate writes it)")
    return ap


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    started = time.perf_counter()
    with answers_bad_input(PROG):
        from ..experiments import input_files, preregistration

        from ..core.validation import InputError
        from ..experiments.posterior import load_draws

        record = preregistration.read()
        if args.stamp:
            _stamp()
            return
        at_fit = preregistration.read_at_fit()
        identification = input_files.read_identification(args.identification)
        available = len(load_draws())
        if args.draws > available:
            raise InputError(f"Invalid value for '--draws': got {args.draws}; allowed: a number "
                             f"of posterior draws from 1 to {available} (the posterior's).")
        output_path(args.report, "--report")
        output_path(args.summary, "--summary")
        _validate(args, argv, identification, record, at_fit, started)


def _stamp() -> None:
    """The checks' inputs' values in the baseline config, written into the record."""
    from ..experiments import preregistration
    from ..experiments.compose import load

    record = preregistration.stamp(load([]))
    print(f"Stamped the inputs of {len(record['checks'])} checks in {preregistration.source()}")


def _validate(args, argv, identification, record, at_fit, started: float) -> None:
    from ..experiments import validation
    from ..experiments.calibration import WORKERS
    from ..experiments.compose import load
    from ..experiments.run_files import atomic_write

    args.workers = args.workers or WORKERS
    result = validation.validate(load(["quiet=true"]), load(["quiet=true", "scenario=epidemic_2020"]),
                                 args.draws, args.workers, args.point_seeds, args.procs,
                                 record=record, record_at_fit=at_fit,
                                 full_seeds=args.full_scale_seeds)
    command = ("sim-validate " + " ".join(sys.argv[1:] if argv is None else argv)).strip()
    facts = {"command": command, "minutes": (time.perf_counter() - started) / 60,
             "workers": args.workers}
    text = validation.report_markdown(result, facts)
    line = validation.summary_line(result, identification)
    # both files under temporary names, renamed: never half a report
    atomic_write(args.report, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    atomic_write(args.summary, lambda tmp: Path(tmp).write_text(json.dumps(line, indent=1) + "\n",
                                                                 encoding="utf-8"))
    print(text)
    print(f"Wrote {args.report}")
    print(json.dumps(line))


if __name__ == "__main__":
    main()
