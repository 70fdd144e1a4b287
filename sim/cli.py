"""`sim`: the Hydra app. It composes the config, runs it, prints the fit table, writes the files.

Bad input never shows a traceback. Before Hydra starts, `check_command_line` checks every override
against the schema (unknown key, wrong type, unknown group option), composes the config the way
Hydra will (with the user's `--config-dir` files) and runs the range and cross-field checks on
every job. A problem is one paragraph naming the key and what is allowed, exit code 2, and no
files. In a sweep where only some jobs are invalid, the others run and the invalid ones become
failed rows of `results.parquet`.

A sweep rerun into the same folder (`hydra.sweep.dir=DIR`) skips the jobs that finished (their
`summary.json` carries the same config hash and package version) and runs the rest. Ctrl-C stops
cleanly: finished jobs are kept and gathered into `results.parquet`.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import signal
import sys
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterator, get_args, get_origin, get_type_hints

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from hydra.plugins.sweeper import Sweeper
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict, read_write
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

from . import callbacks, results, start
from .config import Config, ConfigError, config_hash, register, to_params

register()

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # the shell's code for a program stopped by Ctrl-C
CONFIG_PATH, CONFIG_NAME = "pkg://sim.conf", "config"
_RUN_DIR: list[Path] = []  # the folder of the single run in progress (for Ctrl-C)


class _CtrlC:
    """Where a Ctrl-C may stop the process. Inside a job it stops at once (every file is written
    atomically, and the job's status says it was interrupted), and so it does while this process
    only waits for jobs run by another launcher. Outside a job with the basic launcher, Hydra
    and OmegaConf are composing the next job's config, and an exception raised in the middle of
    that leaves their objects half-built: the interrupt then surfaces as an unrelated OmegaConf
    error. So there it is only noted, and acted on at the start of the next job or at the end."""

    pressed = False
    in_job = False

    @classmethod
    def handler(cls, signum, frame) -> None:
        cls.pressed = True
        if cls.in_job or callbacks.jobs_run_elsewhere():
            raise KeyboardInterrupt


def _bad_input(message: str) -> None:
    print(f"sim: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


def _parse_args(argv: list[str]) -> argparse.Namespace:
    """Hydra's own command-line parser, with its errors as ConfigError (one paragraph)."""
    from hydra._internal.utils import get_args_parser

    parser = get_args_parser()

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


_GROUPS = ("population", "counties", "wages", "behaviour", "local_jobs", "scenario", "calibration",
           "experiment", "ablation") + tuple(
    f"policy/{f.name}" for f in fields(Config().policy))


def check_overrides(argv: list[str]) -> None:
    """Check each command-line override against the schema; raise ConfigError on the first bad."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import OverrideType

    args = _parse_args(argv)
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
        if key.startswith("hydra") or ov.is_delete():
            continue
        if "/" in key or key in _GROUPS:  # a group choice, e.g. policy/training=off
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


def _check_group_choice(ov, config_dirs: list[str]) -> None:
    group = ov.key_or_group
    options = _group_options(group, config_dirs)
    if not options:
        raise ConfigError(f"Unknown config group '{group}'; allowed groups: {', '.join(_GROUPS)}.")
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
    return ConfigError(f"Cannot compose the config: {_one_paragraph(str(e))}")


@contextmanager
def _hydra(args: argparse.Namespace) -> Iterator[Any]:
    """A Hydra instance with the search path the real run will have (`--config-dir` included)."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_automatic_config_search_path
    from hydra.core.config_search_path import SearchPathQuery
    from hydra.core.global_hydra import GlobalHydra

    search_path = create_automatic_config_search_path(None, __name__,
                                                      args.config_path or CONFIG_PATH)
    if args.config_dir:
        folder = os.path.abspath(args.config_dir)
        if not os.path.isdir(folder):
            raise ConfigError(f"Invalid value for '--config-dir': got {args.config_dir!r}; "
                              "allowed: an existing folder (with your config files, e.g. "
                              "scenario/NAME.yaml).")
        # where Hydra puts it, so that the same file wins when two folders have one
        search_path.prepend(provider="command-line", path=f"file://{folder}",
                            anchor=SearchPathQuery(provider="schema"))
    try:
        yield Hydra.create_main_hydra2(task_name="sim", config_search_path=search_path)
    finally:
        GlobalHydra.instance().clear()


def _compose(hy, config_name: str, overrides: list[str], mode: RunMode) -> DictConfig:
    try:
        return hy.compose_config(config_name, overrides, run_mode=mode)
    except Exception as e:  # Hydra, OmegaConf, YAML, file errors: all are trouble in the input
        raise _composition_error(e) from None


def compose(overrides: list[str], config_dir: str | None = None) -> DictConfig:
    """The config as Hydra composes it for a single run (`--config-dir` files included), before
    the range checks: `params_of` applies value overrides to it and checks the result."""
    args = _parse_args(([f"--config-dir={config_dir}"] if config_dir else []) + overrides)
    with _hydra(args) as hy:
        return _compose(hy, args.config_name or CONFIG_NAME, args.overrides, RunMode.RUN)


def composes(line: str) -> bool:
    """Overrides that choose config files (or set Hydra itself) are composed; the others are
    values applied afterwards, as Hydra applies them."""
    key = line.lstrip("+~").partition("=")[0]
    return key.startswith("hydra") or "/" in key or key in _GROUPS


def params_of(base: DictConfig, overrides: list[str]) -> Config:
    """The validated Config of a composed `base` with value `overrides` applied, as Hydra does."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra.core.override_parser.overrides_parser import OverridesParser

    cfg = copy.deepcopy(base)
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
        ConfigLoaderImpl._apply_overrides_to_config(parsed, cfg)
    except (HydraException, OmegaConfBaseException) as e:
        raise _composition_error(e) from None
    with read_write(cfg), open_dict(cfg):
        cfg.pop("hydra", None)
    return to_params(cfg)


def _sweep_jobs(hy, config_name: str, overrides: list[str]) -> list[list[str]]:
    """Each job's overrides as Hydra's basic sweeper makes them: the sweeper's `params` from the
    config, then the command line, crossed; Hydra's own overrides go to every job."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    primary = _compose(hy, config_name, overrides, RunMode.MULTIRUN)
    if not str(primary.hydra.sweeper.get("_target_", "")).endswith("BasicSweeper"):
        return []  # another sweeper makes its own jobs; each is checked when it runs
    parser = OverridesParser.create()
    parsed = parser.parse_overrides(overrides)
    params = [f"{k}={v}" for k, v in (primary.hydra.sweeper.get("params") or {}).items()]
    task = parser.parse_overrides(params + [o.input_line for o in parsed
                                            if not o.is_hydra_override()])
    try:
        (jobs,) = BasicSweeper.split_arguments(task, None)
    except HydraException as e:
        raise _composition_error(e) from None
    own = [o.input_line for o in parsed if o.is_hydra_override()]
    return [own + job for job in jobs]


def _check_jobs(hy, config_name: str, jobs: list[list[str]]) -> list[tuple[list[str], Any]]:
    """(job overrides, Config or ConfigError) per job; a file problem raises at once."""
    bases: dict[tuple[str, ...], DictConfig] = {}
    out: list[tuple[list[str], Any]] = []
    for job in jobs:
        files = tuple(o for o in job if composes(o))
        if files not in bases:
            bases[files] = _compose(hy, config_name, list(files), RunMode.RUN)
        try:
            out.append((job, params_of(bases[files], [o for o in job if not composes(o)])))
        except ConfigError as e:
            out.append((job, e))
    return out


def check_command_line(argv: list[str]) -> list[Config]:
    """Everything that can go wrong with the input, found before Hydra starts: the overrides,
    the config files and the values of every job. Returns the jobs' configs; raises ConfigError
    (in a sweep only if no job is valid; invalid jobs of a sweep are reported and fail alone)."""
    check_overrides(argv)
    args = _parse_args(argv)
    if args.help or args.hydra_help or args.cfg or args.info or args.shell_completion \
            or args.experimental_rerun:
        return []  # Hydra's own commands: it reports their problems itself
    multirun = _multirun(args)
    config_name = args.config_name or CONFIG_NAME
    with _hydra(args) as hy:
        jobs = _sweep_jobs(hy, config_name, args.overrides) if multirun else [args.overrides]
        checked = _check_jobs(hy, config_name, jobs)
    errors = [(job, r) for job, r in checked if isinstance(r, ConfigError)]
    if errors and (not multirun or len(errors) == len(checked)):
        raise errors[0][1]
    for job, e in errors:
        shown = " ".join(o for o in job if not o.lstrip("+~").startswith("hydra"))
        print(f"sim: warning: this job will fail (the others run): {shown}: {e}", file=sys.stderr)
    return [r for _, r in checked if isinstance(r, Config)]


# ---------------------------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------------------------


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


def finished(out_dir: Path, params: Config) -> bool:
    """The job ran to its end with this config and this code: summary.json is written last, and
    atomically, so its presence means every file of the job is complete."""
    try:
        run = json.loads((out_dir / results.SUMMARY).read_text()).get("run", {})
    except (OSError, ValueError, AttributeError):
        return False
    return run.get("config_hash") == config_hash(params) and run.get("version") == results.version()


@hydra.main(version_base="1.3", config_path=CONFIG_PATH, config_name=CONFIG_NAME)
def app(cfg: DictConfig) -> None:
    _CtrlC.in_job = True
    try:
        _job(cfg)
    finally:
        _CtrlC.in_job = False


def _job(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    multirun = hc.mode == RunMode.MULTIRUN
    if not multirun:
        _RUN_DIR.append(out_dir)
    try:
        params = to_params(cfg)
    except ConfigError as e:
        if multirun:  # the sweep goes on; the job is a row with its error
            _write_status(out_dir, "failed", f"{type(e).__name__}: {e}")
            raise
        _remove_run_dir(out_dir)
        _bad_input(str(e))
    if multirun and finished(out_dir, params):
        print(f"sim: job {hc.job.num} finished in an earlier run of this sweep; its results "
              f"are kept ({out_dir})")
        return
    _clear_job(out_dir)
    if multirun:  # jobs that differ only in 2021 levers copy the start the first one built
        start.keep(params.replicates)
    try:
        if _CtrlC.pressed:  # pressed while Hydra was between jobs
            raise KeyboardInterrupt
        _run(params, out_dir)
        if multirun:
            _job_done(hc.job.num, out_dir)
    except KeyboardInterrupt:
        _write_status(out_dir, "interrupted", "stopped by Ctrl-C before it finished")
        raise
    except Exception as e:
        _write_status(out_dir, "failed", f"{type(e).__name__}: {e}")
        raise


def _job_done(num: int, out_dir: Path) -> None:
    """The sweep's progress log: one line per finished job, whichever launcher ran it (Hydra
    lists the jobs when it launches them; this says when each ends)."""
    from .collect import job_row

    row = job_row(out_dir) or {}
    done = sum(1 for _ in out_dir.parent.glob(f"*/{results.SUMMARY}"))
    print(f"sim: job {num} finished in {row.get('wall_seconds', 0):.1f} s "
          f"({done} finished in {out_dir.parent})", flush=True)


def _write_status(out_dir: Path, status: str, error: str) -> None:
    from .collect import STATUS

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / STATUS).write_text(json.dumps({"status": status, "error": error}))


def _clear_job(out_dir: Path) -> None:
    """Before a job (re)runs: drop the status of an earlier attempt and the temporary files a
    killed writer may have left (the collector never reads them, but they are litter)."""
    from .collect import STATUS

    (out_dir / STATUS).unlink(missing_ok=True)
    for tmp in out_dir.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def _run(params, out_dir: Path) -> None:
    from . import runner, targets

    fitted = params.fitted_for_labour_force
    if fitted and fitted != params.population.labour_force and not params.quiet:
        print(f"sim: warning: the behaviour was fitted for a labour force of {fitted:,}, not "
              f"{params.population.labour_force:,}; refit with sim-calibrate "
              f"population.labour_force={params.population.labour_force} (or choose a shipped "
              "fit such as calibration=lf_2200k or lf_3000k).", file=sys.stderr)
    result = runner.run(params)
    doc = results.summary_document(result.summary, params)
    results.write_timeseries(out_dir, result.timeseries)
    results.write_timeseries(out_dir, result.yearly, results.YEARLY)
    results.write_summary(out_dir, doc)  # last: its presence marks the job as finished
    if not params.quiet:
        print(f"Scenario {params.scenario.name}, seed {params.seed}, "
              f"{params.population.labour_force * params.population.scale:,.0f} workers simulated "
              f"(scale {params.population.scale:g}), end of 2021 against the article:")
        print(targets.format_fit_table(result.summary["targets"]))
        print(f"Wrote {out_dir / results.SUMMARY}, {results.TIMESERIES} and {results.YEARLY} "
              f"({result.summary['run']['wall_seconds']:.1f} s)")


def _interrupted() -> None:
    """Ctrl-C: keep what finished, gather a sweep's finished jobs, say how to go on."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup
    sweep = callbacks.current_sweep()
    if sweep is not None and sweep.is_dir():
        from .collect import RESULTS, collect

        frame = collect(sweep)
        done = int((frame["status"] == "ok").sum()) if "status" in frame else 0
        print(f"sim: interrupted; {done} finished job(s) kept and gathered in "
              f"{sweep / RESULTS}; run the same command with hydra.sweep.dir={sweep} to run "
              "the rest.", file=sys.stderr)
    else:
        for out_dir in _RUN_DIR:
            _remove_run_dir(out_dir)
        print("sim: interrupted; the run did not finish and wrote no results.", file=sys.stderr)
    sys.exit(EXIT_INTERRUPTED)


def main() -> None:
    try:
        check_command_line(sys.argv[1:])
    except ConfigError as e:
        _bad_input(str(e))
    # check_command_line has composed and checked every job of a sweep; Hydra's sweeper would
    # compose the whole batch once more before launching (about 0.3 s a job, one after the other)
    Sweeper.validate_batch_is_legal = lambda self, batch: None
    signal.signal(signal.SIGINT, _CtrlC.handler)
    try:
        app()
    except KeyboardInterrupt:
        _interrupted()
    except SystemExit as e:  # Hydra ends a sweep with a failed job here, before its callback
        sweep = callbacks.current_sweep()
        if e.code and sweep is not None and sweep.is_dir():
            from .collect import collect

            collect(sweep)  # the finished jobs and the failed ones' errors, gathered anyway
        if _CtrlC.pressed:
            _interrupted()
        raise
    if _CtrlC.pressed:  # pressed after the last job had started: it finished, say so anyway
        _interrupted()


if __name__ == "__main__":
    main()
