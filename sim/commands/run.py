"""`sim`: the Hydra app. It checks the command line, runs each job, prints the fit table, writes
the files.

Bad input never shows a traceback: `sim.commands.input_checks` checks every override, composes
the config the way Hydra will and runs the range and cross-field checks on every job before Hydra
starts. A problem is one paragraph naming the key and what is allowed, exit code 2, and no files.
In a sweep where only some jobs are invalid, the others run and the invalid ones become failed
rows of `results.parquet`. An output folder that cannot be made or written (a full disk, no
permission) gets the same kind of answer.

A sweep rerun into the same folder (`hydra.sweep.dir=DIR`) skips the jobs that finished (their
`summary.json` carries the same result key: config, posterior draws, version and model source)
and runs the rest; a folder that holds a different run or sweep is refused before anything is
written (sim.commands.run_folder). Ctrl-C stops cleanly: finished jobs are kept and gathered into
`results.parquet`; a single run removes only the files and folders it made.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from ..core import start_cache
from ..core.params import Config
from ..core.validation import ConfigError, InputError
from ..experiments import run_files
from ..experiments.compose import register, to_params
from . import callbacks, hydra_adapter, run_folder
from .input_checks import CONFIG_NAME, CONFIG_PATH, GROUPS, group_options, parse_args, plan

register()

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # the shell's code for a program stopped by Ctrl-C
_FOOTPRINT: list[run_folder.Footprint] = []  # what was there before the single run (for Ctrl-C)


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


def finished(out_dir: Path, params: Config) -> bool:
    """The job ran to its end with this config and today's code and posterior: summary.json is
    written last, and atomically, so its presence means every file of the job is complete."""
    from ..experiments.input_files import read_summary

    try:
        summary = read_summary(out_dir / run_files.SUMMARY)
    except InputError:  # missing, garbled or foreign: not a finished job of this sweep
        return False
    return run_files.made_with(summary, params)


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
    try:
        params = to_params(cfg)
    except ConfigError as e:
        if multirun:  # the sweep goes on; the job is a row with its error
            _write_status(out_dir, "failed", f"{type(e).__name__}: {e}")
            raise
        _remove_made()
        _bad_input(str(e))
    if multirun and finished(out_dir, params):
        print(f"sim: job {hc.job.num} finished in an earlier run of this sweep; its results "
              f"are kept ({out_dir})")
        return
    _clear_job(out_dir)
    if multirun:  # jobs that differ only in 2021 levers copy the start the first one built
        start_cache.keep(params.replicates)
    try:
        if _CtrlC.pressed:  # pressed while Hydra was between jobs
            raise KeyboardInterrupt
        _run(params, out_dir)
        if multirun:
            _job_done(hc.job.num, out_dir)
    except ConfigError as e:  # the results could not be written
        for name in (run_files.TIMESERIES, run_files.YEARLY):  # no half of a result is left
            (out_dir / name).unlink(missing_ok=True)
        if multirun:
            _write_status(out_dir, "failed", f"{type(e).__name__}: {e}")
            raise
        _remove_made()
        _bad_input(str(e))
    except KeyboardInterrupt:
        _write_status(out_dir, "interrupted", "stopped by Ctrl-C before it finished")
        raise
    except Exception as e:
        _write_status(out_dir, "failed", f"{type(e).__name__}: {e}")
        raise


def _job_done(num: int, out_dir: Path) -> None:
    """The sweep's progress log: one line per finished job, whichever launcher ran it (Hydra
    lists the jobs when it launches them; this says when each ends)."""
    from ..experiments.sweep_results import job_row

    row = job_row(out_dir) or {}
    done = sum(1 for _ in out_dir.parent.glob(f"*/{run_files.SUMMARY}"))
    print(f"sim: job {num} finished in {row.get('wall_seconds', 0):.1f} s "
          f"({done} finished in {out_dir.parent})", flush=True)


def _write_status(out_dir: Path, status: str, error: str) -> None:
    from ..experiments.sweep_results import STATUS

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / STATUS).write_text(json.dumps({"status": status, "error": error}))
    except OSError:
        pass  # nothing can be written there (the error says why): the job stays "missing"


def _clear_job(out_dir: Path) -> None:
    """Before a job (re)runs: drop the status of an earlier attempt and the temporary files a
    killed writer may have left (the collector never reads them, but they are litter)."""
    from ..experiments.sweep_results import STATUS

    (out_dir / STATUS).unlink(missing_ok=True)
    for tmp in out_dir.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def _run(params, out_dir: Path) -> None:
    from ..core.compiled import compile_notice
    from ..experiments import runner, targets

    notice = compile_notice()
    if notice and not params.quiet:
        print(notice, file=sys.stderr, flush=True)

    fitted = params.fitted_for_labour_force
    if (fitted and fitted != params.population.labour_force and not params.quiet
            and params.posterior_draw < 0 and not params.ensemble):
        print(f"sim: warning: the point fit goes with a labour force of {fitted:,}, not "
              f"{params.population.labour_force:,}: the calibration fitted the behaviour and the "
              "labour force together (ensemble=N runs the posterior's own labour forces).",
              file=sys.stderr)
    result = runner.run(params)
    doc = run_files.summary_document(result.summary, params)
    try:
        run_files.write_timeseries(out_dir, result.timeseries)
        run_files.write_timeseries(out_dir, result.yearly, run_files.YEARLY)
        run_files.write_timeseries(out_dir, result.groups, run_files.GROUPS)
        run_files.write_summary(out_dir, doc)  # last: its presence marks the job as finished
    except OSError as e:  # a full disk, a folder taken away: the answer of a bad override
        raise ConfigError(f"Cannot write the results to '{out_dir}' ({e.strerror or e}); allowed: "
                          "a folder that can be written, with room for the files (choose another "
                          "with hydra.run.dir=DIR, or hydra.sweep.dir=DIR for a sweep).") from None
    if not params.quiet:
        counterfactual = _counterfactual(params)
        print(f"Scenario {params.scenario.name}, {_what_ran(params)}, "
              f"{params.population.labour_force * params.population.scale:,.0f} workers simulated "
              f"(scale {params.population.scale:g}), 2021 against the article and the evidence"
              + (" (counterfactual — article figures for reference: they describe 2021 as it "
                 "was, not this run)" if counterfactual else "") + ":")
        print(targets.format_fit_table(result.summary["targets"], counterfactual))
        print(f"Wrote {out_dir / run_files.SUMMARY}, {run_files.TIMESERIES}, {run_files.YEARLY} "
              f"and {run_files.GROUPS} "
              f"({result.summary['run']['wall_seconds']:.1f} s)")


def _what_ran(params) -> str:
    if params.ensemble:
        return (f"{params.ensemble} posterior draws x {params.replicates} seed(s) from seed "
                f"{params.seed} (means; intervals over both in summary.json)")
    which = (f"posterior draw {params.posterior_draw}" if params.posterior_draw >= 0
             else "the point fit")
    return f"{which}, seed {params.seed}" + (f" and {params.replicates - 1} more"
                                            if params.replicates > 1 else "")


def _counterfactual(params) -> bool:
    """A run whose 2021 differs from 2021 as it was (levers, shocks, the festival, pay): its fit
    table is a reference, not a test."""
    from dataclasses import asdict

    from ..experiments.compose import load

    shipped = load(["quiet=true"])
    keys = ("disruption", "disruption_scale", "disruption_closure_share", "festival_months",
            "festival_return_share", "stay_put_call", "out_of_province_pay_change",
            "start_levers")
    return (asdict(params.policy) != asdict(shipped.policy)
            or any(getattr(params.scenario, k) != getattr(shipped.scenario, k) for k in keys))


def _remove_made() -> None:
    """A single run that did not finish removes what it made, and only that."""
    for footprint in _FOOTPRINT:
        footprint.remove_made()


def _interrupted() -> None:
    """Ctrl-C: keep what finished, gather a sweep's finished jobs, say how to go on."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup
    sweep = callbacks.current_sweep()
    if sweep is not None and sweep.is_dir():
        from ..experiments.sweep_results import RESULTS

        frame = callbacks.gather(sweep)
        done = int((frame["status"] == "ok").sum()) if frame is not None and "status" in frame else 0
        print(f"sim: interrupted; {done} finished job(s) kept and gathered in "
              f"{sweep / RESULTS}; run the same command with hydra.sweep.dir={sweep} to run "
              "the rest.", file=sys.stderr)
    else:
        _remove_made()
        print("sim: interrupted; the run did not finish: the files it made are removed, nothing "
              "else is touched.", file=sys.stderr)
    sys.exit(EXIT_INTERRUPTED)


