"""`sim-bench`: build and run the model at 1:100, 1:10 and full scale, the plain Mesa
reference model at a size it can finish, and the model at full scale under the reference's own
rules (like for like), and print what each costs.

Each scale runs in a fresh process so that its peak memory (RSS) is its own. The compiled
(numba) kernels are measured apart: compiling them once on a machine (into an empty cache), and
loading them from the cache, which every fresh process pays once. The last line is one JSON
object (seconds_per_year_full, peak_rss_mb_full, speedup_vs_mesa, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

SCALES = (0.01, 0.1, 1.0)
REFERENCE_WORKERS = 20_000


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def _tiny_run() -> float:
    """Seconds to build and run a 1,000-worker model (in a fresh process: mostly compiled code)."""
    from .configs import load
    from .model import LaborExportModel

    t0 = time.perf_counter()
    LaborExportModel(load(["population.scale=0.0004"])).run()
    return time.perf_counter() - t0


def measure_engine(scale: float, core: bool = False) -> dict:
    """Build and run the baseline at `scale`; with `core`, under the reference model's rules only
    (sim.reference.CORE_RULES), for a like-for-like comparison."""
    from .configs import load
    from .model import LaborExportModel
    from .reference import CORE_RULES

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
            "peak_rss_mb": round(_peak_rss_mb(), 1), "load_compiled_s": round(load_compiled, 2)}


def measure_compile() -> dict:
    """Compiling the kernels into an empty cache (once per machine), against loading them."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        cold = _in_subprocess(["--tiny"], env)["seconds"]
        warm = _in_subprocess(["--tiny"], env)["seconds"]
    return {"compile_s": round(cold - warm, 1), "load_compiled_s": round(warm, 2)}


def measure_reference(workers: int, months: int = 12) -> dict:
    """The same core rules with one mesa.Agent per worker, started from the engine's state."""
    from .configs import load
    from .model import LaborExportModel
    from .reference import ReferenceModel

    engine = LaborExportModel(load([f"population.scale={workers / 2_500_000}"]))
    reference = ReferenceModel(engine, seed=0)
    t0 = time.perf_counter()
    for _ in range(months):
        reference.step()
    run = time.perf_counter() - t0
    n = len(reference.agents)
    return {"workers": n, "seconds_per_year": round(run * 12 / months, 3),
            "ns_per_worker_month": round(run / months / n * 1e9, 1)}


SWEEP_VALUES = "0,0.25,0.5,0.75,1,1.25,1.5,1.75,2,2.5"  # 10 x 10 = 100 jobs


