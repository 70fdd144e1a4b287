"""The files the commands read, each checked against its schema where it is read.

One reader per kind of file, and the one statement of what that file must hold:

- a run's `summary.json` (`read_summary`), `timeseries.parquet`, `yearly.parquet` and
  `groups.parquet` (`read_table` with `TIMESERIES`, `YEARLY`, `GROUPS`), its `.hydra/config.yaml`
  (`read_run_config`), `.hydra/overrides.yaml` (`read_overrides`), `.hydra/hydra.yaml`
  (`read_choices`) and a failed job's `status.json` (`read_status`);
- a sweep's `results.parquet` and `groups.parquet` (`RESULTS`, `SWEEP_GROUPS`);
- the calibration's posterior draws (`read_draws`), its priors (`read_priors`), its pyabc
  database (`check_calibration_db`), its identification table (`read_identification`), the
  validation summary (`read_validation_state`) and the simulation-based calibration's summary
  (`read_sbc`); the checks' pre-registration record is read by
  `sim.experiments.preregistration.read` with the helpers here.

A file that is missing, garbled (truncated, not JSON/YAML/parquet/SQLite) or foreign (another
kind of file under the name) is an `InputError` whose message names the file, what is wrong and
what is allowed: every command answers it with that paragraph and exit status 2
(sim.commands.cli); `sim-collect` turns it into a failed row of the job it belongs to.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, get_type_hints
from urllib.parse import quote

import yaml

from ..core.validation import InputError
from . import run_files

if TYPE_CHECKING:  # pandas is imported where a table is read: bad arguments are answered fast
    import pandas as pd


def _refuse(path: Path | str, problem: str, allowed: str) -> NoReturn:
    raise InputError(f"Cannot read '{path}': {problem}; allowed: {allowed}.")


def _text(path: Path, allowed: str) -> str:
    path = Path(path)
    if not path.is_file():
        _refuse(path, "there is no such file" if not path.exists() else "it is a folder", allowed)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        _refuse(path, "it is not text (UTF-8)", allowed)


def _is_number(value: Any) -> bool:
    """A JSON or YAML number (NaN included: a share of nobody is undefined); not true/false."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------------------------------------
# JSON files
# ---------------------------------------------------------------------------------------------


def _json_object(path: Path, allowed: str) -> dict:
    text = _text(path, allowed)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        _refuse(path, f"it is not JSON ({e.msg} at line {e.lineno}, column {e.colno}; a "
                      "truncated file reads so)", allowed)
    if not isinstance(doc, dict):
        _refuse(path, f"it holds a JSON {type(doc).__name__}, not an object", allowed)
    return doc


SUMMARY_ALLOWED = ("a run's summary.json as `sim` writes it: a JSON object of end-of-year metrics "
                   "(name: number), a 'run' section (seed, replicates, ...) and 'targets' "
                   "(figure id: article, model, rel_error)")
SUMMARY_SECTIONS = ("targets", "run", "interval90", "replicate_metrics")
# the run section's known entries: whole numbers with their least value, and numbers
RUN_WHOLE = {"seed": 0, "replicates": 1, "posterior_draw": -1, "ensemble": 0}
RUN_NUMBERS = ("wall_seconds",)
TARGET_NUMBERS = ("article", "model", "rel_error", "given")


def read_summary(path: Path) -> dict:
    """A run's summary.json, checked: metrics are numbers, `run` and `targets` are there."""
    doc = _json_object(path, SUMMARY_ALLOWED)

    def wrong(problem: str) -> NoReturn:
        _refuse(path, problem, SUMMARY_ALLOWED)

    metrics = {k: v for k, v in doc.items() if k not in SUMMARY_SECTIONS}
    if not metrics:
        wrong("it holds no metric")
    for name, value in metrics.items():
        if not _is_number(value):
            wrong(f"the metric '{name}' is {_shown(value)}, not a number")
    for section in ("run", "targets"):
        if not isinstance(doc.get(section), dict):
            wrong(f"it has no '{section}' section" if section not in doc
                  else f"its '{section}' section is {_shown(doc[section])}, not an object")
    _check_run_section(doc["run"], wrong)
    for fid, row in doc["targets"].items():
        if not isinstance(row, dict) or "rel_error" not in row:
            wrong(f"the target '{fid}' is {_shown(row)}, not an object with a rel_error")
        for key in TARGET_NUMBERS:
            if row.get(key) is not None and not _is_number(row[key]):
                wrong(f"the target '{fid}' has {key} {_shown(row[key])}, not a number or null")
    _check_intervals(doc.get("interval90", {}), wrong)
    _check_replicates(doc.get("replicate_metrics", []), wrong)
    return doc


