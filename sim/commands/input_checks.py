"""The checks `sim` runs on a command line before Hydra starts.

Every override is checked against the schema (unknown key, wrong type, unknown group option);
the config is composed the way Hydra will compose it (with the user's `--config-dir` files), and
the range and cross-field checks (sim.core.validation) run on every job of a sweep. A problem is a
`ConfigError`: one paragraph naming the key, the value and what is allowed.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterator, get_args, get_origin, get_type_hints

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import OverrideType
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf, open_dict, read_write
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

from ..core.params import Config
from ..core.validation import ConfigError
from ..experiments.compose import register, to_params
from . import hydra_adapter, hydra_settings

CONFIG_PATH, CONFIG_NAME = "pkg://sim.conf", "config"


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Hydra's own command-line parser, with its errors as ConfigError (one paragraph)."""
    parser = hydra_adapter.argument_parser()

    def error(message: str) -> None:
        hint = ""
        if "unrecognized arguments" in message and "=" in message:
            hint = " (flags such as --config-dir DIR go before the key=value overrides)"
        raise ConfigError(f"Cannot read the command line: {message}{hint}; allowed: the "
                          "flags and key=value overrides listed by sim --help.")

    parser.error = error  # type: ignore[method-assign]
    return parser.parse_args(argv)


def _multirun(args: argparse.Namespace) -> bool:
    return bool(args.multirun) or "hydra.mode=MULTIRUN" in args.overrides


def _allowed_keys(node_type: Any) -> str:
    return ", ".join(f.name for f in fields(node_type))


def _field_type(key: str) -> Any:
    """The schema type at a dotted key, or a ConfigError naming the first unknown part."""
    node: Any = Config
    path = []
    for part in key.split("."):
        if is_dataclass(node):
            hints = get_type_hints(node)
            if part not in hints:
                where = ".".join(path) or "the top level"
                raise ConfigError(
                    f"Unknown key '{key}': '{part}' is not a setting of {where}. "
                    f"Allowed keys there: {_allowed_keys(node)}.")
            node = hints[part]
        elif get_origin(node) is dict:
            node = get_args(node)[1]
        else:
            raise ConfigError(f"Unknown key '{key}': '{'.'.join(path)}' holds a value, "
                              "not settings.")
        path.append(part)
    return node


# how to set each mapping from the command line (Hydra reads {2022:...} keys as numbers, so
# year-keyed entries are set one at a time)
_MAPPINGS = {
    "scenario.disruption": "months and strengths, e.g. ++scenario.disruption={2021-03:0.2}",
    "scenario.festival_months": "entries set one at a time, e.g. "
                                "++scenario.festival_months.2022=2022-01",
    "scenario.stay_put_call": "entries set one at a time, e.g. ++scenario.stay_put_call.2022=0.5",
}


def _describe(tp: Any, key: str = "") -> str:
    if tp is bool:
        return "true or false"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    if tp is str:
        return "a text"
    if get_origin(tp) is list:
        return f"a list of {_describe(get_args(tp)[0]).replace('a ', '', 1)}s, e.g. [1,2]"
    if get_origin(tp) is dict:
        return _MAPPINGS.get(key, "a mapping")
    if is_dataclass(tp):
        return f"a group of settings ({_allowed_keys(tp)})"
    return str(tp)


# files that live in a group's folder but are data, not options of the group
NOT_OPTIONS = {"calibration": {"priors"}}


def group_options(group: str, config_dirs: list[str]) -> list[str]:
    found = set()
    try:
        base = resources.files("sim.conf").joinpath(*group.split("/"))
        if base.is_dir():
            found |= {p.name[:-5] for p in base.iterdir() if p.name.endswith(".yaml")}
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    for d in config_dirs:
        p = Path(d, group)
        if p.is_dir():
            found |= {f.stem for f in p.glob("*.yaml")}
    return sorted(found - NOT_OPTIONS.get(group, set()))


GROUPS = ("population", "counties", "wages", "behaviour", "local_jobs", "scenario", "events",
          "series", "calibration", "experiment", "ablation") + tuple(
    f"policy/{f.name}" for f in fields(Config().policy))


