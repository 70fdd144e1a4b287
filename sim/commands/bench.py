"""`sim-bench`: build and run the model at 1:100, 1:10 and full scale, the model at full scale
under the plain Mesa reference's own rules (like for like), and the Mesa reference itself at
20,000 workers for a year and at full scale for a few months, and print what each costs.

Each run is in a fresh process so that its peak memory (RSS) is its own; each engine timing is
the median of three such runs (`--repeats`), as this machine's speed varies. The compiled (numba)
kernels are measured apart: compiling them once on a machine (into an empty cache), and loading
them from the cache, which every fresh process pays once. The last line is one JSON object
(seconds_per_year_full, peak_rss_mb_full, speedup_vs_mesa, ...).

A Mesa agent's cost per month grows with the population (a million Python objects do not stay
in the processor's caches), so the reference is also run at the engine's own size: the ratio
`speedup_vs_mesa` compares the same rules on the same population.

Its arguments and the report's path are checked before anything is timed: a bad one is one
paragraph naming it and what is allowed (exit status 2).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..core.validation import InputError
from .cli import MIN_WORKERS, Parser, answers_bad_input, number, output_path, whole_number

PROG = "sim-bench"
SCALES = (0.01, 0.1, 1.0)
# a size a Mesa user would run, and the whole labour force (the engine's full scale)
REFERENCE_WORKERS = (20_000, 2_500_000)


def reference_months(workers: int) -> int:
    """A year where it takes seconds; three months at full scale, where a month takes about 15 s
    (the cost per worker-month is steady from the first month: the start is a steady state)."""
    return 12 if workers <= 100_000 else 3


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def _tiny_run() -> float:
    """Seconds to build and run a 1,000-worker model (in a fresh process: mostly compiled code)."""
    from ..experiments.compose import load
    from ..core.model import LaborExportModel

    t0 = time.perf_counter()
    LaborExportModel(load(["population.scale=0.0004"])).run()
    return time.perf_counter() - t0


def state_bytes(model) -> dict:
    """Bytes of the model's arrays per worker: the worker columns, the household columns, and
    everything else the model holds (the ledger's running counts, scratch buffers, indexes);
    arrays that share memory are counted once."""
    import numpy as np

    seen: dict[int, int] = {}

    def arrays(obj, depth=0):
        if isinstance(obj, np.ndarray):
            base = obj if obj.base is None else obj.base
            if isinstance(base, np.ndarray):
                seen.setdefault(id(base), base.nbytes)
            return
        if depth > 4:
            return
        if isinstance(obj, dict):
            values = obj.values()
        elif isinstance(obj, (list, tuple)):
            values = obj
        elif type(obj).__module__.startswith("sim.") and hasattr(obj, "__dict__"):
            values = vars(obj).values()
        else:
            return
        for v in values:
            arrays(v, depth + 1)

    n = model.workers.n
    parts = {}
    for name, obj in (("worker", model.workers), ("household", model.households)):
        before = sum(seen.values())
        arrays(obj)
        parts[name] = (sum(seen.values()) - before) / n
    before = sum(seen.values())
    arrays(model)
    parts["other"] = (sum(seen.values()) - before) / n
    return {"bytes_per_worker": round(sum(parts.values()), 1),
            **{f"bytes_per_worker_{k}": round(v, 1) for k, v in parts.items()}}


def measure_engine(scale: float, core: bool = False) -> dict:
    """Build and run the baseline at `scale`; with `core`, under the reference model's rules only
    (sim.core.mesa_reference.CORE_RULES), for a like-for-like comparison."""
    from ..experiments.compose import load
    from ..core.model import LaborExportModel
    from ..core.mesa_reference import CORE_RULES

    load_compiled = _tiny_run()  # compiled kernels loaded from the cache, outside the timings
    cfg = load([f"population.scale={scale}", *(CORE_RULES if core else [])])
    t0 = time.perf_counter()
    model = LaborExportModel(cfg)
    build = time.perf_counter() - t0
    months = len(model.labels) - 1
    t0 = time.perf_counter()
    model.run()
    run = time.perf_counter() - t0
    workers = model.workers.n
    return {"scale": scale, "workers": workers, "build_s": round(build, 3),
            "seconds_per_year": round(run * 12 / months, 3),
            "ns_per_worker_month": round(run / months / workers * 1e9, 1),
            "peak_rss_mb": round(_peak_rss_mb(), 1), "load_compiled_s": round(load_compiled, 2),
            **state_bytes(model)}


def measure_compile() -> dict:
    """Compiling the kernels into an empty cache (once per machine), against loading them."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        cold = _in_subprocess(["--tiny"], env)["seconds"]
        warm = _in_subprocess(["--tiny"], env)["seconds"]
    return {"compile_s": round(cold - warm, 1), "load_compiled_s": round(warm, 2)}


def measure_reference(workers: int, months: int) -> dict:
    """The same core rules with one mesa.Agent per worker, started from the engine's state under
    those rules (sim.core.mesa_reference.CORE_RULES, as the docking test does)."""
    from ..experiments.compose import load
    from ..core.model import LaborExportModel
    from ..core.mesa_reference import CORE_RULES, ReferenceModel

    labour = load(list(CORE_RULES)).population.labour_force
    engine = LaborExportModel(load([f"population.scale={workers / labour}", *CORE_RULES]))
    t0 = time.perf_counter()
    reference = ReferenceModel(engine, seed=0)
    build = time.perf_counter() - t0
    del engine  # the reference copied what it needs
    t0 = time.perf_counter()
    for _ in range(months):
        reference.step()
    run = time.perf_counter() - t0
    n = len(reference.agents)
    return {"workers": n, "months": months, "build_s": round(build, 1),
            "seconds_per_year": round(run * 12 / months, 2),
            "ns_per_worker_month": round(run / months / n * 1e9, 1),
            "peak_rss_mb": round(_peak_rss_mb(), 1)}


SWEEP_VALUES = "0,0.25,0.5,0.75,1,1.25,1.5,1.75,2,2.5"  # 10 x 10 = 100 jobs


def measure_sweep(scale: float) -> dict:
    """A 100-job sweep of one simulated year each (training x hiring subsidy, 10 settings each)
    through the command line with the joblib launcher on all cores: the jobs share their start
    (sim.core.starting_state), so the two worker processes build it once each and copy it for the others."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "sim.commands.run", "-m", "hydra/launcher=joblib", "quiet=true",
               f"population.scale={scale}", f"policy.training.scale={SWEEP_VALUES}",
               f"policy.hiring_subsidy.scale={SWEEP_VALUES}", f"hydra.sweep.dir={tmp}/sweep"]
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - t0
        import pandas as pd

        table = pd.read_parquet(f"{tmp}/sweep/results.parquet")
    return {"jobs": len(table), "ok": int((table.status == "ok").sum()),
            "seconds": round(seconds, 1), "cores": os.cpu_count()}


ENSEMBLE_DRAWS, ENSEMBLE_SEEDS, ENSEMBLE_SCALE = 50, 2, 0.1  # 100 jobs at 1:10


def measure_ensemble(scale: float = ENSEMBLE_SCALE, draws: int = ENSEMBLE_DRAWS,
                     seeds: int = ENSEMBLE_SEEDS) -> dict:
    """What an analyst waits for: the 2021-2025 transition (`scenario=transition_continue`) over
    `draws` posterior draws x `seeds` seeds, one job each, through the command line with the
    joblib launcher on all cores; wall time from the command to its gathered table."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "sim.commands.run", "-m", "hydra/launcher=joblib", "quiet=true",
               "scenario=transition_continue", f"population.scale={scale}",
               f"posterior_draw=range(0,{draws})", "seed=" + ",".join(map(str, range(seeds))),
               f"hydra.sweep.dir={tmp}/sweep"]
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - t0
        import pandas as pd

        table = pd.read_parquet(f"{tmp}/sweep/results.parquet")
    return {"jobs": len(table), "ok": int((table.status == "ok").sum()), "draws": draws,
            "seeds": seeds, "scale": scale, "seconds": round(seconds, 1), "cores": os.cpu_count()}


