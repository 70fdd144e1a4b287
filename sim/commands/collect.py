"""`sim-collect DIR`: gather a sweep's job folders into results.parquet (a sweep that failed
part-way, or folders copied together from several machines).

A job whose files are garbled or foreign is a failed row naming the file; a folder that no
sweep made is refused, and nothing is written into it."""

from __future__ import annotations

import sys

from .cli import Parser, answers_bad_input, existing_folder

PROG = "sim-collect"


def main(argv: list[str] | None = None) -> None:
    ap = Parser(prog=PROG, description=__doc__.splitlines()[0])
    ap.add_argument("sweep_dir", type=existing_folder("the folder a sweep printed"),
                    help="the sweep folder (the one Hydra's multirun printed)")
    args = ap.parse_args(argv)
    with answers_bad_input(PROG):
        from ..experiments.sweep_results import RESULTS, check_sweep, collect

        check_sweep(args.sweep_dir)
        frame = collect(args.sweep_dir)
    ok = int((frame.get("status") == "ok").sum()) if not frame.empty else 0
    failed = frame[frame["status"] != "ok"] if not frame.empty else frame
    print(f"{len(frame)} jobs ({ok} finished) -> {args.sweep_dir / RESULTS}")
    for row in failed.itertuples():
        print(f"{PROG}: warning: job {row.job} {row.status}: {row.error}", file=sys.stderr)


if __name__ == "__main__":
    main()
