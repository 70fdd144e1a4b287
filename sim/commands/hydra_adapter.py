"""Every use of Hydra beyond its public surface, in one place.

`sim` checks a whole command line before Hydra starts (sim.commands.input_checks): it parses the
arguments, composes each job's config and expands a sweep exactly as Hydra will. Hydra 1.3 offers
no public call for these, so they are reached here, and nowhere else, through its internal
modules; and the sweeper's own re-composition of every job (about 0.3 s a job, one after the
other) is switched off, since the checks have just done it. tests/test_hydra_adapter.py pins the
behaviour each function relies on, so a Hydra upgrade that changes it fails there, by name.
"""

from __future__ import annotations

import argparse
import os
from contextlib import contextmanager
from typing import Any, Iterator

from hydra.plugins.sweeper import Sweeper
from hydra.types import RunMode
from omegaconf import DictConfig

# the class path Hydra's basic launcher is configured with: it runs jobs in this process
BASIC_LAUNCHER = "hydra._internal.core_plugins.basic_launcher.BasicLauncher"
BASIC_SWEEPER = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"


def argument_parser() -> argparse.ArgumentParser:
    """Hydra's own command-line parser (flags such as --config-dir, -m, --help, and overrides)."""
    from hydra._internal.utils import get_args_parser

    return get_args_parser()


@contextmanager
def hydra_for(config_path: str, config_dir: str | None) -> Iterator[Any]:
    """A Hydra instance with the search path the real run has: the primary config at
    `config_path`, and the user's `config_dir` where Hydra's own `--config-dir` puts it (after
    the shipped configs, before the schema: a shipped file of the same name is found first, as
    in the run itself)."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_automatic_config_search_path
    from hydra.core.config_search_path import SearchPathQuery
    from hydra.core.global_hydra import GlobalHydra

    search_path = create_automatic_config_search_path(None, __name__, config_path)
    if config_dir:
        search_path.prepend(provider="command-line", path=f"file://{os.path.abspath(config_dir)}",
                            anchor=SearchPathQuery(provider="schema"))
    try:
        yield Hydra.create_main_hydra2(task_name="sim", config_search_path=search_path)
    finally:
        GlobalHydra.instance().clear()


def compose(hy, config_name: str, overrides: list[str], multirun: bool) -> DictConfig:
    """The config as the run (or, with `multirun`, the sweep) composes it, Hydra node included."""
    return hy.compose_config(config_name, overrides,
                             run_mode=RunMode.MULTIRUN if multirun else RunMode.RUN)


def apply_overrides(cfg: DictConfig, overrides: list) -> None:
    """Apply parsed value overrides (key=value, +key=value, ++key=value, ~key) to a composed
    config in place, as Hydra applies them after composing the config files."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    ConfigLoaderImpl._apply_overrides_to_config(overrides, cfg)


def sweep_jobs(overrides: list) -> list[list[str]]:
    """The jobs of a basic sweep: the cross product of the parsed overrides' values, each job a
    list of key=value strings, in the order the basic sweeper launches them."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    (jobs,) = BasicSweeper.split_arguments(overrides, None)
    return jobs


def skip_batch_validation() -> None:
    """Stop the sweeper composing every job of a batch again before launching it (the basic
    sweeper calls `validate_batch_is_legal` on each batch; the jobs were composed and checked
    by sim.commands.input_checks a moment before)."""
    Sweeper.validate_batch_is_legal = _valid_batch


def _valid_batch(self, batch) -> None:
    """Every batch is legal: its jobs were checked before Hydra started."""
