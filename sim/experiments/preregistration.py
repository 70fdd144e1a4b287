"""The checks' pre-registration (seeds/preregistration.yaml): the record read and checked, the one
statement of a rule (`meets`), the declared inputs' values written into it (`stamp`), and each
check's standing against the copy sim-calibrate keeps beside the posterior it wrote (`status`).

A check is a figure never used in fitting, declared before the fit with the model's reading of it,
the rule that decides it (judged on the posterior-predictive median over the draws) and the config
keys it depends on that the calibration does not set (`inputs`). A check counts for a posterior
only when

- the copy of the record sim-calibrate wrote with that posterior
  (conf/calibration/preregistration_at_fit.yaml) declares it identically: id, metric, rule and
  inputs with their values (`declaration`); and
- the config's values of those inputs are still the recorded ones.

Otherwise it is shown, with its status, and not counted as met or missed. `spent` figures had
their inputs set with them in view: they can never be checks again.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn, get_type_hints

import yaml

from ..core.params import Config
from . import targets
from .input_files import _is_number, _refuse, _shown, _yaml
from .run_files import atomic_write

FILE = "preregistration.yaml"  # in seeds/ (the package's sim.seeds)
AT_FIT = "preregistration_at_fit.yaml"  # in conf/calibration/, written by sim-calibrate

# rule kind -> its fields (numbers): `within` a relative tolerance of a value, a bound, a band
# [low, high) (low inclusive, high exclusive)
RULE_KINDS = {"within": ("value", "tolerance"), "at_most": ("value",), "at_least": ("value",),
              "band": ("low", "high")}
JUDGED_BY = "median"

PREREGISTERED = "preregistered"
NOT_DECLARED = "not declared before the fit"
INPUTS_CHANGED = "inputs changed after declaration"
STATES = (PREREGISTERED, NOT_DECLARED, INPUTS_CHANGED)

# the record's fields in the order it is written (`stamp`): required, then optional
TOP = ("declared", "judged_by", "checks", "spent")
CHECK_FIELDS = ("id", "metric", "reading", "rule", "why", "inputs", "history")
CHECK_REQUIRED = ("id", "metric", "reading", "rule", "why", "inputs")
HISTORY_FIELDS = ("reading", "posterior", "verdict")
HISTORY_REQUIRED = ("reading", "verdict")
SPENT_FIELDS = ("id", "metric", "first_reading", "first_verdict", "later_reading", "why_spent")

ALLOWED = ("the pre-registration record in the layout of seeds/preregistration.yaml: 'declared' "
           "(a date), 'judged_by: median', 'checks' (a list of id, metric, reading, rule, why, "
           "inputs and an optional history) and 'spent' (a list of id, metric, first_reading, "
           "first_verdict, later_reading, why_spent)")
RULES_ALLOWED = "rule kinds " + ", ".join(f"{k} ({', '.join(v)})" for k, v in RULE_KINDS.items())


# ---- the rule --------------------------------------------------------------------------------
def meets(rule: dict, median: float) -> bool:
    """Whether `median` meets the rule: `within` a relative `tolerance` of `value` (its edges
    included), `at_most` / `at_least` a `value` (the value included), in the `band` [low, high)
    (low included, high not). An undefined median (NaN) meets no rule."""
    if median is None or not math.isfinite(median):
        return False
    kind = rule["kind"]
    if kind == "within":
        return abs(median - rule["value"]) / abs(rule["value"]) <= rule["tolerance"]
    if kind == "at_most":
        return median <= rule["value"]
    if kind == "at_least":
        return median >= rule["value"]
    if kind == "band":
        return rule["low"] <= median < rule["high"]
    raise ValueError(f"unknown rule kind {kind!r}; allowed: {', '.join(RULE_KINDS)}")


def _number(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:g}"


def describe(rule: dict) -> str:
    """The rule in words and symbols, e.g. `1.0058 ± 0.5%`, `<= 5,013`, `[0.3, 0.4)`."""
    kind = rule["kind"]
    if kind == "within":
        return f"{_number(rule['value'])} ± {100 * rule['tolerance']:g}%"
    if kind == "at_most":
        return f"<= {_number(rule['value'])}"
    if kind == "at_least":
        return f">= {_number(rule['value'])}"
    return f"[{_number(rule['low'])}, {_number(rule['high'])})"


# ---- reading the record ----------------------------------------------------------------------
def source() -> Path:
    """The record shipped with the package (seeds/preregistration.yaml)."""
    with resources.as_file(resources.files("sim.seeds").joinpath(FILE)) as path:
        return Path(path)


def at_fit_source() -> Path:
    """Where sim-calibrate keeps the record's copy beside the shipped posterior."""
    with resources.as_file(resources.files("sim.conf").joinpath("calibration", AT_FIT)) as path:
        return Path(path)