def _check_run_section(run: dict, wrong) -> None:
    if "seed" not in run:
        wrong("its 'run' section has no seed")
    for key, least in RUN_WHOLE.items():
        if key in run and not (_is_whole(run[key]) and run[key] >= least):
            wrong(f"its run.{key} is {_shown(run[key])}, not a whole number from {least}")
    for key in RUN_NUMBERS:
        if key in run and not _is_number(run[key]):
            wrong(f"its run.{key} is {_shown(run[key])}, not a number")


def _check_intervals(intervals: Any, wrong) -> None:
    if not isinstance(intervals, dict):
        wrong(f"its 'interval90' is {_shown(intervals)}, not an object")
    for name, ends in intervals.items():
        if not (isinstance(ends, list) and len(ends) == 2 and all(map(_is_number, ends))):
            wrong(f"its interval90 of '{name}' is {_shown(ends)}, not two numbers [low, high]")


def _check_replicates(rows: Any, wrong) -> None:
    if not isinstance(rows, list):
        wrong(f"its 'replicate_metrics' is {_shown(rows)}, not a list")
    for k, row in enumerate(rows):
        if not isinstance(row, dict) or not {"seed", "posterior_draw"} <= set(row):
            wrong(f"replicate_metrics[{k}] is not an object with seed and posterior_draw")
        bad = next((n for n, v in row.items() if not _is_number(v)), None)
        if bad is not None:
            wrong(f"replicate_metrics[{k}] has {bad} {_shown(row[bad])}, not a number")


STATUS_ALLOWED = ("a job's status.json as `sim` writes it: a JSON object with 'status' (failed or "
                  "interrupted) and 'error' (a text)")
STATUSES = ("failed", "interrupted")


def read_status(path: Path) -> dict:
    """A job's status.json: why it did not finish."""
    doc = _json_object(path, STATUS_ALLOWED)
    if doc.get("status") not in STATUSES:
        _refuse(path, f"its status is {_shown(doc.get('status'))}", STATUS_ALLOWED)
    if not isinstance(doc.get("error", ""), str):
        _refuse(path, f"its error is {_shown(doc['error'])}, not a text", STATUS_ALLOWED)
    return doc


VALIDATION_ALLOWED = ("the validation summary sim-validate writes: a JSON object of figures "
                      "(name: number, or null for one not measured)")


def read_validation_state(path: Path) -> dict:
    """The shipped calibration's validation summary (`sim-validate --summary`); a figure not
    measured (simulation-based calibration not run) is null."""
    doc = _json_object(path, VALIDATION_ALLOWED)
    bad = next((k for k, v in doc.items() if v is not None and not _is_number(v)), None)
    if bad is not None:
        _refuse(path, f"'{bad}' is {_shown(doc[bad])}, not a number or null", VALIDATION_ALLOWED)
    return doc


SBC_ALLOWED = ("the simulation-based calibration summary (conf/calibration/sbc.json): a JSON "
               "object with parameters_passing, a whole number from 0")


def read_sbc(path: Path) -> int:
    """The number of parameters passing simulation-based calibration (conf/calibration/sbc.json)."""
    doc = _json_object(path, SBC_ALLOWED)
    passing = doc.get("parameters_passing")
    if not (_is_whole(passing) and passing >= 0):
        _refuse(path, f"its parameters_passing is {_shown(passing)}", SBC_ALLOWED)
    return passing


# ---------------------------------------------------------------------------------------------
# YAML files Hydra writes into a job's .hydra folder
# ---------------------------------------------------------------------------------------------


def _yaml(path: Path, allowed: str) -> Any:
    text = _text(path, allowed)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        _refuse(path, f"it is not YAML{at} ({getattr(e, 'problem', None) or 'unreadable'})",
                allowed)


OVERRIDES_ALLOWED = ("the .hydra/overrides.yaml Hydra writes: a YAML list of key=value (or ~key) "
                     "texts, e.g. [seed=0, policy.training.scale=2]")


def read_overrides(path: Path) -> list[str]:
    """A job's command-line overrides, as Hydra recorded them."""
    doc = _yaml(path, OVERRIDES_ALLOWED)
    if not isinstance(doc, list):
        _refuse(path, f"it holds {_shown(doc)}, not a list", OVERRIDES_ALLOWED)
    bad = next((item for item in doc if not isinstance(item, str)
                or not ("=" in item or item.startswith("~"))), None)  # ~key deletes a key
    if bad is not None:
        _refuse(path, f"the entry {_shown(bad)} is not a key=value text", OVERRIDES_ALLOWED)
    return doc


