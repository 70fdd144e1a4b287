"""`sim`: the Hydra app. It composes the config, runs it, prints the fit table, writes the files.

Bad input never shows a traceback: command-line overrides are checked against the schema before
Hydra starts (unknown key, wrong type, unknown group option), and range checks run before the
model is built; either way the user gets one paragraph naming the key and what is allowed, exit
code 2, and no files.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import fields, is_dataclass
from importlib import resources
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from . import results, runner, targets
from .config import Config, ConfigError, register, to_params

register()

EXIT_BAD_INPUT = 2
# Hydra flags that take a value in the next argument
_FLAGS_WITH_VALUE = {"-cd", "--config-dir", "-cn", "--config-name", "-cp", "--config-path",
                     "--cfg", "-c", "-p", "--package", "--experimental-rerun", "--info", "-i"}
_INFO_VALUES = {"all", "config", "defaults", "defaults-tree", "plugins", "searchpath"}


def _bad_input(message: str) -> None:
    print(f"sim: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


def _overrides(argv: list[str]) -> tuple[list[str], list[str]]:
    """The override arguments of a command line, and the user's --config-dir folders."""
    out, dirs = [], []
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            name, _, inline = arg.partition("=")
            if name in ("-cd", "--config-dir"):
                if inline:
                    dirs.append(inline)
                elif i + 1 < len(argv):
                    dirs.append(argv[i + 1])
            if name in _FLAGS_WITH_VALUE and not inline:
                nxt = argv[i + 1] if i + 1 < len(argv) else ""
                skip = name not in ("--info", "-i", "--cfg", "-c") or nxt in _INFO_VALUES or \
                    nxt in ("job", "hydra", "all")
            continue
        out.append(arg)
    return out, dirs


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


def _describe(tp: Any) -> str:
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
        return "a mapping such as {'2021-03': 0.2}"
    if is_dataclass(tp):
        return f"a group of settings ({_allowed_keys(tp)})"
    return str(tp)


def _group_options(group: str, config_dirs: list[str]) -> list[str]:
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
    return sorted(found)


_GROUPS = ("population", "counties", "wages", "behaviour", "local_jobs", "scenario", "calibration") + tuple(
    f"policy/{f.name}" for f in fields(Config().policy))


def check_overrides(argv: list[str]) -> None:
    """Check each command-line override against the schema; raise ConfigError on the first bad."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import OverrideType
    from hydra.errors import HydraException

    args, config_dirs = _overrides(argv)
    parser = OverridesParser.create()
    for arg in args:
        try:
            (ov,) = parser.parse_overrides([arg])
        except HydraException:
            raise ConfigError(
                f"Cannot read the override '{arg}'. Write key=value with keys joined by dots, "
                "e.g. policy.training.scale=2; months of a mapping are set as "
                "++scenario.disruption={2021-03:0.5}.") from None
        key = ov.key_or_group
        if key.startswith("hydra") or ov.is_delete():
            continue
        if "/" in key or key in _GROUPS:  # a group choice, e.g. policy/training=off
            _check_group_choice(ov, config_dirs)
            continue
        tp = _field_type(key)
        if get_origin(tp) is dict and ov.type == OverrideType.CHANGE and ov.value():
            raise ConfigError(
                f"'{key}' is a mapping; to add or change entries write ++{key}={ov.value()} "
                "(force-add); a mapping cannot be emptied from the command line (Hydra merges "
                "mappings): for the disruption calendar use scenario.disruption_scale=0, or a "
                "scenario file.".replace("'", ""))
        values = list(ov.sweep_iterator()) if ov.is_sweep_override() else [ov.value()]
        for v in values:
            _check_value(key, tp, v)


def _check_group_choice(ov, config_dirs: list[str]) -> None:
    group = ov.key_or_group
    options = _group_options(group, config_dirs)
    if not options:
        raise ConfigError(f"Unknown config group '{group}'. Groups: {', '.join(_GROUPS)}.")
    values = list(ov.sweep_string_iterator()) if ov.is_sweep_override() else [ov.value()]
    for v in values:
        if str(v) not in options:
            raise ConfigError(f"Unknown option '{v}' for the group '{group}'; allowed: "
                              f"{', '.join(options)}.")


def _check_value(key: str, tp: Any, value: Any) -> None:
    node = OmegaConf.structured(Config)
    nested: Any = value
    for part in reversed(key.split(".")):
        nested = {part: nested}
    try:
        OmegaConf.merge(node, OmegaConf.create(nested))
    except OmegaConfBaseException:
        raise ConfigError(f"Invalid value for '{key}': got {value!r}; allowed: "
                          f"{_describe(tp)}.") from None


def _remove_run_dir(out_dir: Path) -> None:
    """A run that never started leaves nothing behind: its folder, and empty parents, go."""
    if out_dir.is_dir() and not any(p.name in (results.SUMMARY, results.TIMESERIES)
                                    for p in out_dir.iterdir()):
        shutil.rmtree(out_dir, ignore_errors=True)
        parent = out_dir.parent
        cwd = Path.cwd().resolve()
        while parent.resolve() != cwd and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


@hydra.main(version_base="1.3", config_path="pkg://sim.conf", config_name="config")
def app(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    try:
        params = to_params(cfg)
    except ConfigError as e:
        if hc.mode == RunMode.MULTIRUN:  # the sweep goes on; the job is a row with its error
            _write_failure(out_dir, e)
            raise
        _remove_run_dir(out_dir)
        _bad_input(str(e))
    try:
        _run(params, out_dir)
    except Exception as e:
        _write_failure(out_dir, e)
        raise


def _write_failure(out_dir: Path, error: Exception) -> None:
    import json

    from .collect import STATUS
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / STATUS).write_text(json.dumps({"status": "failed",
                                              "error": f"{type(error).__name__}: {error}"}))


def _run(params, out_dir: Path) -> None:
    fitted = params.fitted_for_labour_force
    if fitted and fitted != params.population.labour_force and not params.quiet:
        print(f"sim: warning: the behaviour was fitted for a labour force of {fitted:,}, not "
              f"{params.population.labour_force:,}; refit with sim-calibrate "
              f"population.labour_force={params.population.labour_force} (or choose a shipped "
              "fit such as calibration=lf_2200k or lf_3000k).", file=sys.stderr)
    result = runner.run(params)
    doc = results.summary_document(result.summary)
    results.write_timeseries(out_dir, result.timeseries)
    results.write_summary(out_dir, doc)
    if not params.quiet:
        print(f"Scenario {params.scenario.name}, seed {params.seed}, "
              f"{params.population.labour_force * params.population.scale:,.0f} workers simulated "
              f"(scale {params.population.scale:g}), end of 2021 against the article:")
        print(targets.format_fit_table(result.summary["targets"]))
        print(f"Wrote {out_dir / results.SUMMARY} and {results.TIMESERIES} "
              f"({result.summary['run']['wall_seconds']:.1f} s)")


def main() -> None:
    try:
        check_overrides(sys.argv[1:])
    except ConfigError as e:
        _bad_input(str(e))
    app()


if __name__ == "__main__":
    main()
