"""The checks' pre-registration (seeds/preregistration.yaml, sim.experiments.preregistration): one
statement of each rule, judged on the median; a check counts only when its declaration at the fit
is the one in force and its inputs are unchanged; a malformed record is refused by name; stamping
the inputs' values keeps the file's comments and round-trips."""

from __future__ import annotations

import copy
import shutil
from dataclasses import replace

import pytest
import yaml

from sim.core.validation import InputError
from sim.experiments import preregistration as prereg
from sim.experiments import targets
from sim.experiments.compose import load

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def cfg():
    return load([])


@pytest.fixture
def record():
    return copy.deepcopy(prereg.read())


# ---- the rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rule, median, met", [
    # within a relative tolerance of a value: both edges included
    ({"kind": "within", "value": 100.0, "tolerance": 0.05}, 100.0, True),
    ({"kind": "within", "value": 100.0, "tolerance": 0.05}, 105.0, True),
    ({"kind": "within", "value": 100.0, "tolerance": 0.05}, 95.0, True),
    ({"kind": "within", "value": 100.0, "tolerance": 0.05}, 105.001, False),
    ({"kind": "within", "value": 100.0, "tolerance": 0.05}, 94.999, False),
    ({"kind": "within", "value": -2.0, "tolerance": 0.5}, -3.0, True),  # relative to |value|
    ({"kind": "within", "value": -2.0, "tolerance": 0.5}, -3.01, False),
    # bounds: the value itself meets them
    ({"kind": "at_most", "value": 5013}, 5013.0, True),
    ({"kind": "at_most", "value": 5013}, 5012.99, True),
    ({"kind": "at_most", "value": 5013}, 5013.01, False),
    ({"kind": "at_least", "value": 0.95}, 0.95, True),
    ({"kind": "at_least", "value": 0.95}, 0.9501, True),
    ({"kind": "at_least", "value": 0.95}, 0.9499, False),
    # a band [low, high): low included, high not
    ({"kind": "band", "low": 0.30, "high": 0.40}, 0.30, True),
    ({"kind": "band", "low": 0.30, "high": 0.40}, 0.2999, False),
    ({"kind": "band", "low": 0.30, "high": 0.40}, 0.3999, True),
    ({"kind": "band", "low": 0.30, "high": 0.40}, 0.40, False),
    # an undefined median meets nothing
    ({"kind": "band", "low": 0.30, "high": 0.40}, float("nan"), False),
    ({"kind": "at_most", "value": 5013}, float("nan"), False),
])
def test_each_rule_kind_at_and_around_its_edges(rule, median, met):
    assert prereg.meets(rule, median) is met


def test_the_record_and_the_figures_state_the_same_rule():
    """The record's rule and the figure's own value, bound or band agree, so that a single run's
    fit table and sim-validate speak of the same figure; every check is a figure of kind check and
    every such figure is declared."""
    figures = {f["id"]: f for f in targets.compared()}
    record = prereg.read()
    assert {c["id"] for c in record["checks"]} == {i for i, f in figures.items()
                                                   if f["kind"] == "check"}
    assert {s["id"] for s in record["spent"]} == {"E3", "N3"}
    assert all(figures[s["id"]]["kind"] == "spent" for s in record["spent"])
    for c in record["checks"]:
        f, rule = figures[c["id"]], c["rule"]
        if rule["kind"] == "band":
            assert f["bound"] == "band" and f["band"] == [rule["low"], rule["high"]], c["id"]
        elif rule["kind"] == "within":
            assert not f.get("bound") and f["value"] == rule["value"], c["id"]
            assert f["tolerance"] == rule["tolerance"], c["id"]
        else:
            assert f["bound"] == {"at_most": "upper", "at_least": "lower"}[rule["kind"]], c["id"]
            assert f["value"] == rule["value"], c["id"]


def test_the_shipped_record_holds_the_baselines_values_of_its_inputs(cfg):
    """Stamped (sim-validate --stamp) before any refit: every check's inputs carry the values the
    baseline has. A changed default fails here: a check's input changed after its declaration."""
    record = prereg.read()
    assert all(isinstance(c["inputs"], dict) and c["inputs"] for c in record["checks"])
    statuses = prereg.status(record, record, cfg)
    assert {k: s.state for k, s in statuses.items()} == {c["id"]: prereg.PREREGISTERED
                                                         for c in record["checks"]}


# ---- status --------------------------------------------------------------------------------------


