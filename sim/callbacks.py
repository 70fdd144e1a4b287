"""Hydra callbacks: gather a finished sweep into results.parquet."""

from __future__ import annotations

from pathlib import Path

from hydra.experimental.callback import Callback

_SWEEP: list[Path] = []  # the sweep folder of this process's multirun (for Ctrl-C in sim.cli)


def current_sweep() -> Path | None:
    return _SWEEP[-1] if _SWEEP else None


class CollectResults(Callback):
    """At the end of a multirun, write results.parquet in the sweep folder (sim.collect).
    Hydra skips this when a job raised; `sim-collect DIR` then does the same by hand."""

    def on_multirun_start(self, config, **kwargs) -> None:
        _SWEEP.append(Path(config.hydra.sweep.dir))

    def on_multirun_end(self, config, **kwargs) -> None:
        from .collect import collect

        collect(Path(config.hydra.sweep.dir))