def check_overrides(argv: list[str]) -> None:
    """Check each command-line override against the schema; raise ConfigError on the first bad."""
    args = parse_args(argv)
    config_dirs = [args.config_dir] if args.config_dir else []
    parser = OverridesParser.create()
    for arg in args.overrides:
        try:
            (ov,) = parser.parse_overrides([arg])
        except HydraException:
            raise ConfigError(
                f"Cannot read the override '{arg}'; allowed: key=value with keys joined by "
                "dots, e.g. policy.training.scale=2; months of a mapping are set as "
                "++scenario.disruption={2021-03:0.5}.") from None
        key = ov.key_or_group
        if not key:
            raise ConfigError(f"Cannot read the override '{arg}': it has no key; allowed: "
                              "key=value, e.g. policy.training.scale=2.")
        if ov.is_sweep_override() and not _multirun(args):
            raise ConfigError(
                f"Invalid value for '{key}': got '{arg.partition('=')[2]}'; allowed: one "
                f"value in a single run (add -m to sweep over several values; a list is written "
                f"[a,b]).")
        if key.startswith("hydra"):
            _check_hydra_override(ov)
            continue
        if ov.is_delete():
            continue
        if "/" in key or key in GROUPS:  # a group choice, e.g. policy/training=off
            _check_group_choice(ov, config_dirs)
            continue
        tp = _field_type(key)
        if get_origin(tp) is dict and ov.type == OverrideType.CHANGE and ov.value():
            raise ConfigError(
                f"Invalid value for '{key}': got {arg.partition('=')[2]}; allowed: "
                f"{_describe(tp, key)} (with ++ in front: Hydra merges mappings, so one cannot "
                "be replaced or emptied from the command line; for the disruption calendar use "
                "scenario.disruption_scale=0, or a scenario file).")
        if ov.is_sweep_override() and not ov.is_discrete_sweep():
            continue  # interval(): only an optimising sweeper reads it (checked below)
        values = list(ov.sweep_iterator()) if ov.is_sweep_override() else [ov.value()]
        for v in values:
            _check_value(key, tp, v)


def _check_hydra_override(ov) -> None:
    """A Hydra option chosen from the allowed ones, or a Hydra setting a user may set
    (sim.commands.hydra_settings: configs are data)."""
    key = ov.key_or_group
    if key.startswith("hydra/"):
        allowed = hydra_settings.OPTIONS.get(key)
        if allowed is None:
            raise ConfigError(f"Unknown config group '{key}' on the command line; allowed Hydra "
                              f"groups: {', '.join(hydra_settings.OPTIONS)}.")
        values = list(ov.sweep_string_iterator()) if ov.is_sweep_override() else [ov.value()]
        for v in values:
            if str(v) not in allowed:
                raise ConfigError(f"Unknown option '{v}' for the group '{key}'; allowed: "
                                  f"{', '.join(allowed)}.")
        return
    if key != "hydra" and key.startswith("hydra.") and hydra_settings.settable(key[len("hydra."):]) \
            and not ov.is_delete():
        return
    raise ConfigError(f"Invalid key '{key}' on the command line: configs are data, and this Hydra "
                      f"setting can run code or change where configs come from; allowed: "
                      f"{hydra_settings.ALLOWED}.")


def _check_group_choice(ov, config_dirs: list[str]) -> None:
    group = ov.key_or_group
    options = group_options(group, config_dirs)
    if not options:
        raise ConfigError(f"Unknown config group '{group}'; allowed groups: {', '.join(GROUPS)}.")
    values = list(ov.sweep_string_iterator()) if ov.is_sweep_override() else [ov.value()]
    for v in values:
        if str(v) not in options:
            raise ConfigError(f"Unknown option '{v}' for the group '{group}'; allowed: "
                              f"{', '.join(options)}.")


_SCHEMA: list[DictConfig] = []  # built once: merging into it does not change it


def _check_value(key: str, tp: Any, value: Any) -> None:
    if not _SCHEMA:
        _SCHEMA.append(OmegaConf.structured(Config))
    nested: Any = value
    for part in reversed(key.split(".")):
        nested = {part: nested}
    try:
        OmegaConf.merge(_SCHEMA[0], OmegaConf.create(nested))
    except OmegaConfBaseException:
        raise ConfigError(f"Invalid value for '{key}': got {value!r}; allowed: "
                          f"{_describe(tp, key)}.") from None


# ---------------------------------------------------------------------------------------------
# composing every job before anything runs
# ---------------------------------------------------------------------------------------------


def _one_paragraph(text: str) -> str:
    return " ".join(text.split())


