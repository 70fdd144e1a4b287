"""`sim-report`: one self-contained page (and a workbook) on a run, or a run against another.

    sim-report outputs/baseline_2021/<time>                        # one run
    sim-report multirun/<time>/1 --against multirun/<time>/0       # a lever against its absence
    sim-report RUN --against OTHER --out reports/training          # reports/training.html, .xlsx

The page holds the headline outcomes and their differences with 90% intervals (over the seeds and
posterior draws both runs share), costs and the cost of each effect, who gains by group, the fit
and the validation state, and the configuration difference; the figures are inline, nothing is
fetched. The .xlsx holds the same tables, one sheet each, with units.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..experiments.report import ReportError, write


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="sim-report", description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("run", type=Path, help="a run folder (with summary.json)")
    ap.add_argument("--against", type=Path, help="the run to compare it with")
    ap.add_argument("--out", type=Path, default=None,
                    help="the report's path without suffix (default: RUN/report)")
    args = ap.parse_args(argv)
    try:
        paths = write(args.run, args.against, args.out or args.run / "report")
    except ReportError as e:
        print(f"sim-report: {e}", file=sys.stderr)
        sys.exit(2)
    for p in paths:
        print(p)


if __name__ == "__main__":
    main()
