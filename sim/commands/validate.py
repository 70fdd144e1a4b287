"""`sim-validate`: the calibration's posterior against every figure, and the behaviour it implies.

    sim-validate                      # 200 posterior draws, about 10 minutes on 2 cores
    sim-validate --draws 50           # a quicker look

Prints the fitted figures and the checks with their 90% posterior predictive intervals and the
behaviour diagnostics; writes docs/validation.md; ends with one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd

from ..experiments import validation
from ..experiments.calibration import WORKERS
from ..experiments.compose import load


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="sim-validate", description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("--draws", type=int, default=200, help="posterior draws to run")
    ap.add_argument("--workers", type=int, default=WORKERS, help="agents per run")
    ap.add_argument("--point-seeds", type=int, default=3, help="seeds of the point fit")
    ap.add_argument("--procs", type=int, default=os.cpu_count(), help="local processes")
    ap.add_argument("--report", type=Path, default=Path("docs/validation.md"))
    ap.add_argument("--summary", type=Path, default=Path("conf/calibration/validation.json"),
                    help="the JSON line, kept for sim-report's validation state")
    ap.add_argument("--identification", type=Path,
                    default=Path("conf/calibration/identification.csv"),
                    help="the calibration's identification table (sim-calibrate writes it)")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    result = validation.validate(load(["quiet=true"]), load(["quiet=true", "scenario=epidemic_2020"]),
                                 args.draws, args.workers, args.point_seeds, args.procs)
    command = ("sim-validate " + " ".join(sys.argv[1:] if argv is None else argv)).strip()
    facts = {"command": command, "minutes": (time.perf_counter() - started) / 60,
             "workers": args.workers}
    text = validation.report_markdown(result, facts)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text, encoding="utf-8")
    print(text)
    print(f"Wrote {args.report}")
    line = validation.summary_line(result, pd.read_csv(args.identification))
    args.summary.write_text(json.dumps(line, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(line))


if __name__ == "__main__":
    main()