def _composition_error(e: Exception) -> ConfigError:
    """A Hydra or YAML error from composing, as one paragraph that names the file and key."""
    import yaml

    cause = e.__cause__ or e.__context__
    where = re.match(r"In '([^']+)'", str(e))
    file = f" (in the config file {where.group(1)}.yaml)" if where else ""
    if isinstance(e, yaml.YAMLError):
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        name = Path(mark.name).name if mark else "a config file"
        return ConfigError(f"Cannot read the config file {name}{at}: "
                           f"{_one_paragraph(str(getattr(e, 'problem', e)))}; allowed: YAML "
                           "lines of the form key: value.")
    if isinstance(cause, OmegaConfBaseException) and getattr(cause, "full_key", None):
        key = str(cause.full_key)
        try:
            tp = _field_type(key)
        except ConfigError as unknown:
            return ConfigError(f"{str(unknown)[:-1]}{file}.")
        if isinstance(cause, (ConfigKeyError, ConfigAttributeError)):  # a mapping's new entry
            return ConfigError(f"Unknown key '{key}'{file}: the mapping has no such entry; "
                               f"allowed: a new entry added with ++{key}=VALUE.")
        problem = str(cause.msg).strip().splitlines()[0]  # the rest is OmegaConf's detail
        return ConfigError(f"Invalid value for '{key}'{file}: {problem}; allowed: "
                           f"{_describe(tp, key)}.")
    return ConfigError(f"Cannot compose the config: {_one_paragraph(str(e)).rstrip('.')}; allowed: "
                       "config files laid out as sim's conf/ (docs/running.md, 'What a config "
                       "file can do').")


@contextmanager
def _hydra(args: argparse.Namespace) -> Iterator[Any]:
    """A Hydra instance with the search path the real run will have (`--config-dir` included)."""
    register()  # the schema the primary config extends
    if args.config_dir and not os.path.isdir(args.config_dir):
        raise ConfigError(f"Invalid value for '--config-dir': got {args.config_dir!r}; "
                          "allowed: an existing folder (with your config files, e.g. "
                          "scenario/NAME.yaml).")
    with hydra_adapter.hydra_for(args.config_path or CONFIG_PATH, args.config_dir) as hy:
        yield hy


def _compose(hy, config_name: str, overrides: list[str], multirun: bool = False) -> DictConfig:
    try:
        return hydra_adapter.compose(hy, config_name, overrides, multirun)
    except Exception as e:  # Hydra, OmegaConf, YAML, file errors: all are trouble in the input
        raise _composition_error(e) from None


def compose(overrides: list[str], config_dir: str | None = None) -> DictConfig:
    """The config as Hydra composes it for a single run (`--config-dir` files included), before
    the range checks: `params_of` applies value overrides to it and checks the result."""
    args = parse_args(([f"--config-dir={config_dir}"] if config_dir else []) + overrides)
    with _hydra(args) as hy:
        return _compose(hy, args.config_name or CONFIG_NAME, args.overrides)


def composes(line: str) -> bool:
    """Overrides that choose config files (or set Hydra itself) are composed; the others are
    values applied afterwards, as Hydra applies them."""
    key = line.lstrip("+~").partition("=")[0]
    return key.startswith("hydra") or "/" in key or key in GROUPS


def params_of(base: DictConfig, overrides: list[str]) -> Config:
    """The validated Config of a composed `base` with value `overrides` applied, as Hydra does."""
    cfg = copy.deepcopy(base)
    try:
        hydra_adapter.apply_overrides(cfg, OverridesParser.create().parse_overrides(overrides))
    except (HydraException, OmegaConfBaseException) as e:
        raise _composition_error(e) from None
    with read_write(cfg), open_dict(cfg):
        cfg.pop("hydra", None)
    return to_params(cfg)


def _sweep_jobs(hy, config_name: str, overrides: list[str]) -> list[list[str]]:
    """Each job's overrides as Hydra's basic sweeper makes them: the sweeper's `params` from the
    config, then the command line, crossed; Hydra's own overrides go to every job."""
    primary = _compose(hy, config_name, overrides, multirun=True)
    if primary.hydra.sweeper.get("_target_") != hydra_adapter.BASIC_SWEEPER:
        return []  # another sweeper makes its own jobs; each is checked when it runs
    parser = OverridesParser.create()
    parsed = parser.parse_overrides(overrides)
    params = [f"{k}={v}" for k, v in (primary.hydra.sweeper.get("params") or {}).items()]
    task = parser.parse_overrides(params + [o.input_line for o in parsed
                                            if not o.is_hydra_override()])
    try:
        jobs = hydra_adapter.sweep_jobs(task)
    except HydraException as e:
        raise _composition_error(e) from None
    own = [o.input_line for o in parsed if o.is_hydra_override()]
    return [own + job for job in jobs]


