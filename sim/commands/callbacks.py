"""Hydra callbacks: gather a finished sweep into results.parquet."""

from __future__ import annotations

import sys
from pathlib import Path

from hydra.experimental.callback import Callback

from .hydra_adapter import BASIC_LAUNCHER

_SWEEP: list[Path] = []  # the sweep folder of this process's multirun (for Ctrl-C in sim.commands.run)
_ELSEWHERE: list[bool] = []  # this multirun's jobs run in other processes (joblib, Ray, Slurm)


def current_sweep() -> Path | None:
    return _SWEEP[-1] if _SWEEP else None


def jobs_run_elsewhere() -> bool:
    """True once a multirun has started whose launcher runs the jobs outside this process: this
    process then only waits for them (sim.commands.run lets Ctrl-C stop such a wait at once)."""
    return bool(_ELSEWHERE and _ELSEWHERE[-1])


class CollectResults(Callback):
    """At the end of a multirun, write results.parquet in the sweep folder (sim.experiments.sweep_results).
    Hydra skips this when a job raised; `sim-collect DIR` then does the same by hand."""

    def on_multirun_start(self, config, **kwargs) -> None:
        _SWEEP.append(Path(config.hydra.sweep.dir))
        _ELSEWHERE.append(config.hydra.launcher.get("_target_") != BASIC_LAUNCHER)

    def on_multirun_end(self, config, **kwargs) -> None:
        gather(Path(config.hydra.sweep.dir))


def gather(sweep: Path):
    """The sweep's jobs gathered into results.parquet (sim.experiments.sweep_results.collect);
    if that cannot be written, a one-line warning instead: the jobs' own files are complete,
    and `sim-collect` gathers them later. Returns the table, or None."""
    from ..core.validation import InputError
    from ..experiments.sweep_results import collect

    try:
        return collect(sweep)
    except InputError as e:
        print(f"sim: warning: the finished jobs are kept but not gathered ({e}); run sim-collect "
              f"{sweep} once that is mended.", file=sys.stderr)
        return None