def read(path: Path | None = None, against_figures: bool = True) -> dict:
    """The record, checked (a malformed entry is an InputError naming it and what is allowed).
    With `against_figures`, every check must be a figure of kind `check` and every spent figure
    one of kind `spent` in seeds/figures.yaml or seeds/evidence.yaml, with the same metric."""
    path = source() if path is None else Path(path)
    record = check(_yaml(path, ALLOWED), path)
    if against_figures:
        _check_against_figures(record, path)
    return record


def read_at_fit(path: Path | None = None) -> dict | None:
    """The copy of the record sim-calibrate wrote with the shipped posterior, or None when there
    is none (a posterior fitted before the record, or without it). Checked as the record is,
    except against today's figures: it is what was declared then."""
    path = at_fit_source() if path is None else Path(path)
    if not path.exists():
        return None
    return read(path, against_figures=False)


def check(doc: Any, path: Path | str = FILE) -> dict:
    """The record `doc` (parsed YAML) checked against the layout; returned as it is."""
    def wrong(problem: str, allowed: str = ALLOWED) -> NoReturn:
        _refuse(path, problem, allowed)

    if not isinstance(doc, dict):
        wrong(f"it holds {_shown(doc)}, not a mapping")
    unknown = [str(k) for k in doc if k not in TOP]
    if unknown:
        wrong(f"it has the unknown section '{unknown[0]}'", f"the sections {', '.join(TOP)}")
    if not isinstance(doc.get("declared"), date):
        wrong(f"its 'declared' is {_shown(doc.get('declared'))}, not a date",
              "a date such as 2026-12-08")
    if doc.get("judged_by") != JUDGED_BY:
        wrong(f"its 'judged_by' is {_shown(doc.get('judged_by'))}",
              f"judged_by: {JUDGED_BY} (the posterior-predictive median decides)")
    for section in ("checks", "spent"):
        if not isinstance(doc.get(section, []), list):
            wrong(f"its '{section}' is {_shown(doc[section])}, not a list")
    if not doc.get("checks"):
        wrong("it has no 'checks'", "a list of at least one check")
    seen: set[str] = set()
    for k, entry in enumerate(doc["checks"]):
        _check_entry(entry, f"checks[{k}]", CHECK_FIELDS, CHECK_REQUIRED, seen, wrong)
        name = f"the check '{entry['id']}'"
        _check_rule(entry["rule"], name, wrong)
        _check_inputs(entry["inputs"], name, wrong)
        history = entry.get("history", [])
        if not isinstance(history, list):
            wrong(f"{name} has the history {_shown(history)}, not a list",
                  "a list of earlier readings (reading, optional posterior, verdict)")
        for j, row in enumerate(history):
            _check_entry(row, f"{name}'s history[{j}]", HISTORY_FIELDS, HISTORY_REQUIRED, None,
                         wrong)
    for k, entry in enumerate(doc.get("spent", [])):
        _check_entry(entry, f"spent[{k}]", SPENT_FIELDS, SPENT_FIELDS, seen, wrong)
    return doc


def _check_entry(entry: Any, where: str, allowed: tuple, required: tuple, seen: set | None,
                 wrong) -> None:
    """A mapping of the allowed fields with every required one; texts where texts belong; ids
    unique across the checks and the spent figures."""
    fields_allowed = f"the fields {', '.join(allowed)} ({', '.join(required)} required)"
    if not isinstance(entry, dict):
        wrong(f"{where} is {_shown(entry)}, not a mapping", fields_allowed)
    name = f"the entry '{entry['id']}'" if isinstance(entry.get("id"), str) else where
    unknown = [str(k) for k in entry if k not in allowed]
    if unknown:
        wrong(f"{name} has the unknown field '{unknown[0]}'", fields_allowed)
    missing = [f for f in required if f not in entry]
    if missing:
        wrong(f"{name} has no '{missing[0]}'", fields_allowed)
    for key in ("id", "metric", "reading", "why", "first_reading", "first_verdict",
                "later_reading", "why_spent", "verdict", "posterior"):
        if key in entry and key in allowed and not (isinstance(entry[key], str) and entry[key]):
            wrong(f"{name} has the {key} {_shown(entry[key])}, not a text", fields_allowed)
    if seen is not None:
        if entry["id"] in seen:
            wrong(f"the id '{entry['id']}' is declared twice",
                  "each figure once, as a check or as spent")
        seen.add(entry["id"])