def test_status_says_which_checks_were_declared_before_the_fit(record, cfg):
    now = prereg.stamped(record, cfg)
    # identical declaration, the config's values as recorded
    assert all(s.state == prereg.PREREGISTERED and s.counted
               for s in prereg.status(now, copy.deepcopy(now), cfg).values())
    # no copy at the fit (a posterior fitted before the record): none counts
    assert all(s.state == prereg.NOT_DECLARED and not s.counted and prereg.AT_FIT in s.detail
               for s in prereg.status(now, None, cfg).values())
    # the at-fit copy declared T9 otherwise (another band), N4 not at all
    at_fit = copy.deepcopy(now)
    at_fit["checks"][0]["rule"]["high"] = 0.45
    at_fit["checks"] = [c for c in at_fit["checks"] if c["id"] != "N4"]
    statuses = prereg.status(now, at_fit, cfg)
    assert statuses["T9"].state == prereg.NOT_DECLARED and "rule" in statuses["T9"].detail
    assert statuses["N4"].state == prereg.NOT_DECLARED
    assert statuses["M6a"].state == prereg.PREREGISTERED
    # a recorded input value that differs at the fit is a different declaration
    at_fit = copy.deepcopy(now)
    at_fit["checks"][2]["inputs"]["wages.out_of_province"] = 4800.0
    assert prereg.status(now, at_fit, cfg)["M6a"].state == prereg.NOT_DECLARED


def test_an_input_changed_in_the_config_after_declaration_is_named(record, cfg):
    now = prereg.stamped(record, cfg)
    changed = replace(cfg, wages=replace(cfg.wages, out_of_province=5500.0))
    statuses = prereg.status(now, copy.deepcopy(now), changed)
    assert statuses["M6a"].state == prereg.INPUTS_CHANGED and not statuses["M6a"].counted
    assert statuses["M6a"].changed == ("wages.out_of_province",)
    assert "wages.out_of_province" in statuses["M6a"].detail
    assert statuses["M6b"].state == statuses["N10"].state == prereg.PREREGISTERED
    # a value inside a group the check lists (policy.training) counts as a change of the group
    trained = replace(cfg, policy=replace(cfg.policy, training=replace(cfg.policy.training,
                                                                       months=[3, 4, 5])))
    statuses = prereg.status(now, copy.deepcopy(now), trained)
    assert statuses["T9"].changed == ("policy.training",)
    assert statuses["M6a"].state == prereg.PREREGISTERED  # lists policy.training.wage_premium


def test_a_record_without_the_inputs_values_is_not_a_declaration(record, cfg):
    """Keys listed without their values (never stamped) cannot show that the inputs are unchanged."""
    bare = _unstamped(record)
    assert all(s.state == prereg.NOT_DECLARED and "not recorded" in s.detail
               for s in prereg.status(bare, copy.deepcopy(bare), cfg).values())


def _unstamped(record: dict) -> dict:
    return {**record, "checks": [{**c, "inputs": list(c["inputs"])} for c in record["checks"]]}


# ---- stamp ---------------------------------------------------------------------------------------


def test_stamp_writes_the_values_keeps_the_comments_and_round_trips(tmp_path, cfg):
    path = tmp_path / "preregistration.yaml"
    shutil.copyfile(prereg.source(), path)
    original = path.read_text(encoding="utf-8")
    path.write_text(prereg.dump(_unstamped(prereg.read(path)), original), encoding="utf-8")
    prereg.stamp(cfg, path)
    text = path.read_text(encoding="utf-8")
    header = [line for line in original.splitlines() if line.startswith("#")]
    assert text.splitlines()[:len(header)] == header  # the comment block at the top
    assert "judged_by: median  # a value" in text  # and the comment beside a top-level value
    stamped = prereg.read(path)
    assert stamped["checks"][2]["inputs"]["wages.out_of_province"] == cfg.wages.out_of_province
    assert stamped["checks"][0]["inputs"]["policy.training"]["months"] == cfg.policy.training.months
    assert all(s.state == prereg.PREREGISTERED
               for s in prereg.status(stamped, prereg.read(path), cfg).values())
    # everything but the inputs as it was; stamping again changes nothing
    assert _unstamped(stamped) == _unstamped(prereg.read(prereg.source()))
    prereg.stamp(cfg, path)
    assert path.read_text(encoding="utf-8") == text


# ---- a malformed record ------------------------------------------------------------------------


def _edit(change):
    def edit(doc):
        change(doc)
        return doc
    edit.__name__ = change.__name__
    return edit