def _check_jobs(hy, config_name: str, jobs: list[list[str]]) -> tuple[list[tuple[list[str], Any]],
                                                                      list[DictConfig]]:
    """(job overrides, Config or ConfigError) per job, and the configs composed from files for
    them; a file problem raises at once."""
    bases: dict[tuple[str, ...], DictConfig] = {}
    out: list[tuple[list[str], Any]] = []
    for job in jobs:
        files = tuple(o for o in job if composes(o))
        if files not in bases:
            bases[files] = _compose(hy, config_name, list(files))
        try:
            out.append((job, params_of(bases[files], [o for o in job if not composes(o)])))
        except ConfigError as e:
            out.append((job, e))
    return out, list(bases.values())


@dataclass
class Plan:
    """A command line, checked: its jobs in Hydra's order (overrides, and the Config or the
    ConfigError of a job that will fail), the folder Hydra will write, and whether it sweeps."""

    jobs: list[tuple[list[str], Any]]
    folder: Path | None
    multirun: bool

    @property
    def configs(self) -> list[Config]:
        return [r for _, r in self.jobs if isinstance(r, Config)]


def check_command_line(argv: list[str]) -> list[Config]:
    """Everything that can go wrong with the input, found before Hydra starts; the jobs'
    configs (see `plan`)."""
    return plan(argv).configs


def plan(argv: list[str]) -> Plan:
    """Everything that can go wrong with the input, found before Hydra starts: the overrides,
    the config files, the Hydra settings they make (configs are data), the values of every job
    and the output folder. Raises ConfigError (in a sweep only if no job is valid; invalid jobs
    of a sweep are reported and fail alone)."""
    check_overrides(argv)
    args = parse_args(argv)
    if args.experimental_rerun:
        raise ConfigError("Cannot use '--experimental-rerun': it loads a pickled config, and a "
                          "pickle can run code; allowed: the same command again (a run's "
                          "overrides are in its folder's .hydra/overrides.yaml).")
    if args.help or args.hydra_help or args.cfg or args.info or args.shell_completion:
        return Plan([], None, False)  # Hydra's own commands: they print, nothing runs
    multirun = _multirun(args)
    config_name = args.config_name or CONFIG_NAME
    with _hydra(args) as hy:
        jobs = _sweep_jobs(hy, config_name, args.overrides) if multirun else [args.overrides]
        checked, composed = _check_jobs(hy, config_name, jobs)
        # where Hydra will write: the run's folder, or the sweep's (its jobs are inside it)
        files = [o for o in args.overrides if composes(o)] if multirun else \
            [o for o in jobs[0] if composes(o)]
        where = "hydra.sweep.dir" if multirun else "hydra.run.dir"
        top = _compose(hy, config_name, files, multirun)
        folder = OmegaConf.select(top, where)
        check_output_folder(folder, where)
    _check_hydra_settings([(c, False) for c in composed] + [(top, multirun)])
    errors = [(job, r) for job, r in checked if isinstance(r, ConfigError)]
    if errors and (not multirun or len(errors) == len(checked)):
        raise errors[0][1]
    for job, e in errors:
        shown = " ".join(o for o in job if not o.lstrip("+~").startswith("hydra"))
        print(f"sim: warning: this job will fail (the others run): {shown}: {e}", file=sys.stderr)
    return Plan(checked, Path(folder).absolute(), multirun)


def _check_hydra_settings(configs: list[tuple[DictConfig, bool]]) -> None:
    """Each composed config's Hydra settings against those sim's own conf/ gives with the same
    Hydra options (sim.commands.hydra_settings)."""
    trusted: dict[tuple, DictConfig] = {}
    for cfg, multirun in configs:
        options = (tuple(hydra_settings.chosen_options(cfg)), multirun)
        if options not in trusted:
            with hydra_adapter.hydra_for(CONFIG_PATH, None) as hy:
                trusted[options] = _compose(hy, CONFIG_NAME, list(options[0]), multirun)
        hydra_settings.check(cfg, trusted[options])


def check_output_folder(folder: str, key: str) -> None:
    """The output folder can be made and written: a folder is made and removed in its deepest
    existing parent (nothing is left behind). Raises ConfigError naming `key` otherwise."""
    path = Path(folder).absolute()
    parent = path
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    allowed = (f"a folder that can be made and written (choose another with {key}=DIR)")
    if not parent.is_dir():
        raise ConfigError(f"Invalid value for '{key}': got {folder!r}: '{parent}' is a file, not "
                          f"a folder; allowed: {allowed}.")
    try:
        tempfile.TemporaryDirectory(dir=parent, prefix=".sim-check-").cleanup()
    except OSError as e:
        raise ConfigError(f"Invalid value for '{key}': got {folder!r}: cannot write in "
                          f"'{parent}' ({e.strerror or e}); allowed: {allowed}.") from None