def _check_rule(rule: Any, name: str, wrong) -> None:
    if not isinstance(rule, dict) or rule.get("kind") not in RULE_KINDS:
        kind = rule.get("kind") if isinstance(rule, dict) else rule
        wrong(f"{name} has the rule kind {_shown(kind)}", RULES_ALLOWED)
    kind = rule["kind"]
    wanted = RULE_KINDS[kind]
    unknown = [str(k) for k in rule if k != "kind" and k not in wanted]
    if unknown:
        wrong(f"{name}'s rule '{kind}' has the unknown field '{unknown[0]}'",
              f"for {kind}: {', '.join(wanted)}")
    for key in wanted:
        value = rule.get(key)
        if not (_is_number(value) and math.isfinite(value)):
            wrong(f"{name}'s rule '{kind}' has the {key} {_shown(value)}, not a number",
                  f"for {kind}: {', '.join(wanted)}, each a finite number")
    if kind == "within" and not (rule["tolerance"] > 0 and rule["value"] != 0):
        wrong(f"{name}'s rule 'within' has the value {rule['value']:g} and the tolerance "
              f"{rule['tolerance']:g}", "a value other than 0 and a tolerance above 0 (relative)")
    if kind == "band" and not rule["low"] < rule["high"]:
        wrong(f"{name}'s rule 'band' has low {rule['low']:g} not below high {rule['high']:g}",
              "a band [low, high) with low below high")


def _check_inputs(inputs: Any, name: str, wrong) -> None:
    allowed = ("a list of config keys (dotted, e.g. scenario.disruption, policy.training), or the "
               "same keys mapped to their values as `sim-validate --stamp` writes them")
    if isinstance(inputs, dict):
        keys = list(inputs)
    elif isinstance(inputs, list):
        keys = inputs
        if len(set(map(str, keys))) != len(keys):
            wrong(f"{name} lists an input twice", allowed)
    else:
        wrong(f"{name} has the inputs {_shown(inputs)}", allowed)
    for key in keys:
        if not (isinstance(key, str) and config_key(key)):
            wrong(f"{name} has the input {_shown(key)}, which is not a key of the config", allowed)


def config_key(key: str) -> bool:
    """`key` (dotted) names a setting of the config schema (sim.core.params.Config), at any
    depth: a group (policy.training) or one value (policy.training.wage_premium)."""
    node: Any = Config
    for part in key.split("."):
        if not is_dataclass(node) or part not in {f.name for f in fields(node)}:
            return False
        node = get_type_hints(node)[part]
    return True


def _check_against_figures(record: dict, path: Path) -> None:
    figures = {f["id"]: f for f in targets.compared()}
    for section, kind in (("checks", "check"), ("spent", "spent")):
        for entry in record.get(section, []):
            f = figures.get(entry["id"])
            if f is None or f["kind"] != kind:
                ids = sorted(i for i, g in figures.items() if g["kind"] == kind)
                _refuse(path, f"its {section} list '{entry['id']}', which is not a figure of kind "
                              f"{kind} in seeds/figures.yaml or seeds/evidence.yaml",
                        f"the figures of kind {kind}: {', '.join(ids)}")
            if f["metric"] != entry["metric"]:
                _refuse(path, f"the entry '{entry['id']}' has the metric '{entry['metric']}', the "
                              f"figure's is '{f['metric']}'", "the figure's own metric")


# ---- the declared inputs' values -------------------------------------------------------------
def plain(value: Any) -> Any:
    """A config value as plain YAML data: dataclasses as mappings, tuples as lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # a numpy scalar
        return value.item()
    return value


def config_value(cfg: Config, key: str) -> Any:
    """The value of a dotted key of the config, as plain YAML data."""
    node: Any = cfg
    for part in key.split("."):
        node = getattr(node, part)
    return plain(node)


def stamped(record: dict, cfg: Config) -> dict:
    """The record with every check's `inputs` mapping each listed key to its value in `cfg`."""
    checks = [{**c, "inputs": {key: config_value(cfg, key) for key in c["inputs"]}}
              for c in record["checks"]]
    return {**record, "checks": checks}


def stamp(cfg: Config, path: Path | None = None) -> dict:
    """Write into the record (seeds/preregistration.yaml by default), for every check, the values
    its inputs have in `cfg`; the comments at the top of the file are kept. Returns the record."""
    path = source() if path is None else Path(path)
    record = stamped(read(path, against_figures=False), cfg)
    text = path.read_text(encoding="utf-8")
    atomic_write(path, lambda tmp: Path(tmp).write_text(dump(record, text), encoding="utf-8"))
    return record


