"""Hydra callbacks: gather a finished sweep into results.parquet."""

from __future__ import annotations

from pathlib import Path

from hydra.experimental.callback import Callback


class CollectResults(Callback):
    """At the end of a multirun, write results.parquet in the sweep folder (sim.collect).
    Hydra skips this when a job raised; `sim-collect DIR` then does the same by hand."""

    def on_multirun_end(self, config, **kwargs) -> None:
        from .collect import collect

        collect(Path(config.hydra.sweep.dir))
