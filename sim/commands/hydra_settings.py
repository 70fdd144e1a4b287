"""Configs are data: which Hydra settings a command line or a config file may set.

Hydra builds objects named in its own config: callbacks, the launcher, the sweeper and logging
handlers are imported and called from `_target_` (or logging's `class`) keys, a launcher may run
shell lines (Submitit's `setup`) and a search path pulls in more config. A scenario file shared
from `--config-dir` could therefore run any importable code. So, whatever the source (the
command line, a user's config file, a user's primary config), the composed `hydra` node must
equal the one sim's own conf/ gives with the same Hydra option choices, except for the settings
in `SETTABLE`: output folders, a sweep's values, verbosity, and each launcher's named options.
The Hydra options themselves (`hydra/launcher=...`) are chosen from `OPTIONS`.
"""

from __future__ import annotations

import fnmatch
from typing import Any, Iterator

from omegaconf import DictConfig, OmegaConf

from ..core.validation import ConfigError

# the Hydra option groups a user may choose, and the options (those of Hydra and the installed
# launcher plugins that run jobs on this machine or a cluster the user names)
OPTIONS = {
    "hydra/launcher": ("basic", "joblib", "ray", "submitit_local", "submitit_slurm"),
    "hydra/sweeper": ("basic",),
    "hydra/job_logging": ("default", "disabled", "none", "stdout"),
    "hydra/hydra_logging": ("default", "disabled", "none"),
}

# settings a user may give any value (patterns over the dotted key below `hydra.`)
SETTABLE = (
    "run.dir", "sweep.dir", "sweep.subdir", "mode", "verbose", "output_subdir", "job.chdir",
    "sweeper.params", "sweeper.params.*", "sweeper.max_batch_size",
    # joblib
    "launcher.n_jobs", "launcher.backend", "launcher.prefer", "launcher.require",
    "launcher.verbose", "launcher.timeout", "launcher.pre_dispatch", "launcher.batch_size",
    "launcher.temp_folder", "launcher.max_nbytes", "launcher.mmap_mode",
    # Ray: where the cluster is and what a job needs of it (not runtime_env: it installs code)
    "launcher.ray.init.address", "launcher.ray.init.num_cpus", "launcher.ray.init.num_gpus",
    "launcher.ray.init.object_store_memory", "launcher.ray.init.include_dashboard",
    "launcher.ray.remote.num_cpus", "launcher.ray.remote.num_gpus",
    "launcher.ray.remote.max_calls", "launcher.ray.remote.memory",
    # Submitit: the resources of each Slurm job (not setup: it runs shell lines)
    "launcher.submitit_folder", "launcher.timeout_min", "launcher.cpus_per_task",
    "launcher.gpus_per_node", "launcher.tasks_per_node", "launcher.mem_gb", "launcher.nodes",
    "launcher.name", "launcher.partition", "launcher.qos", "launcher.comment",
    "launcher.constraint", "launcher.exclude", "launcher.gres", "launcher.cpus_per_gpu",
    "launcher.gpus_per_task", "launcher.mem_per_gpu", "launcher.mem_per_cpu", "launcher.account",
    "launcher.signal_delay_s", "launcher.max_num_timeout", "launcher.array_parallelism",
    "launcher.stderr_to_stdout",
)
# what Hydra fills in itself while composing (the run's record, not settings)
FILLED_BY_HYDRA = ("runtime", "runtime.*", "overrides", "overrides.*", "job.override_dirname",
                   "job.id", "job.num", "job.config_name", "job.name")

ALLOWED = ("output folders (hydra.run.dir, hydra.sweep.dir, hydra.sweep.subdir), a sweep's "
           "values (hydra.sweeper.params), hydra.verbose, hydra.job.chdir, the launcher "
           "(hydra/launcher=" + ", ".join(OPTIONS["hydra/launcher"]) + ") and its resource "
           "settings (such as hydra.launcher.n_jobs, hydra.launcher.ray.init.address, "
           "hydra.launcher.partition); callbacks, sweepers, logging handlers, search paths, "
           "environment settings and a launcher's setup commands come from sim's own conf/ only")


def _leaves(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        if not node and path:
            yield path, {}
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else str(key))
    else:
        yield path, node


def _matches(key: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(key, p) or key.startswith(p.rstrip("*") + ".")
               for p in patterns if not p.endswith("*")) or any(
        fnmatch.fnmatchcase(key, p) for p in patterns if p.endswith("*"))


def settable(key: str) -> bool:
    """Whether `key` (below `hydra.`) is a setting a user may give any value."""
    return not key.endswith("_target_") and _matches(key, SETTABLE)


def chosen_options(cfg: DictConfig) -> list[str]:
    """The Hydra option choices of a composed config as overrides (hydra/launcher=joblib ...),
    each checked against OPTIONS."""
    out = []
    for group, option in (cfg.hydra.runtime.choices or {}).items():
        if not str(group).startswith("hydra/") or option is None:
            continue
        allowed = OPTIONS.get(str(group))
        if allowed is not None and option not in allowed:
            raise ConfigError(f"Unknown option '{option}' for the group '{group}'; allowed: "
                              f"{', '.join(allowed)}.")
        out.append(f"{group}={option}")
    return out


def check(composed: DictConfig, trusted: DictConfig) -> None:
    """Raise ConfigError naming the first Hydra setting of `composed` that `trusted` (sim's own
    conf/ with the same option choices) does not have, unless a user may set it."""
    mine = dict(_leaves(OmegaConf.to_container(composed.hydra, resolve=False)))
    ours = dict(_leaves(OmegaConf.to_container(trusted.hydra, resolve=False)))
    for key in list(mine) + [k for k in ours if k not in mine]:
        if settable(key) or _matches(key, FILLED_BY_HYDRA):
            continue
        if mine.get(key, _ABSENT) != ours.get(key, _ABSENT):
            raise ConfigError(f"Invalid key 'hydra.{key}' (set to {mine.get(key)!r} on the "
                              f"command line or in a config file): configs are data, and this "
                              f"Hydra setting can run code or change where configs come from; "
                              f"allowed: {ALLOWED}.")


_ABSENT = object()