def _ordered(entry: dict, order: tuple) -> dict:
    return {k: entry[k] for k in order if k in entry}


class _Block(dict):
    """A mapping always written in block style (a check's inputs: one key a line)."""


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key; short collections of plain values (a rule, a list of
    numbers, a month-by-month setting) on one line, everything else in block style."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _short(values) -> bool:
    return all(isinstance(v, (int, float, bool, type(None))) or (isinstance(v, str) and len(v) <= 40)
               for v in values)


def _represent_dict(dumper, data):
    flow = not isinstance(data, _Block) and _short(data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _represent_list(dumper, data):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=_short(data))


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(_Block, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def dump(record: dict, original: str = "") -> str:
    """The record as YAML in a stable order (sections, then each entry's fields in the layout's
    order); the comment block at the top of `original` and the comments after its top-level
    values are kept, and a blank line separates the entries."""
    doc = _ordered(record, TOP)
    doc["checks"] = [{**_ordered(c, CHECK_FIELDS),
                      "rule": _ordered(c["rule"], ("kind",) + RULE_KINDS[c["rule"]["kind"]]),
                      "inputs": (_Block(c["inputs"]) if isinstance(c["inputs"], dict)
                                 else c["inputs"]),
                      **({"history": [_Block(_ordered(h, HISTORY_FIELDS)) for h in c["history"]]}
                         if "history" in c else {})}
                     for c in record["checks"]]
    if "spent" in record:
        doc["spent"] = [_Block(_ordered(s, SPENT_FIELDS)) for s in record["spent"]]
    body = yaml.dump(_Block(doc), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=100_000)
    lines = original.splitlines()
    header = []
    for line in lines:
        if line.strip() and not line.startswith("#"):
            break
        header.append(line)
    comments = dict(m.groups() for m in map(re.compile(r"^(\w+):.*?(\s+#.*)$").match, lines) if m)
    out = []
    for line in body.splitlines():
        key = line.split(":", 1)[0]
        if not line.startswith((" ", "-")) and key in comments:
            line += comments[key]
        if (line.startswith("  - id: ") and out and out[-1] not in ("checks:", "spent:")) \
                or (line in ("checks:", "spent:")):
            out.append("")
        out.append(line)
    return "\n".join(header + out) + "\n"


# ---- standing against the fit ----------------------------------------------------------------
@dataclass(frozen=True)
class Status:
    """A check's standing for the posterior: one of STATES, with what is behind it."""

    state: str
    detail: str = ""
    changed: tuple[str, ...] = ()

    @property
    def counted(self) -> bool:
        return self.state == PREREGISTERED


def declaration(check: dict) -> dict:
    """What a check declares: its id, metric, rule, and inputs with their values."""
    return {"id": check["id"], "metric": check["metric"], "rule": dict(check["rule"]),
            "inputs": check["inputs"]}


def status(record_now: dict, record_at_fit: dict | None, cfg: Config) -> dict[str, Status]:
    """Each check of `record_now` (id -> Status): `preregistered` when the at-fit copy declares it
    identically and `cfg` still gives its inputs the recorded values; `not declared before the
    fit` when there is no at-fit copy, the check is missing from it, differs there, or its
    inputs' values were never recorded; `inputs changed after declaration` naming the keys whose
    values in `cfg` differ from the recorded ones."""
    at_fit = {c["id"]: c for c in (record_at_fit or {}).get("checks", [])}
    out = {}
    for c in record_now["checks"]:
        before = at_fit.get(c["id"])
        if record_at_fit is None:
            out[c["id"]] = Status(NOT_DECLARED, "the posterior was fitted without a copy of the "
                                                "record (conf/calibration/" + AT_FIT + ")")
        elif before is None:
            out[c["id"]] = Status(NOT_DECLARED, "not in the record the posterior was fitted with")
        elif declaration(before) != declaration(c):
            differ = [k for k in ("metric", "rule", "inputs")
                      if declaration(before)[k] != declaration(c)[k]]
            out[c["id"]] = Status(NOT_DECLARED, "declared otherwise when the posterior was fitted "
                                                f"({', '.join(differ)})")
        elif not isinstance(c["inputs"], dict):
            out[c["id"]] = Status(NOT_DECLARED, "its inputs' values were not recorded "
                                                "(sim-validate --stamp)")
        else:
            changed = tuple(k for k, v in c["inputs"].items() if config_value(cfg, k) != v)
            out[c["id"]] = (Status(INPUTS_CHANGED, "changed: " + ", ".join(changed), changed)
                            if changed else Status(PREREGISTERED))
    return out
