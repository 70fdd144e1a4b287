"""sim-bench runs end to end and ends with the JSON line its users script against (small scales
and small reference models: the figures themselves are measured, not tested)."""

from __future__ import annotations

import json

from sim import bench

KEYS = ("seconds_per_year_full", "peak_rss_mb_full", "ns_per_worker_month_full",
        "ns_per_worker_month_core_rules", "mesa_ns_per_worker_month", "speedup_vs_mesa",
        "speedup_vs_mesa_whole_model", "mesa_ns_per_worker_month_small", "speedup_vs_mesa_small",
        "speedup_vs_mesa_whole_model_small")


def test_bench_prints_every_figure_and_ends_with_one_json_object(capsys):
    bench.main(["--scales", "0.002", "0.004", "--reference-workers", "2000", "6000",
                "--repeats", "2", "--skip-compile"])
    lines = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(lines[-1])
    for key in KEYS:
        assert figures[key] > 0, key
    # the headline ratio is like for like against the reference nearest the engine's size
    # (0.004 x 2.5 million = 10,000 workers), the other against the smallest
    assert figures["mesa_workers"] == 6000 and figures["mesa_workers_small"] == 2000
    ref, small = figures["mesa_ns_per_worker_month"], figures["mesa_ns_per_worker_month_small"]
    core, whole = figures["ns_per_worker_month_core_rules"], figures["ns_per_worker_month_full"]
    assert abs(figures["speedup_vs_mesa"] - ref / core) < 0.1
    assert abs(figures["speedup_vs_mesa_whole_model"] - ref / whole) < 0.1
    assert abs(figures["speedup_vs_mesa_small"] - small / core) < 0.1
    assert abs(figures["speedup_vs_mesa_whole_model_small"] - small / whole) < 0.1
    engine_rows = [line for line in lines if line.split()[:1] in (["0.002"], ["0.004"])]
    assert len(engine_rows) == 2  # one row per scale
    reference_rows = [line for line in lines if line.split()[:1] in (["2,000"], ["6,000"])]
    assert len(reference_rows) == 2  # one row per reference size
    assert "like for like" in "\n".join(lines)

