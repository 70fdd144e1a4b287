"""`sim-report`: one self-contained page (and a workbook) on a run, or a run against another.

    sim-report outputs/baseline_2021/<time>                        # one run
    sim-report multirun/<time>/1 --against multirun/<time>/0       # a lever against its absence
    sim-report RUN --against OTHER --out reports/training          # reports/training.html, .xlsx

The page holds the headline outcomes and their differences with 90% intervals (over the seeds and
posterior draws both runs share), costs and the cost of each effect, who gains by group, the fit
and the validation state, and the configuration difference; the figures are inline, nothing is
fetched. The .xlsx holds the same tables, one sheet each, with units. Both are written together,
or neither: a run folder whose files cannot be read, or an --out that cannot be written, is
answered with one paragraph (exit status 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .cli import Parser, answers_bad_input, existing_folder, output_path

PROG = "sim-report"


def main(argv: list[str] | None = None) -> None:
    ap = Parser(prog=PROG, description=__doc__.splitlines()[0],
                formatter_class=argparse.RawDescriptionHelpFormatter,
                epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("run", type=existing_folder("a run folder, with summary.json"),
                    help="a run folder (with summary.json)")
    ap.add_argument("--against", type=existing_folder("a run folder, with summary.json"),
                    help="the run to compare it with")
    ap.add_argument("--out", type=Path, default=None,
                    help="the report's path without suffix (default: RUN/report)")
    args = ap.parse_args(argv)
    out = args.out or args.run / "report"
    with answers_bad_input(PROG):
        for suffix in (".html", ".xlsx"):
            output_path(out.with_suffix(suffix), "--out")
        from ..experiments.report import write

        paths = write(args.run, args.against, out)
    for p in paths:
        print(p)


if __name__ == "__main__":
    main()