HYDRA_ALLOWED = ("the .hydra/hydra.yaml Hydra writes: a YAML mapping with a 'hydra' section "
                 "(runtime.choices: group: option)")


def read_choices(path: Path) -> dict[str, str]:
    """The config group options a job ran with (hydra.runtime.choices), Hydra's own included."""
    doc = _yaml(path, HYDRA_ALLOWED)
    if not isinstance(doc, dict) or not isinstance(doc.get("hydra"), dict):
        _refuse(path, "it has no 'hydra' section", HYDRA_ALLOWED)
    runtime = doc["hydra"].get("runtime") or {}
    choices = (runtime.get("choices") or {}) if isinstance(runtime, dict) else None
    if not isinstance(choices, dict):
        _refuse(path, f"its hydra.runtime.choices is {_shown(choices)}, not a mapping",
                HYDRA_ALLOWED)
    bad = next((g for g, o in choices.items() if not isinstance(o, (str, type(None)))), None)
    if bad is not None:
        _refuse(path, f"the choice of '{bad}' is {_shown(choices[bad])}, not an option name",
                HYDRA_ALLOWED)
    return {str(g): o for g, o in choices.items()}


CONFIG_ALLOWED = "the .hydra/config.yaml Hydra writes: a YAML mapping of the run's settings"


def read_run_config(path: Path) -> dict:
    """A run's composed config, as Hydra saved it."""
    doc = _yaml(path, CONFIG_ALLOWED)
    if not isinstance(doc, dict):
        _refuse(path, f"it holds {_shown(doc)}, not a mapping", CONFIG_ALLOWED)
    return doc


# ---------------------------------------------------------------------------------------------
# parquet tables
# ---------------------------------------------------------------------------------------------

TEXT, NUMBER, WHOLE = "text", "number", "whole number"
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class Table:
    """A parquet file's schema: its required columns and what each holds."""

    what: str  # what the file is, for the message
    columns: dict[str, str]

    def allowed(self) -> str:
        cols = ", ".join(f"{c} ({kind})" for c, kind in self.columns.items())
        return f"{self.what}: a parquet table with the columns {cols}"


TIMESERIES = Table("a run's timeseries.parquet as `sim` writes it",
                   {"month": TEXT, "metric": TEXT, "group": TEXT, "value": NUMBER, "low": NUMBER,
                    "high": NUMBER})
YEARLY = Table("a run's yearly.parquet as `sim` writes it",
               {"year": WHOLE, "metric": TEXT, "group": TEXT, "value": NUMBER, "low": NUMBER,
                "high": NUMBER})
GROUPS = Table("a run's groups.parquet as `sim` writes it",
               {"year": WHOLE, "dimension": TEXT, "group": TEXT, "metric": TEXT, "value": NUMBER,
                "low": NUMBER, "high": NUMBER})
SWEEP_GROUPS = Table("a sweep's groups.parquet as sim-collect writes it",
                     {"job": TEXT, **GROUPS.columns})
RESULTS = Table("a sweep's results.parquet as sim-collect writes it",
                {"job": TEXT, "status": TEXT})
RESULT_STATUSES = ("ok", "failed", "interrupted", "missing")


def _arrow_kind_ok(arrow_type, kind: str) -> bool:
    import pyarrow as pa

    t = arrow_type.value_type if pa.types.is_dictionary(arrow_type) else arrow_type
    if pa.types.is_null(t):  # a column with no value at all: nothing in it is wrong
        return True
    if kind == TEXT:
        return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)
    if kind == WHOLE:
        return pa.types.is_integer(t)
    return pa.types.is_integer(t) or pa.types.is_floating(t)


