"""`sim-calibrate`: Bayesian calibration (ABC-SMC with pyabc) of the behaviour parameters against
the fitted figures; writes the posterior draws, the point fit and the identification report.

    sim-calibrate                               # on all local cores (about 40 min on 2 cores)
    sim-calibrate --dask tcp://HOST:8786        # on a Dask cluster: pyabc's Dask sampler
    sim-calibrate --recover                     # parameter recovery from model-made data
    sim-calibrate --resume --walltime 20        # go on with the run kept in --db

The priors are conf/calibration/priors.yaml; the posterior goes to conf/calibration/
(posterior.csv, fitted.yaml) and the report to docs/calibration-report.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from ..experiments import calibration, posterior
from ..experiments.compose import load


def _sampler(args):
    import pyabc

    if args.dask:
        from distributed import Client

        return pyabc.sampler.DaskDistributedSampler(dask_client=Client(args.dask))
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=args.procs)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="sim-calibrate", description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("--particles", type=int, default=200, help="particles per population")
    ap.add_argument("--populations", type=int, default=30, help="most populations")
    ap.add_argument("--walltime", type=float, default=50.0,
                    help="no new population after this many minutes (the one under way ends)")
    ap.add_argument("--min-epsilon", type=float, default=2.0,
                    help="stop when the tolerance is this low (distance units)")
    ap.add_argument("--quantile", type=float, default=0.2,
                    help="each population's tolerance: this quantile of the last one's distances")
    ap.add_argument("--draws", type=int, default=250, help="posterior draws to ship")
    ap.add_argument("--workers", type=int, default=calibration.WORKERS,
                    help="agents simulated per particle")
    ap.add_argument("--procs", type=int, default=os.cpu_count(), help="local processes")
    ap.add_argument("--dask", help="the address of a Dask scheduler (instead of local processes)")
    ap.add_argument("--priors", type=Path, help="a priors file (default conf/calibration/priors.yaml)")
    ap.add_argument("--output-dir", type=Path, default=Path("conf/calibration"))
    ap.add_argument("--report", type=Path, default=None)
    ap.add_argument("--db", type=Path, default=Path("outputs/calibration/abc.db"))
    ap.add_argument("--recover", action="store_true",
                    help="calibrate to data the model made at the point fit; report coverage")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--from-db", action="store_true",
                    help="no new run: read the last calibration from --db and write its files")
    ap.add_argument("--resume", action="store_true",
                    help="go on from the last population of the run in --db")
    ap.add_argument("overrides", nargs="*", help="config overrides, e.g. scenario.burn_in_months=12")
    return ap


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    started = time.perf_counter()
    base = load(args.overrides)
    params = posterior.priors(args.priors)
    truth = data = None
    if args.recover:  # the point fit is the truth; the data come from another seed
        truth = {p.name: _value(base, p) for p in params}
        # a population's figures, as the article's are: the mean of eight seeds
        data = calibration.model_data(base, params, truth, args.workers)
    if args.from_db:
        import pyabc

        history = pyabc.History(f"sqlite:///{args.db}")
    else:
        history = calibration.calibrate(base, params, args.db, args.particles, args.populations,
                                         args.walltime, args.min_epsilon, _sampler(args), data,
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
    report = args.report or Path("docs") / ("calibration-recovery.md" if args.recover
                                            else "calibration-report.md")
    calibration.report(report, ident, params, facts, truth)
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
        ident.table.to_csv(args.output_dir / "identification.csv", index=False,
                           float_format="%.6g")
        print(f"Wrote {args.output_dir / 'posterior.csv'} ({len(draws)} draws), "
              f"{args.output_dir / 'fitted.yaml'} and {report}")
    print(json.dumps(summary))


def _value(cfg, p: posterior.Parameter) -> float:
    node = cfg
    for part in p.keys[0].split("."):
        node = getattr(node, part)
    return float(node)


if __name__ == "__main__":
    main()