HELP = """sim: where Shaanxi's poverty-alleviated rural workers work, 2021 (and on to 2025).

Usage: sim [-m] [--config-dir DIR] [key=value ...]

  sim                                     the 2021 baseline at full scale, with its fit table
  sim policy.training.scale=2             a lever scaled (any lever: policy.<lever>.scale, .enabled)
  sim policy/public_welfare=off           a config group's option
  sim scenario=transition_taper           a scenario (your own: --config-dir DIR with scenario/NAME.yaml)
  sim population.scale=0.1 replicates=5   a 1:10 sample, five seeds with their 90% interval
  sim -m policy.training.scale=0,1,2 seed=0,1            a sweep (Hydra's multirun)
  sim -m hydra/launcher=joblib ...                         a sweep on all local cores
  sim -m ... hydra.sweep.dir=DIR existing_results=move_aside   DIR held another sweep: move it beside
  sim --cfg job                           the composed config;  sim --hydra-help: Hydra's flags

Config groups (group=option):
{groups}

Every key can be overridden; docs/MODEL.md section 4 lists them with their sources.
"""


def _help(config_dir: str | None) -> str:
    """`sim --help`, from the config folders' listing: no config is composed, no model imported."""
    folders = [config_dir] if config_dir else []
    # groups outside the defaults list are added with a plus: +experiment=ablation
    added = {"experiment", "ablation"}
    rows = [f"  {('+' if g in added else '') + g:<26} {', '.join(group_options(g, folders))}"
            for g in GROUPS]
    return HELP.format(groups="\n".join(rows))


