"""sim-bench runs end to end, ends with the JSON line its users script against, and writes the
same figures to its one report (docs/performance.md by default). The figures themselves are
measured by running the benchmark, not tested: a timed test only measures the test machine."""

from __future__ import annotations

import json

from sim.commands import bench
from sim.core.mesa_reference import CORE_RULES
from sim.core.model import LaborExportModel
from sim.experiments.compose import load


def test_bench_writes_the_figures_of_its_json_line_to_its_report(tmp_path, capsys):
    report = tmp_path / "performance.md"
    bench.main(["--scales", "0.004", "--reference-workers", "2000", "--repeats", "1",
                "--skip-compile", "--ensemble-draws", "2", "--ensemble-scale", "0.002",
                "--report", str(report)])
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    text = report.read_text()
    assert json.loads(text.split("```json")[1].split("```")[0]) == figures
    # one engine row per scale, at that scale's share of the labour force, and the
    # reference row with the headline ratio
    workers = LaborExportModel(load(["population.scale=0.004"])).workers.n
    core = LaborExportModel(load(["population.scale=0.004", *CORE_RULES])).workers.n
    assert f"| 0.004 | {workers:,} |" in text and f"| 0.004, core rules | {core:,} |" in text
    assert f"| 2,000 | 12 | {figures['mesa_ns_per_worker_month']:,.0f} |" in text
    assert f"{figures['speedup_vs_mesa']:.0f}x" in text
    assert figures["mesa_workers"] == 2000
    # the transition ensemble: draws x 2 seeds, every job finished, its wall time in the report
    assert figures["ensemble_jobs"] == 4 and figures["ensemble_ok"] == 4
    assert f"**{figures['ensemble_seconds']:.0f} s**" in text
