"""`sim-calibrate`: Bayesian calibration of the behaviour parameters against the fitted figures,
by truncated sequential neural posterior estimation (the default, `--method npe`) or ABC-SMC with
pyabc (`--method smc`); writes the posterior draws, the point fit and the identification report.

    sim-calibrate                               # NPE in two rounds (about 20 min on 2 idle cores)
    sim-calibrate --rounds 2500,8000,8000       # a third round, drawn nearer the data
    sim-calibrate --method smc                  # ABC-SMC on all local cores
    sim-calibrate --method smc --dask tcp://HOST:8786   # on a Dask cluster: pyabc's Dask sampler
    sim-calibrate --recover                     # parameter recovery from model-made data
    sim-calibrate --resume --walltime 20        # go on with the run kept in --db
    sim-calibrate scenario.burn_in_months=12    # config overrides, checked as `sim` checks them

The priors are conf/calibration/priors.yaml; the posterior goes to conf/calibration/
(posterior.csv, fitted.yaml, preregistration_at_fit.yaml: the checks' record
seeds/preregistration.yaml as it was when the command started, copied verbatim, and with NPE
sbc.json, the simulation-based calibration) and the report to docs/calibration-report.md. NPE
keeps its reference tables in --tables, chunk by chunk: run again, it resumes where it stopped.
Every input (the overrides, the priors, the checks' record, --db, the output paths) is checked
before anything runs or is touched; a new run sets an existing --db aside (renamed with the time,
never deleted).
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
from .cli import (MIN_WORKERS, Parser, answers_bad_input, argument_type, existing_file, number,
                  output_path, whole_number)

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
    ap.add_argument("--method", choices=("npe", "smc"), default="npe",
                    help="npe: reference tables in rounds and a neural posterior estimator "
                         "(checked by simulation-based calibration); smc: ABC-SMC (pyabc)")
    ap.add_argument("--rounds", type=_round_sizes, default=[2500, 8000],
                    help="NPE: model runs in each round, comma-separated (default 2500,8000)")
    ap.add_argument("--tables", type=Path, default=Path("outputs/calibration/npe"),
                    help="NPE: where the rounds' reference tables are kept (resumed if there)")
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
    ap.add_argument("--draws", type=whole_number(1, 100_000), default=None,
                    help="posterior draws to ship (default 2000 with NPE, 250 with ABC-SMC)")
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


def _sizes(text: str) -> list[int]:
    sizes = [int(x) for x in str(text).split(",")]
    if not 1 <= len(sizes) <= 10 or any(not 500 <= n <= 10_000_000 for n in sizes):
        raise ValueError(text)
    return sizes


_round_sizes = argument_type("round sizes", _sizes, "one to ten whole numbers of model runs, each "
                             "500 to 10,000,000, comma-separated (e.g. 2500,8000)")


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    started = time.perf_counter()
    with answers_bad_input(PROG):
        if args.method == "npe":
            _check_npe_args(args)
            inputs = checked_inputs(args)
            _calibrate_npe(args, argv, inputs, started)
            return
        inputs = checked_inputs(args)
        sampler = None if args.from_db else _sampler(args)
        _calibrate(args, argv, inputs, sampler, started)


def _check_npe_args(args) -> None:
    """Options of ABC-SMC given with NPE: named, not ignored."""
    smc_only = [flag for flag, given in (("--dask", args.dask), ("--recover", args.recover),
                                         ("--from-db", args.from_db), ("--resume", args.resume))
                if given]
    if smc_only:
        raise InputError(f"Invalid combination: {', '.join(smc_only)} belong to ABC-SMC; allowed "
                         "with --method npe: --rounds, --tables, --draws, --workers, --procs, --seed, "
                         "--priors, --output-dir, --report (NPE resumes from --tables by itself, and "
                         "its recovery is the simulation-based calibration it always runs).")
    output_path(args.tables, "--tables", folder=True)


def _calibrate_npe(args, argv, inputs: Inputs, started: float) -> None:
    from ..experiments import calibration, npe_calibration

    args.workers = args.workers or calibration.WORKERS
    draws = args.draws or 2000
    result = npe_calibration.run(inputs.base, inputs.params, args.tables, args.rounds,
                                 args.workers, args.seed, draws, args.procs,
                                 progress=_progress)
    command = ("sim-calibrate " + " ".join(sys.argv[1:] if argv is None else argv)).strip()
    minutes = (time.perf_counter() - started) / 60
    sbc = result.sbc
    passing = int(sbc.passes.sum())
    facts = {"command": command, "minutes": minutes, "cores": args.procs,
             "method": "truncated sequential NPE, flowjax",
             "how": (f"{len(args.rounds)} rounds of {', '.join(f'{n:,}' for n in result.rows)} model runs "
                     f"at {args.workers:,} agents; SBC: {passing} of {len(sbc)} parameters pass; "
                     f"{minutes:.0f} min (resumed tables count only the time of this command)."),
             "method_text": npe_method_text(result, args.workers, minutes)}
    extra = npe_sections(result)
    calibration.report(inputs.report, result.ident, inputs.params, facts, extra_sections=extra)
    out = args.output_dir
    calibration.write_posterior(out / "posterior.csv", result.draws, inputs.params, facts)
    calibration.write_point_fit(out / "fitted.yaml", result.draws, inputs.params, command,
                                centre=result.point_fit,
                                how="of the first 200 draws in posterior.csv, the one whose "
                                    "figures (mean of\n# two runs) lie nearest the data "
                                    "(sim.experiments.npe_calibration.nearest_draw)")
    calibration.write_identification(out / "identification.csv", result.ident)
    calibration._write_text(out / "sbc.json", json.dumps(npe_calibration.sbc_json(result), indent=1) + "\n")
    # the checks' record as it was when this fit started: a check counts as pre-registered for
    # the posterior only when its declaration there is the same as in seeds/preregistration.yaml
    calibration.write_record_at_fit(out / "preregistration_at_fit.yaml", inputs.record)
    t = result.ident.table
    print(f"Wrote {out / 'posterior.csv'} ({len(result.draws)} draws), {out / 'fitted.yaml'}, "
          f"{out / 'sbc.json'} and {inputs.report}")
    print(json.dumps({"rounds": result.rows, "minutes": round(minutes, 1),
                      "parameters": int((t.role == "behaviour").sum()),
                      "identified": int(t[t.role == "behaviour"].identified.sum()),
                      "sbc_parameters_passing": passing, "sbc_parameters": len(sbc)}))


def _progress(done: int, total: int) -> None:
    print(f"{PROG}: {done:,} of {total:,} model runs of this round", file=sys.stderr, flush=True)


def npe_method_text(result, workers: int, minutes: float) -> str:
    from ..experiments.npe_calibration import HELD_OUT

    rows = ", ".join(f"{n:,}" for n in result.rows)
    return (f"Truncated sequential neural posterior estimation (a masked autoregressive flow, "
            f"flowjax): {len(result.rows)} rounds of model runs ({rows}) at {workers:,} agents, "
            f"round 1 drawn from the priors and each later round from a box that holds the last "
            f"round's posterior. The last round's runs, less {HELD_OUT} held out, train the estimator; "
            f"the held-out runs are the data sets of the simulation-based calibration below. The "
            f"time above is this command's own: runs already kept in the rounds' tables (resumed) "
            f"are not counted in it (8,000 runs of 25,000 agents took 12 minutes on two idle "
            f"cores, 33 on two shared with other work).")


def npe_sections(result) -> list[str]:
    """The report's sections on the rounds' boxes and the simulation-based calibration."""
    lines = ["", "## Simulation-based calibration", "",
             f"{int(result.sbc.datasets.max())} data sets made by the model at known parameters "
             "(drawn from the last round's box, held out of training). For each, 500 posterior "
             "draws; the rank of the known value among them must be uniform (chi-square over 10 "
             "bins, not rejected at 1%) and the central 90% interval must cover it in 80% to 97% "
             "of the data sets.", "",
             "| parameter | p-value | 90% coverage | rank histogram (10 bins) | passes |",
             "|---|---|---|---|---|"]
    for r in result.sbc.itertuples():
        lines.append(f"| {r.parameter} | {r.p_value:.3f} | {r.coverage:.3f} | "
                     f"{' '.join(str(c) for c in r.histogram)} | {'yes' if r.passes else 'no'} |")
    lines += ["", f"Passing: {int(result.sbc.passes.sum())} of {len(result.sbc)} parameters.", "",
              "## The rounds' boxes", "",
              "Each round after the first draws uniformly inside this box (the prior cut to it). "
              "The share of posterior draws within 2% of an edge the box cut (not a prior bound) "
              "says whether the box cut the posterior: near 0 means it did not.", "",
              "| parameter | " + " | ".join(f"round {k + 1}" for k in range(len(result.boxes)))
              + " | at a cut edge |",
              "|---" * (len(result.boxes) + 2) + "|"]
    for name in result.boxes[0].low:
        cells = [f"{b.low[name]:.4g} to {b.high[name]:.4g}" for b in result.boxes]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {result.edges[name]:.3f} |")
    return lines


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
    facts = calibration.smc_facts({
        "command": command, "minutes": minutes,
        "cores": args.procs if not args.dask else f"Dask at {args.dask}",
        "populations": history.max_t + 1, "particles": args.particles,
        "simulations": int(history.total_nr_simulations), "workers": args.workers,
        "epsilon": float(populations["epsilon"].iloc[-1]),
        "figures": len(calibration.distance_figures())})
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
        draws = calibration.posterior(history, params, args.draws or 250, args.seed)
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