def _in_subprocess(args: list[str], env: dict | None = None) -> dict:
    out = subprocess.run([sys.executable, "-m", "sim.commands.bench", *args], capture_output=True,
                         text=True, env=env)
    if out.returncode != 0:  # say why (e.g. a scale the config refuses), not a traceback
        reason = (out.stderr.strip().splitlines() or ["no message"])[-1]
        sys.exit(f"sim-bench: the run {' '.join(args)} failed: {reason}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median_run(args: list[str], repeats: int) -> dict:
    """The engine timed in `repeats` fresh processes: the median of each figure, the highest
    peak memory, and the range of seconds per year (the machine's speed varies from minute to
    minute by as much as a fifth)."""
    runs = [_in_subprocess(args) for _ in range(repeats)]
    out = {key: statistics.median(r[key] for r in runs) for key in
           ("build_s", "seconds_per_year", "ns_per_worker_month", "load_compiled_s")}
    years = [r["seconds_per_year"] for r in runs]
    return {**runs[0], **out, "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "range": f"{min(years):.2f}-{max(years):.2f}"}


def parser() -> argparse.ArgumentParser:
    share = number(0, 1, open_low=True)
    ap = Parser(prog=PROG, description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--one", type=share, help=argparse.SUPPRESS)
    ap.add_argument("--core", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--reference", type=whole_number(1000, max(REFERENCE_WORKERS)),
                    help=argparse.SUPPRESS)
    ap.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--scales", type=share, nargs="+", default=list(SCALES),
                    help="shares of the labour force to time (default: 0.01 0.1 1); the largest "
                         "is compared with the Mesa reference")
    ap.add_argument("--sweep", action="store_true",
                    help="also time a 100-job sweep of one year at full scale (3-4 min)")
    ap.add_argument("--repeats", type=whole_number(1, 100), default=3,
                    help="fresh runs per engine timing; the median is reported (default 3)")
    ap.add_argument("--sweep-scale", type=share, default=1.0, help=argparse.SUPPRESS)
    # for a quick check that the benchmark runs end to end (tests/test_bench.py); at most the
    # whole labour force the reference is started from
    ap.add_argument("--reference-workers", type=whole_number(1000, max(REFERENCE_WORKERS)),
                    nargs="+", default=list(REFERENCE_WORKERS), help=argparse.SUPPRESS)
    ap.add_argument("--skip-compile", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--skip-ensemble", action="store_true",
                    help="leave out the 100-job transition ensemble (about 2.5 min on 2 cores)")
    ap.add_argument("--ensemble-draws", type=whole_number(1, 200), default=ENSEMBLE_DRAWS,
                    help=argparse.SUPPRESS)
    ap.add_argument("--ensemble-scale", type=share, default=ENSEMBLE_SCALE, help=argparse.SUPPRESS)
    ap.add_argument("--report", type=Path, default=Path("docs/performance.md"),
                    help="the Markdown file the figures are written to (default "
                         "docs/performance.md; the project's record of its speed)")
    return ap


def check_scales(scales: list[float], flag: str) -> None:
    """Each share of the labour force simulates at least the model's fewest workers."""
    from ..experiments.compose import load

    labour = load().population.labour_force
    for scale in scales:
        if labour * scale < MIN_WORKERS:
            raise InputError(f"Invalid value for '{flag}': got {scale:g}; allowed: a share of the "
                             f"labour force ({labour:,}) that simulates at least {MIN_WORKERS} "
                             f"workers, {MIN_WORKERS / labour:.2g} or more, and at most 1.")


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    with answers_bad_input(PROG):
        _bench(args)


def _bench(args) -> None:
    if args.tiny:
        print(json.dumps({"seconds": _tiny_run()}))
        return
    if args.one is not None:
        print(json.dumps(measure_engine(args.one, args.core)))
        return
    if args.reference is not None:
        print(json.dumps(measure_reference(args.reference, reference_months(args.reference))))
        return
    check_scales(args.scales, "--scales")
    if args.sweep:
        check_scales([args.sweep_scale], "--sweep-scale")
    if not args.skip_ensemble:
        check_scales([args.ensemble_scale], "--ensemble-scale")
    output_path(args.report, "--report")
    compiled = {"compile_s": None, "load_compiled_s": None}
    if not args.skip_compile:
        compiled = measure_compile()
        print(f"numba kernels: compiled once per machine in {compiled['compile_s']:.0f} s "
              f"(cached), loaded from the cache in {compiled['load_compiled_s']:.1f} s per process "
              "(outside the timings below)", flush=True)
    rows = []
    print(f"{'scale':>6} {'workers':>10} {'build s':>8} {'s/year':>8} {'range':>11} "
          f"{'ns/worker-month':>16} {'peak RSS MB':>12}")
    for scale in args.scales:
        r = _median_run(["--one", str(scale)], args.repeats)
        rows.append(r)
        print(f"{r['scale']:>6g} {r['workers']:>10,} {r['build_s']:>8.2f} {r['seconds_per_year']:>8.2f} "
              f"{r['range']:>11} {r['ns_per_worker_month']:>16.1f} {r['peak_rss_mb']:>12.0f}",
              flush=True)
    full = max(rows, key=lambda r: r["workers"])
    core = _median_run(["--one", str(full["scale"]), "--core"], args.repeats)
    print(f"The engine under the reference's rules only (sim.core.mesa_reference.CORE_RULES), "
          f"{core['workers']:,} workers: {core['seconds_per_year']:.2f} s/year "
          f"({core['range']}), {core['ns_per_worker_month']:.1f} ns per worker-month", flush=True)
    print("Mesa reference (one mesa.Agent per worker, the core rules), against the engine at "
          f"{full['workers']:,} workers:")
    print(f"{'workers':>10} {'months':>6} {'build s':>8} {'ns/worker-month':>16} "
          f"{'peak RSS MB':>12} {'like for like':>14} {'whole model':>12}")
    refs = []
    for workers in args.reference_workers:
        ref = _in_subprocess(["--reference", str(workers)])
        # rounded once, so that the table and the JSON line show the same ratio
        ref["like_for_like"] = round(ref["ns_per_worker_month"] / core["ns_per_worker_month"], 1)
        ref["whole_model"] = round(ref["ns_per_worker_month"] / full["ns_per_worker_month"], 1)
        refs.append(ref)
        print(f"{ref['workers']:>10,} {ref['months']:>6} {ref['build_s']:>8.1f} "
              f"{ref['ns_per_worker_month']:>16.0f} {ref['peak_rss_mb']:>12.0f} "
              f"{ref['like_for_like']:>13.0f}x {ref['whole_model']:>11.0f}x", flush=True)
    print("like for like: the same rules (the engine under CORE_RULES); whole model: the shipped "
          "model, with every programme, the festival and the recorder, against the core rules")
    # the headline ratio: the same rules on the population closest to the engine's
    same = min(refs, key=lambda r: abs(r["workers"] - full["workers"]))
    small = min(refs, key=lambda r: r["workers"])
    figures = {}
    if args.sweep:
        sweep = measure_sweep(args.sweep_scale)
        print(f"Sweep of {sweep['jobs']} jobs ({sweep['ok']} ok), one simulated year each at scale "
              f"{args.sweep_scale:g}, joblib launcher on {sweep['cores']} cores: "
              f"{sweep['seconds']:.0f} s", flush=True)
        figures = {"sweep_100_seconds": sweep["seconds"], "sweep_scale": args.sweep_scale}
    if not args.skip_ensemble:
        ens = measure_ensemble(args.ensemble_scale, args.ensemble_draws)
        print(f"Transition ensemble 2021-2025: {ens['jobs']} jobs ({ens['ok']} ok; "
              f"{ens['draws']} posterior draws x {ens['seeds']} seeds) at scale {ens['scale']:g}, "
              f"joblib launcher on {ens['cores']} cores: {ens['seconds']:.0f} s", flush=True)
        figures.update({"ensemble_seconds": ens["seconds"], "ensemble_jobs": ens["jobs"],
                        "ensemble_ok": ens["ok"], "ensemble_scale": ens["scale"]})
    summary = {"seconds_per_year_full": full["seconds_per_year"],
               "build_seconds_full": full["build_s"],
               "peak_rss_mb_full": full["peak_rss_mb"],
               "ns_per_worker_month_full": full["ns_per_worker_month"],
               "bytes_per_worker_full": full["bytes_per_worker"],
               "ns_per_worker_month_core_rules": core["ns_per_worker_month"],
               "mesa_workers": same["workers"],
               "mesa_ns_per_worker_month": same["ns_per_worker_month"],
               "speedup_vs_mesa": round(same["like_for_like"], 1),
               "speedup_vs_mesa_whole_model": round(same["whole_model"], 1),
               "mesa_workers_small": small["workers"],
               "mesa_ns_per_worker_month_small": small["ns_per_worker_month"],
               "speedup_vs_mesa_small": round(small["like_for_like"], 1),
               "speedup_vs_mesa_whole_model_small": round(small["whole_model"], 1),
               "compile_seconds": compiled["compile_s"],
               "load_compiled_seconds": compiled["load_compiled_s"], **figures}
    write_report(args.report, summary, rows, core, refs, args.repeats)
    print(f"Wrote {args.report}")
    print(json.dumps(summary))


def full_state(rows: list[dict]) -> str:
    """The bytes per worker of the largest run, by kind of column."""
    r = max(rows, key=lambda r: r["workers"])
    return (f"**{r['bytes_per_worker']:.0f} bytes per worker** ({r['bytes_per_worker_worker']:.0f} "
            f"in the worker columns, {r['bytes_per_worker_household']:.0f} in the household "
            f"columns, {r['bytes_per_worker_other']:.0f} in the ledger's running counts, scratch "
            f"buffers and indexes), {r['bytes_per_worker'] * r['workers'] / 2**20:,.0f} MB of "
            f"arrays for {r['workers']:,} workers; the rest of the peak is the Python, numba, "
            "Mesa and pandas the process loads and the month's temporaries.")


def write_report(path: Path, summary: dict, rows: list[dict], core: dict, refs: list[dict],
                 repeats: int) -> None:
    """The benchmark's figures as Markdown: the one place they are kept (README and MODEL.md
    link to it)."""
    import platform

    import numba

    lines = ["# Performance", "",
             f"Written by `uv run sim-bench` on {time.strftime('%Y-%m-%d')}: this file is generated, "
             "do not edit it by hand.",
             f"Machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
             f"Python {platform.python_version()}, numba {numba.__version__}. Each engine figure is "
             f"the median of {repeats} fresh processes, with the range of seconds per simulated "
             "year; the machine's speed varies from minute to minute.", "",
             "## The engine", "",
             "| scale | workers | build s | s per simulated year (range) | ns per worker-month "
             "| peak RSS MB |", "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['scale']:g} | {r['workers']:,} | {r['build_s']:.2f} | "
                     f"{r['seconds_per_year']:.2f} ({r['range']}) | {r['ns_per_worker_month']:.0f} "
                     f"| {r['peak_rss_mb']:.0f} |")
    lines.append(f"| {core['scale']:g}, core rules | {core['workers']:,} | {core['build_s']:.2f} | "
                 f"{core['seconds_per_year']:.2f} ({core['range']}) | "
                 f"{core['ns_per_worker_month']:.1f} | {core['peak_rss_mb']:.0f} |")
    lines += ["", f"State at full scale, after the run: {full_state(rows)}", ""]
    lines += ["Core rules: the engine under `sim.core.mesa_reference.CORE_RULES` (programmes "
              "other than workshops and posts off, no festival, shocks or growth), the rules the "
              "reference states.", "", "## Against the plain Mesa reference", "",
              "One `mesa.Agent` per worker (`sim/core/mesa_reference.py`), started from the "
              "engine's state under the core rules.", "",
              "| Mesa reference workers | months | ns per worker-month | peak RSS MB | like for like "
              "| whole model |", "|---:|---:|---:|---:|---:|---:|"]
    for ref in refs:
        lines.append(f"| {ref['workers']:,} | {ref['months']} | {ref['ns_per_worker_month']:,.0f} | "
                     f"{ref['peak_rss_mb']:,.0f} | {ref['like_for_like']:.0f}x | "
                     f"{ref['whole_model']:.0f}x |")
    lines += ["", "*Like for like*: the reference's cost per worker-month over the engine's under "
              "the same rules. *Whole model*: over the shipped model's, which also runs every "
              "programme, the festival, the shocks and the recorder. The headline "
              "(`speedup_vs_mesa`) is like for like at the engine's own population.", ""]
    if summary.get("compile_seconds") is not None:
        lines += [f"Compiled code: {summary['compile_seconds']:.0f} s to compile once per machine "
                  f"(cached on disk), {summary['load_compiled_seconds']:.1f} s to load in each "
                  "fresh process (outside the timings above).", ""]
    if "ensemble_seconds" in summary:
        lines += ["## What an analyst waits for", "",
                  f"The 2021-2025 transition (`scenario=transition_continue`) over posterior draws "
                  f"and seeds, {summary['ensemble_jobs']} jobs ({summary['ensemble_ok']} ok) at "
                  f"scale {summary['ensemble_scale']:g}, one `sim -m ... posterior_draw=range(0,N) "
                  f"seed=0,1 hydra/launcher=joblib` on all {os.cpu_count()} cores, from the command "
                  f"to its gathered table: **{summary['ensemble_seconds']:.0f} s**.", ""]
    if "sweep_100_seconds" in summary:
        lines += [f"A 100-job sweep of one simulated year each at scale {summary['sweep_scale']:g} "
                  f"with the joblib launcher: {summary['sweep_100_seconds']:.0f} s.", ""]
    lines += ["## The JSON line", "", "```json", json.dumps(summary, indent=1), "```", ""]
    from ..experiments.run_files import atomic_write

    atomic_write(path, lambda tmp: Path(tmp).write_text("\n".join(lines), encoding="utf-8"))

if __name__ == "__main__":
    main()
