"""`sim-calibrate`: Bayesian calibration (ABC-SMC with pyabc) of the behaviour parameters against
the fitted figures; writes the posterior draws, the point fit and the identification report.

    sim-calibrate                               # on all local cores (about 40 min on 2 cores)
    sim-calibrate --dask tcp://HOST:8786        # on a Dask cluster: pyabc's Dask sampler
    sim-calibrate --recover                     # parameter recovery from model-made data
    sim-calibrate --resume --walltime 20        # go on with the run kept in --db
    sim-calibrate scenario.burn_in_months=12    # config overrides, checked as `sim` checks them

The priors are conf/calibration/priors.yaml; the posterior goes to conf/calibration/
(posterior.csv, fitted.yaml, and preregistration_at_fit.yaml: the checks' record
seeds/preregistration.yaml as it was when the command started, copied verbatim) and the report
to docs/calibration-report.md. Every input (the overrides, the priors, the checks' record, --db,
the output paths) is checked before anything runs or is touched; a new run sets an existing --db
aside (renamed with the time, never deleted).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..core.validation import InputError
from .cli import (MIN_WORKERS, Parser, answers_bad_input, existing_file, number, output_path,
                  whole_number)

PROG = "sim-calibrate"
# a particle runs `--workers` agents of its labour force: at most the smallest labour force the
# priors allow (2.2 million), so that its scale stays at most 1; at least the model's fewest
MAX_WORKERS = 2_000_000
MIN_PARTICLES = 10  # fewer cannot carry a posterior (the adjustment falls back below ~15)
MAX_SEED = 2**32 - 1  # numpy's global seed, which pyabc draws from
MAX_PROCS = 1024
WEEK_MINUTES = 7 * 24 * 60


def _sampler(args):
    import pyabc

    if args.dask:
        from distributed import Client

        try:
            client = Client(args.dask)
        except (OSError, TimeoutError, ValueError, TypeError) as e:
            raise InputError(f"Invalid value for '--dask': cannot reach a Dask scheduler at "
                             f"{args.dask!r} ({' '.join(str(e).split())[:160]}); allowed: the "
                             "address of a running scheduler, e.g. tcp://HOST:8786.") from None
        return pyabc.sampler.DaskDistributedSampler(dask_client=client)
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=args.procs)


def parser() -> argparse.ArgumentParser:
    summary, _, rest = __doc__.partition("\n\n")
    ap = Parser(prog=PROG, description=" ".join(summary.split()),
                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=rest)
    ap.add_argument("--particles", type=whole_number(MIN_PARTICLES, 1_000_000), default=200,
                    help="particles per population")
    ap.add_argument("--populations", type=whole_number(1, 1000), default=30,
                    help="most populations")
    ap.add_argument("--walltime", type=number(0, WEEK_MINUTES, open_low=True), default=50.0,
                    help="no new population after this many minutes (the one under way ends)")
    ap.add_argument("--min-epsilon", type=number(0, 1e6), default=2.0,
                    help="stop when the tolerance is this low (distance units)")
    ap.add_argument("--quantile", type=number(0, 1, open_low=True), default=0.2,
                    help="each population's tolerance: this quantile of the last one's distances")
    ap.add_argument("--draws", type=whole_number(1, 100_000), default=250,
                    help="posterior draws to ship")
    ap.add_argument("--workers", type=whole_number(MIN_WORKERS, MAX_WORKERS), default=None,
                    help="agents simulated per particle (default: "
                         "sim.experiments.calibration.WORKERS)")
    ap.add_argument("--procs", type=whole_number(1, MAX_PROCS), default=os.cpu_count() or 1,
                    help="local processes")
    ap.add_argument("--dask", help="the address of a Dask scheduler (instead of local processes)")
    ap.add_argument("--priors", type=existing_file("a priors file like conf/calibration/priors.yaml"),
                    help="a priors file (default conf/calibration/priors.yaml)")
    ap.add_argument("--output-dir", type=Path, default=Path("conf/calibration"),
                    help="where posterior.csv, fitted.yaml and identification.csv go "
                         "(default conf/calibration)")
    ap.add_argument("--report", type=Path, default=None,
                    help="the report (default docs/calibration-report.md, or "
                         "docs/calibration-recovery.md with --recover)")
    ap.add_argument("--db", type=Path, default=Path("outputs/calibration/abc.db"),
                    help="the pyabc database (default outputs/calibration/abc.db); a new run sets "
                         "one already there aside, renamed with the time")
    ap.add_argument("--recover", action="store_true",
                    help="calibrate to data the model made at the point fit; report coverage")
    ap.add_argument("--seed", type=whole_number(0, MAX_SEED), default=0,
                    help="seed of the particles' draws and of the posterior's resampling")
    ap.add_argument("--from-db", action="store_true",
                    help="no new run: read the last calibration from --db and write its files")
    ap.add_argument("--resume", action="store_true",
                    help="go on from the last population of the run in --db")
    ap.add_argument("overrides", nargs="*", help="config overrides, e.g. scenario.burn_in_months=12")
    return ap


@dataclass
class Inputs:
    """What a calibration starts from, every part checked."""

    base: object  # the Config the particles vary
    params: list
    report: Path
    record: bytes = b""  # seeds/preregistration.yaml as the fit starts: its copy at the fit


def config_of(overrides: list[str]):
    """The config with the overrides, checked as `sim` checks its command line (unknown keys,
    types, options, ranges); a ConfigError names the override."""
    from .input_checks import check_overrides, compose, composes, params_of

    check_overrides(overrides)
    files = [o for o in overrides if composes(o)]
    return params_of(compose(files), [o for o in overrides if not composes(o)])


def checked_inputs(args) -> Inputs:
    """Every input, checked before anything runs or is touched."""
    from ..experiments import input_files, posterior, preregistration

    if args.from_db and args.resume:
        raise InputError("Invalid combination: --from-db rewrites the files of the run kept in "
                         "--db, --resume goes on with it; allowed: one of them.")
    params = posterior.priors(args.priors)
    if args.from_db or args.resume:
        input_files.check_calibration_db(args.db, [p.name for p in params])
    else:
        output_path(args.db, "--db")
    if not args.recover:
        output_path(args.output_dir, "--output-dir", folder=True)
    report = args.report or Path("docs") / ("calibration-recovery.md" if args.recover
                                            else "calibration-report.md")
    output_path(report, "--report")
    record = b""
    if not args.recover:  # the checks' record, copied beside the posterior: well-formed
        preregistration.read()
        record = preregistration.source().read_bytes()
    return Inputs(config_of(args.overrides), params, report, record)  # last: composing takes a second


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    started = time.perf_counter()
    with answers_bad_input(PROG):
        inputs = checked_inputs(args)
        sampler = None if args.from_db else _sampler(args)
        _calibrate(args, argv, inputs, sampler, started)


def _calibrate(args, argv, inputs: Inputs, sampler, started: float) -> None:
    from ..experiments import calibration

    args.workers = args.workers or calibration.WORKERS
    base, params = inputs.base, inputs.params
    truth = data = None
    if args.recover:  # the point fit is the truth; the data come from another seed
        truth = {p.name: _value(base, p) for p in params}
        # a population's figures, as the article's are: the mean of eight seeds
        data = calibration.model_data(base, params, truth, args.workers)
    if args.from_db:
        import pyabc

        history = pyabc.History(f"sqlite:///{args.db}")
    else:
        if not args.resume:
            kept = calibration.set_aside(args.db)
            if kept is not None:
                print(f"{PROG}: the database already at {args.db} is kept as {kept}; the new run "
                      f"starts in {args.db}.", file=sys.stderr, flush=True)
        history = calibration.calibrate(base, params, args.db, args.particles, args.populations,
                                         args.walltime, args.min_epsilon, sampler, data,
                                         args.workers, args.seed, args.quantile, args.resume)
    command = ("sim-calibrate " + " ".join(sys.argv[1:] if argv is None else argv)).strip()
    if args.resume:
        command = f"sim-calibrate, stopped and then {command}"
    if args.from_db:  # the files of a run already made, rewritten from its database
        command = f"sim-calibrate (its files rewritten from its database by {command})"
    populations = history.get_all_populations()
    # the populations' own wall times: a resumed run's pause is not counted
    minutes = float(populations["wall_time"].sum()) / 60 if args.from_db or args.resume \
        else (time.perf_counter() - started) / 60
    facts = {"command": command, "minutes": minutes,
             "cores": args.procs if not args.dask else f"Dask at {args.dask}",
             "populations": history.max_t + 1, "particles": args.particles,
             "simulations": int(history.total_nr_simulations), "workers": args.workers,
             "epsilon": float(populations["epsilon"].iloc[-1]),
             "figures": len(calibration.distance_figures())}
    ident = calibration.identification(history, params, data=data)
    calibration.report(inputs.report, ident, params, facts, truth)
    t = ident.table
    summary = {"populations": facts["populations"], "simulations": facts["simulations"],
               "minutes": round(facts["minutes"], 1), "epsilon": round(facts["epsilon"], 3),
               "parameters": int((t.role == "behaviour").sum()),
               "identified": int(t[t.role == "behaviour"].identified.sum())}
    if args.recover:
        covered = [(r.posterior_low <= truth[r.parameter] <= r.posterior_high) for r in t.itertuples()]
        summary["covered"] = int(sum(covered))
        summary["recovered_of"] = len(covered)
    else:
        draws = calibration.posterior(history, params, args.draws, args.seed)
        calibration.write_posterior(args.output_dir / "posterior.csv", draws, params, facts)
        calibration.write_point_fit(args.output_dir / "fitted.yaml", draws, params, command)
        calibration.write_identification(args.output_dir / "identification.csv", ident)
        # the checks as declared when this fit started: sim-validate counts a check only when
        # its declaration there is the same as in seeds/preregistration.yaml then
        calibration.write_record_at_fit(args.output_dir / "preregistration_at_fit.yaml",
                                        inputs.record)
        print(f"Wrote {args.output_dir / 'posterior.csv'} ({len(draws)} draws), "
              f"{args.output_dir / 'fitted.yaml'}, "
              f"{args.output_dir / 'preregistration_at_fit.yaml'} and {inputs.report}")
    print(json.dumps(summary))


def _value(cfg, p) -> float:
    node = cfg
    for part in p.keys[0].split("."):
        node = getattr(node, part)
    return float(node)


if __name__ == "__main__":
    main()