def unknown_rule_kind(doc):
    doc["checks"][0]["rule"] = {"kind": "between", "low": 0.3, "high": 0.4}


def band_upside_down(doc):
    doc["checks"][0]["rule"] = {"kind": "band", "low": 0.4, "high": 0.3}


def tolerance_zero(doc):
    doc["checks"][1]["rule"]["tolerance"] = 0


def rule_value_text(doc):
    doc["checks"][2]["rule"]["value"] = "5013 yuan"


def rule_extra_field(doc):
    doc["checks"][2]["rule"]["tolerance"] = 0.1


def no_metric(doc):
    del doc["checks"][1]["metric"]


def unknown_field(doc):
    doc["checks"][1]["verdict"] = "met"


def unknown_input(doc):
    doc["checks"][1]["inputs"] = ["scenario.disruptions"]


def inputs_text(doc):
    doc["checks"][1]["inputs"] = "scenario.disruption"


def twice(doc):
    doc["checks"].append(copy.deepcopy(doc["checks"][0]))


def spent_as_check(doc):
    doc["checks"].append({**copy.deepcopy(doc["checks"][0]), "id": "E3"})
    doc["spent"] = doc["spent"][1:]


def not_a_check_figure(doc):
    doc["checks"][0]["id"] = "T2"


def other_metric(doc):
    doc["checks"][0]["metric"] = "in_work"


def judged_by_interval(doc):
    doc["judged_by"] = "interval"


def history_without_verdict(doc):
    del doc["checks"][0]["history"][0]["verdict"]


def spent_without_reason(doc):
    del doc["spent"][0]["why_spent"]


def no_date(doc):
    doc["declared"] = "soon"


@pytest.mark.hostile
@pytest.mark.parametrize("change, words", [
    (unknown_rule_kind, ("'T9'", "rule kind", "between", "allowed: rule kinds within (value, "
                         "tolerance), at_most (value), at_least (value), band (low, high)")),
    (band_upside_down, ("'T9'", "low 0.4 not below high 0.3", "allowed:")),
    (tolerance_zero, ("'N4'", "tolerance 0", "allowed:", "tolerance above 0")),
    (rule_value_text, ("'M6a'", "value", "5013 yuan", "not a number", "allowed: for at_most: value")),
    (rule_extra_field, ("'M6a'", "unknown field 'tolerance'", "allowed: for at_most: value")),
    (no_metric, ("'N4'", "no 'metric'", "allowed: the fields id, metric")),
    (unknown_field, ("'N4'", "unknown field 'verdict'", "allowed: the fields")),
    (unknown_input, ("'N4'", "scenario.disruptions", "not a key of the config", "allowed:")),
    (inputs_text, ("'N4'", "inputs", "allowed: a list of config keys")),
    (twice, ("'T9'", "declared twice", "allowed:")),
    (spent_as_check, ("'E3'", "not a figure of kind check", "allowed: the figures of kind check")),
    (not_a_check_figure, ("'T2'", "kind check", "allowed: the figures of kind check: M6a")),
    (other_metric, ("'T9'", "metric 'in_work'", "trained_employed_share", "allowed:")),
    (judged_by_interval, ("judged_by", "interval", "allowed: judged_by: median")),
    (history_without_verdict, ("history[0]", "no 'verdict'", "allowed: the fields reading")),
    (spent_without_reason, ("'E3'", "no 'why_spent'", "allowed:")),
    (no_date, ("declared", "soon", "not a date", "allowed:")),
], ids=lambda x: getattr(x, "__name__", ""))
def test_a_malformed_record_is_refused_naming_the_field(tmp_path, change, words):
    doc = yaml.safe_load(prereg.source().read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / "preregistration.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as e:
        prereg.read(path)
    message = str(e.value)
    assert message.startswith(f"Cannot read '{path}': ")
    for word in words:
        assert word in message, (word, message)


@pytest.mark.hostile
@pytest.mark.parametrize("content, words", [
    ("", ("not a mapping",)),
    ("checks: [\n", ("not YAML",)),
    ("- 1\n- 2\n", ("not a mapping",)),
    ("declared: 2026-12-08\njudged_by: median\n", ("no 'checks'",)),
    ("declared: 2026-12-08\njudged_by: median\nchecks: []\nnotes: x\n", ("unknown section 'notes'",)),
])
def test_a_garbled_record_is_refused(tmp_path, content, words):
    path = tmp_path / "preregistration.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="allowed:") as e:
        prereg.read(path)
    assert all(w in str(e.value) for w in words), str(e.value)