def check_table(path: Path, table: Table) -> None:
    """The file is a parquet table of this kind (its footer and columns only: fast)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.is_file():
        _refuse(path, "there is no such file" if not path.exists() else "it is a folder",
                table.allowed())
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError, ValueError) as e:
        _refuse(path, f"it is not a parquet table, or a truncated one ({_first_line(e)})",
                table.allowed())
    missing = [c for c in table.columns if c not in schema.names]
    if missing:
        _refuse(path, f"it has no column {', '.join(missing)} (it has {_listed(schema.names)})",
                table.allowed())
    for column, kind in table.columns.items():
        if not _arrow_kind_ok(schema.field(column).type, kind):
            _refuse(path, f"its column '{column}' holds {schema.field(column).type}, not "
                          f"{kind}s", table.allowed())
    if table is RESULTS:
        _check_result_columns(path, schema)


# a sweep's results beside job and status: what a job's row holds where it has the column
RESULT_COLUMNS = {"overrides": TEXT, "error": TEXT, "seed": NUMBER, "posterior_draw": NUMBER,
                  "wall_seconds": NUMBER}
RESULT_PREFIXES = {"override.": TEXT, "choice.": TEXT}


def _check_result_columns(path: Path, schema) -> None:
    """A sweep's results: settings and errors are texts, seeds and times numbers."""
    for name in schema.names:
        kind = RESULT_COLUMNS.get(name) or next(
            (k for prefix, k in RESULT_PREFIXES.items() if name.startswith(prefix)), None)
        if kind and not _arrow_kind_ok(schema.field(name).type, kind):
            _refuse(path, f"its column '{name}' holds {schema.field(name).type}, not {kind}s",
                    RESULTS.allowed())


def read_table(path: Path, table: Table) -> "pd.DataFrame":
    """The parquet table, checked (`check_table`) and read whole."""
    import pandas as pd
    import pyarrow as pa

    check_table(path, table)
    try:
        frame = pd.read_parquet(path)
    except (pa.ArrowException, OSError, ValueError) as e:
        _refuse(path, f"it is not a parquet table, or a damaged one ({_first_line(e)})",
                table.allowed())
    if "month" in table.columns:
        bad = frame.loc[~frame["month"].astype(str).str.fullmatch(MONTH.pattern), "month"]
        if len(bad):
            _refuse(path, f"the month {_shown(bad.iloc[0])} is not YYYY-MM", table.allowed())
    if table is RESULTS:
        bad = frame.loc[~frame["status"].isin(RESULT_STATUSES), "status"]
        if len(bad):
            _refuse(path, f"the status {_shown(bad.iloc[0])} is none of "
                          f"{', '.join(RESULT_STATUSES)}", RESULTS.allowed())
        if (frame["status"] == "ok").any() and "seed" not in frame:
            _refuse(path, "it has finished jobs but no seed column", RESULTS.allowed())
    return frame


@dataclass
class RunFiles:
    """A run folder's results, read and checked: what its figures are drawn from."""

    summary: dict
    timeseries: "pd.DataFrame"
    yearly: "pd.DataFrame | None"  # None for a run made before runs wrote yearly.parquet


def read_run(run_dir: Path) -> RunFiles:
    """A run folder's summary.json, timeseries.parquet and yearly.parquet (if it has one)."""
    run_dir = Path(run_dir)
    yearly = run_dir / run_files.YEARLY
    return RunFiles(read_summary(run_dir / run_files.SUMMARY),
                    read_table(run_dir / run_files.TIMESERIES, TIMESERIES),
                    read_table(yearly, YEARLY) if yearly.exists() else None)


def _first_line(e: Exception) -> str:
    text = " ".join(str(e).split())
    return text if len(text) <= 120 else text[:117] + "..."


def _listed(names: list[str]) -> str:
    return ", ".join(names[:8]) + (", ..." if len(names) > 8 else "") if names else "none"


# ---------------------------------------------------------------------------------------------
# the calibration's files
# ---------------------------------------------------------------------------------------------

PRIORS_ALLOWED = ("a priors file in the layout of conf/calibration/priors.yaml: 'parameters' "
                  "(name: keys, low below high, optional role behaviour or input, "
                  "integer, why) and optional 'constraints' (name: numerator, denominator, "
                  "at_most, why)")
PARAMETER_FIELDS = {"keys", "low", "high", "role", "why", "integer"}
CONSTRAINT_FIELDS = {"numerator", "denominator", "at_most", "why"}
ROLES = ("behaviour", "input")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # pyabc's parameter names are column names


DRAWS_ALLOWED = ("a CSV written by sim-calibrate: a draw column numbering the rows 0, 1, 2, ..., "
                 "then one column per parameter of the priors, each value inside its prior range")