def measure_sweep(scale: float) -> dict:
    """A 100-job sweep of one simulated year each (training x hiring subsidy, 10 settings each)
    through the command line with the joblib launcher on all cores: the jobs share their start
    (sim.start), so the two worker processes build it once each and copy it for the others."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "sim.cli", "-m", "hydra/launcher=joblib", "quiet=true",
               f"population.scale={scale}", f"policy.training.scale={SWEEP_VALUES}",
               f"policy.hiring_subsidy.scale={SWEEP_VALUES}", f"hydra.sweep.dir={tmp}/sweep"]
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - t0
        import pandas as pd

        table = pd.read_parquet(f"{tmp}/sweep/results.parquet")
    return {"jobs": len(table), "ok": int((table.status == "ok").sum()),
            "seconds": round(seconds, 1), "cores": os.cpu_count()}


def _in_subprocess(args: list[str], env: dict | None = None) -> dict:
    out = subprocess.run([sys.executable, "-m", "sim.bench", *args], capture_output=True,
                         text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="sim-bench", description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--one", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--core", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--reference", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--scales", type=float, nargs="*", default=list(SCALES),
                    help="shares of the labour force to time (default: 0.01 0.1 1); the largest "
                         "is compared with the Mesa reference")
    ap.add_argument("--sweep", action="store_true",
                    help="also time a 100-job sweep of one year at full scale (3-4 min)")
    ap.add_argument("--sweep-scale", type=float, default=1.0, help=argparse.SUPPRESS)
    # for a quick check that the benchmark runs end to end (tests/test_bench.py)
    ap.add_argument("--reference-workers", type=int, default=REFERENCE_WORKERS,
                    help=argparse.SUPPRESS)
    ap.add_argument("--skip-compile", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.tiny:
        print(json.dumps({"seconds": _tiny_run()}))
        return
    if args.one is not None:
        print(json.dumps(measure_engine(args.one, args.core)))
        return
    if args.reference is not None:
        print(json.dumps(measure_reference(args.reference)))
        return
    compiled = {"compile_s": None, "load_compiled_s": None}
    if not args.skip_compile:
        compiled = measure_compile()
        print(f"numba kernels: compiled once per machine in {compiled['compile_s']:.0f} s "
              f"(cached), loaded from the cache in {compiled['load_compiled_s']:.1f} s per process "
              "(outside the timings below)", flush=True)
    rows = []
    print(f"{'scale':>6} {'workers':>10} {'build s':>8} {'s/year':>8} {'ns/worker-month':>16} "
          f"{'peak RSS MB':>12}")
    for scale in args.scales:
        r = _in_subprocess(["--one", str(scale)])
        rows.append(r)
        print(f"{r['scale']:>6g} {r['workers']:>10,} {r['build_s']:>8.2f} {r['seconds_per_year']:>8.2f} "
              f"{r['ns_per_worker_month']:>16.1f} {r['peak_rss_mb']:>12.0f}", flush=True)
    ref = _in_subprocess(["--reference", str(args.reference_workers)])
    full = max(rows, key=lambda r: r["workers"])
    speedup = ref["ns_per_worker_month"] / full["ns_per_worker_month"]
    print(f"Mesa reference (one agent per worker, core rules), {ref['workers']:,} workers: "
          f"{ref['seconds_per_year']:.2f} s/year, {ref['ns_per_worker_month']:.0f} ns per "
          f"worker-month; the whole engine at {full['workers']:,} workers is {speedup:.0f} times "
          "faster per worker-month")
    core = _in_subprocess(["--one", str(full["scale"]), "--core"])
    core_speedup = ref["ns_per_worker_month"] / core["ns_per_worker_month"]
    print(f"The engine under the reference's rules only (sim.reference.CORE_RULES), "
          f"{core['workers']:,} workers: {core['seconds_per_year']:.2f} s/year, "
          f"{core['ns_per_worker_month']:.1f} ns per worker-month: {core_speedup:.0f} times faster "
          "than the reference, like for like", flush=True)
    figures = {}
    if args.sweep:
        sweep = measure_sweep(args.sweep_scale)
        print(f"Sweep of {sweep['jobs']} jobs ({sweep['ok']} ok), one simulated year each at scale "
              f"{args.sweep_scale:g}, joblib launcher on {sweep['cores']} cores: "
              f"{sweep['seconds']:.0f} s", flush=True)
        figures = {"sweep_100_seconds": sweep["seconds"], "sweep_scale": args.sweep_scale}
    print(json.dumps({"seconds_per_year_full": full["seconds_per_year"],
                      "build_seconds_full": full["build_s"],
                      "peak_rss_mb_full": full["peak_rss_mb"],
                      "ns_per_worker_month_full": full["ns_per_worker_month"],
                      "mesa_ns_per_worker_month": ref["ns_per_worker_month"],
                      "speedup_vs_mesa": round(speedup, 1),
                      "ns_per_worker_month_core_rules": core["ns_per_worker_month"],
                      "speedup_vs_mesa_core_rules": round(core_speedup, 1),
                      "compile_seconds": compiled["compile_s"],
                      "load_compiled_seconds": compiled["load_compiled_s"], **figures}))


if __name__ == "__main__":
    main()