def main() -> None:
    argv = sys.argv[1:]
    try:
        args = parse_args(argv)
        if args.help:
            print(_help(args.config_dir))
            return
        checked = plan(argv)
        if checked.folder is not None:
            sys.argv = [sys.argv[0], *argv, _take_folder(checked)]
    except ConfigError as e:
        _bad_input(str(e))
    # plan() has composed and checked every job of a sweep; Hydra's sweeper would compose the
    # whole batch once more before launching (about 0.3 s a job, one after the other)
    hydra_adapter.skip_batch_validation()
    signal.signal(signal.SIGINT, _CtrlC.handler)
    try:
        app()
    except KeyboardInterrupt:
        _interrupted()
    except SystemExit as e:  # Hydra ends a sweep with a failed job here, before its callback
        sweep = callbacks.current_sweep()
        if e.code and sweep is not None and sweep.is_dir():
            callbacks.gather(sweep)  # the finished jobs and the failed ones' errors, gathered anyway
        if _CtrlC.pressed:
            _interrupted()
        raise
    if _CtrlC.pressed:  # pressed after the last job had started: it finished, say so anyway
        _interrupted()


def _take_folder(checked) -> str:
    """Make the checked folder the run's: refuse it if it holds other results (or move them
    aside when asked), note what was there before, lock a sweep's, write the manifest. Returns
    the override that pins Hydra to this folder (its default name holds the time, which Hydra
    would read again)."""
    folder = checked.folder
    footprint = run_folder.Footprint.before(folder)
    try:
        if checked.multirun:
            run_folder.SweepLock(folder).acquire()
        run_folder.prepare(folder, checked.jobs, checked.multirun,
                           checked.configs[0].existing_results)
    except ConfigError:
        footprint.remove_made()  # a refusal leaves nothing behind
        raise
    if not checked.multirun:
        _FOOTPRINT.append(footprint)
    key = "hydra.sweep.dir" if checked.multirun else "hydra.run.dir"
    return f"{key}={_quoted(str(folder))}"


def _quoted(text: str) -> str:
    """A value in Hydra's override grammar, quoted (a path may hold spaces, '=' or commas)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


if __name__ == "__main__":
    main()