def read_draws(path: Path, params: list) -> "pd.DataFrame":
    """Posterior draws (conf/calibration/posterior.csv), checked against the priors `params`:
    every parameter a column of numbers inside its prior range (a draw outside it was never
    fitted), draws numbered from 0 in order."""
    import pandas as pd

    try:
        frame = pd.read_csv(path, comment="#")
    except (ValueError, UnicodeDecodeError) as e:
        _refuse(path, f"it is not a CSV table ({_first_line(e)})", DRAWS_ALLOWED)
    missing = [p.name for p in params if p.name not in frame] + ["draw"] * ("draw" not in frame)
    if missing:
        _refuse(path, f"it has no column {', '.join(missing)}", DRAWS_ALLOWED)
    if frame.empty or frame["draw"].tolist() != list(range(len(frame))):
        _refuse(path, "its draw column is not 0, 1, 2, ... (at least one draw)", DRAWS_ALLOWED)
    for p in params:
        values = pd.to_numeric(frame[p.name], errors="coerce")
        outside = ~values.between(p.low, p.high)  # NaN and text are outside too
        if outside.any():
            row = int(outside.to_numpy().argmax())
            _refuse(path, f"draw {row} has {p.name}={_shown(str(frame[p.name].iloc[row]))}, "
                          f"outside its prior range {p.low:g} to {p.high:g}", DRAWS_ALLOWED)
        frame[p.name] = values
    return frame.set_index("draw")


def read_priors(path: Path | None) -> dict:
    """The priors file (`sim-calibrate --priors`, or the shipped conf/calibration/priors.yaml),
    checked: every parameter has a range (low < high) and sets numeric keys of the config; every
    constraint relates two of the parameters."""
    if path is None:
        from importlib import resources

        with resources.as_file(resources.files("sim.conf").joinpath(
                "calibration", "priors.yaml")) as shipped:
            return read_priors(shipped)
    doc = _yaml(path, PRIORS_ALLOWED)

    def wrong(problem: str) -> NoReturn:
        _refuse(path, problem, PRIORS_ALLOWED)

    if not isinstance(doc, dict) or not isinstance(doc.get("parameters"), dict) \
            or not doc["parameters"]:
        wrong("it has no 'parameters' mapping")
    extra = set(doc) - {"parameters", "constraints"}
    if extra:
        wrong(f"it has the unknown section {', '.join(sorted(map(str, extra)))}")
    for name, spec in doc["parameters"].items():
        _check_parameter(str(name), spec, wrong)
    constraints = doc.get("constraints") or {}
    if not isinstance(constraints, dict):
        wrong(f"its constraints are {_shown(constraints)}, not a mapping")
    for name, spec in constraints.items():
        _check_constraint(str(name), spec, set(doc["parameters"]), wrong)
    return doc


def _check_parameter(name: str, spec: Any, wrong) -> None:
    if not NAME.fullmatch(name):
        wrong(f"the parameter name '{name}' is not a name (letters, digits, _)")
    if not isinstance(spec, dict):
        wrong(f"the parameter '{name}' is {_shown(spec)}, not a mapping")
    unknown = set(spec) - PARAMETER_FIELDS
    if unknown:
        wrong(f"the parameter '{name}' has the unknown field {', '.join(sorted(map(str, unknown)))}")
    low, high = spec.get("low"), spec.get("high")
    if not (_is_number(low) and _is_number(high) and math.isfinite(low) and math.isfinite(high)):
        wrong(f"the parameter '{name}' has low {_shown(low)} and high {_shown(high)}, not two "
              "numbers")
    if not low < high:
        wrong(f"the parameter '{name}' has low {low:g} not below high {high:g}")
    keys = spec.get("keys", [name])
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        wrong(f"the parameter '{name}' has keys {_shown(keys)}, not a list of config keys")
    for key in keys:
        if not numeric_setting(key):
            wrong(f"the parameter '{name}' sets '{key}', which is not a number in the config")
    if spec.get("role", "behaviour") not in ROLES:
        wrong(f"the parameter '{name}' has the role {_shown(spec['role'])}")
    if not isinstance(spec.get("integer", False), bool):
        wrong(f"the parameter '{name}' has integer {_shown(spec['integer'])}, not true or false")


def _check_constraint(name: str, spec: Any, parameters: set, wrong) -> None:
    if not isinstance(spec, dict) or set(spec) - CONSTRAINT_FIELDS:
        wrong(f"the constraint '{name}' is not a mapping of {', '.join(sorted(CONSTRAINT_FIELDS))}")
    for end in ("numerator", "denominator"):
        if spec.get(end) not in parameters:
            wrong(f"the constraint '{name}' has the {end} {_shown(spec.get(end))}, not one of "
                  "the parameters")
    at_most = spec.get("at_most")
    if not (_is_number(at_most) and math.isfinite(at_most)):
        wrong(f"the constraint '{name}' has at_most {_shown(at_most)}, not a number")


