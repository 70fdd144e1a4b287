"""sim-bench runs end to end and ends with the JSON line its users script against (a small
scale and a small reference model: the figures themselves are measured, not tested)."""

from __future__ import annotations

import json

from sim import bench

KEYS = ("seconds_per_year_full", "peak_rss_mb_full", "speedup_vs_mesa", "ns_per_worker_month_full",
        "mesa_ns_per_worker_month", "ns_per_worker_month_core_rules", "speedup_vs_mesa_core_rules")


def test_bench_prints_every_figure_and_ends_with_one_json_object(capsys):
    bench.main(["--scales", "0.002", "0.004", "--reference-workers", "2000", "--skip-compile"])
    lines = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(lines[-1])
    for key in KEYS:
        assert figures[key] > 0, key
    # the ratios are the reference's cost over the engine's, whole model and like for like
    assert abs(figures["speedup_vs_mesa"] - figures["mesa_ns_per_worker_month"]
               / figures["ns_per_worker_month_full"]) < 0.1
    assert abs(figures["speedup_vs_mesa_core_rules"] - figures["mesa_ns_per_worker_month"]
               / figures["ns_per_worker_month_core_rules"]) < 0.1
    table = [line for line in lines if line.split()[:1] in (["0.002"], ["0.004"])]
    assert len(table) == 2  # one row per scale
    assert "like for like" in "\n".join(lines)
