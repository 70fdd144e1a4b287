"""`sim-collect DIR`: gather a sweep's job folders into results.parquet (a sweep that failed
part-way, or folders copied together from several machines)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..experiments.sweep_results import RESULTS, collect


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="sim-collect", description=__doc__.splitlines()[0])
    ap.add_argument("sweep_dir", type=Path)
    args = ap.parse_args(argv)
    if not args.sweep_dir.is_dir():
        ap.exit(2, f"sim-collect: '{args.sweep_dir}' is not a folder; give a sweep folder "
                   "(the one Hydra's multirun printed).\n")
    frame = collect(args.sweep_dir)
    ok = int((frame.get("status") == "ok").sum()) if not frame.empty else 0
    print(f"{len(frame)} jobs ({ok} finished) -> {args.sweep_dir / RESULTS}")