def numeric_setting(key: str) -> bool:
    """`key` (dotted) names a number of the config schema (sim.core.params.Config)."""
    from ..core.params import Config

    node: Any = Config
    for part in key.split("."):
        if not is_dataclass(node) or part not in {f.name for f in fields(node)}:
            return False
        node = get_type_hints(node)[part]
    return node in (int, float)


DB_ALLOWED = ("the pyabc database (SQLite) of an earlier sim-calibrate run with the same "
              "parameters, e.g. outputs/calibration/abc.db")
SQLITE_HEADER = b"SQLite format 3\x00"
PYABC_TABLES = ("abc_smc", "populations", "models", "particles", "parameters")
RUN_ID = 1  # the run sim-calibrate keeps in its database (it starts each new one in a new file)


def check_calibration_db(path: Path, parameters: list[str]) -> int:
    """The calibration database holds a pyabc run of these parameters with at least one finished
    population; returns the last population's number. Read only: nothing in it is changed."""
    path = Path(path)
    if not path.is_file():
        _refuse(path, "there is no such file" if not path.exists() else "it is a folder",
                DB_ALLOWED)
    with open(path, "rb") as f:
        head = f.read(len(SQLITE_HEADER))
    if head != SQLITE_HEADER:
        _refuse(path, "it is empty" if not head else "it is not an SQLite database", DB_ALLOWED)
    try:
        con = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=ro", uri=True)
    except sqlite3.Error as e:
        _refuse(path, f"it cannot be opened ({e})", DB_ALLOWED)
    try:
        return _last_population(path, con, parameters)
    except sqlite3.DatabaseError as e:
        _refuse(path, f"it cannot be read as a database ({e})", DB_ALLOWED)
    finally:
        con.close()


def _last_population(path: Path, con: sqlite3.Connection, parameters: list[str]) -> int:
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = [t for t in PYABC_TABLES if t not in tables]
    if missing:
        _refuse(path, f"it is an SQLite database but not pyabc's (no table {', '.join(missing)})",
                DB_ALLOWED)
    if con.execute("SELECT count(*) FROM abc_smc WHERE id = ?", (RUN_ID,)).fetchone()[0] == 0:
        _refuse(path, "it holds no calibration run", DB_ALLOWED)
    last = con.execute("SELECT max(t) FROM populations WHERE abc_smc_id = ? AND t >= 0",
                       (RUN_ID,)).fetchone()[0]
    if last is None:
        _refuse(path, "its run has no finished population", DB_ALLOWED)
    names = {r[0] for r in con.execute(
        "SELECT DISTINCT parameters.name FROM parameters "
        "JOIN particles ON parameters.particle_id = particles.id "
        "JOIN models ON particles.model_id = models.id "
        "JOIN populations ON models.population_id = populations.id "
        "WHERE populations.abc_smc_id = ? AND populations.t = ?", (RUN_ID, last))}
    if names != set(parameters):
        others, lacking = sorted(names - set(parameters)), sorted(set(parameters) - names)
        _refuse(path, "its run calibrated other parameters than the priors ("
                      + "; ".join(part for part in (
                          others and f"not in the priors: {_listed(others)}",
                          lacking and f"not in the run: {_listed(lacking)}") if part) + ")",
                DB_ALLOWED)
    return int(last)


IDENTIFICATION_ALLOWED = ("the identification table sim-calibrate writes "
                          "(conf/calibration/identification.csv): CSV with the columns parameter, "
                          "role and identified (True or False)")


def read_identification(path: Path) -> "pd.DataFrame":
    """The calibration's identification table (what the validation summary counts)."""
    import pandas as pd

    _text(path, IDENTIFICATION_ALLOWED)  # there, and text
    try:
        table = pd.read_csv(path)
    except (ValueError, pd.errors.ParserError) as e:
        _refuse(path, f"it is not a CSV table ({_first_line(e)})", IDENTIFICATION_ALLOWED)
    missing = [c for c in ("parameter", "role", "identified") if c not in table]
    if missing:
        _refuse(path, f"it has no column {', '.join(missing)}", IDENTIFICATION_ALLOWED)
    if table["identified"].dtype != bool:
        _refuse(path, "its column identified holds other values than True and False",
                IDENTIFICATION_ALLOWED)
    return table
