"""Same config and seed, same numbers; another seed, other numbers."""

from __future__ import annotations

from sim.experiments import runner

from .conftest import small_config


def test_same_seed_same_results_other_seed_other_results():
    a = runner.run(small_config("seed=3")).summary
    b = runner.run(small_config("seed=3")).summary
    c = runner.run(small_config("seed=4")).summary
    assert a["metrics"] == b["metrics"]
    assert a["metrics"] != c["metrics"]
