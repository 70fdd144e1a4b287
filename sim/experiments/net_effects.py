"""Net effects: what a lever adds, less what other work loses (docs/MODEL.md 2.10).

A lever that adds work in its own status can draw workers out of other work: a public-welfare
post taken by someone who would have worked away adds a post-holder and loses a migrant. Every
effect table therefore shows, beside the change in people in work in December, the change in
work over the year by status, pair by pair (the same seeds and posterior draws, as every paired
effect, `sim.experiments.paired_effects`):

- `in_work_change`: people in work in December;
- `net_job_months`: person-months in work over the year, all work (the net change);
- `gross_job_months`: person-months in the levers' own statuses (`OWN_STATUSES`): what they add;
- `displaced_job_months`: person-months the other working statuses lose (their change with the
  sign turned: positive is a loss), so that net = gross - displaced;
- `job_months_<status>_change`: each working status, the displacement by status;
- `wage_income_change`: total wage income over the year (yuan, all work: it already counts the
  pay of the work that is lost);
- `cost_change`: public cost over the year (yuan);
- `cost_per_net_job_year`: cost_change / (net_job_months / 12), the ratio of the mean changes;
  undefined where the net change is not positive. Its interval is the 5th-95th percentile of the
  per-pair ratio (a pair with no net gain has no finite cost per net job-year and counts as
  unbounded), not a ratio of the ends of two intervals.

Each column's interval comes from `paired_effects._intervals`, the function of every other effect
(the 5th-95th percentile over posterior draws and seeds, or the t-interval of the mean over seeds).

Effects are given in the levers' direction: what having more of the levers adds. A grid's setting
against the grid's corner is `setting - reference`; an ablation's 'training off' against 'every
lever on' is `reference - setting` (what training adds); `direction` says which. Where the
comparison changes something other than levers (a scenario, a disruption), or levers in both
directions, or levers without own statuses, there is no own status, and the table shows the
changes by status only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.params import LEVERS
from .paired_effects import (PREFIX, _intervals, paired_differences, resolve_reference,
                             yearly_differences)

# the working statuses in the model's order (sim.core.population.WORKING; a test holds them equal)
WORKING = ("out_of_province", "in_province", "local_job", "workshop", "public_welfare")
MIGRANT = ("out_of_province", "in_province")
WAGE_WORK = ("out_of_province", "in_province", "local_job", "workshop")  # posts are not wage work
# each lever's own statuses: the work it adds directly (docs/MODEL.md 3.4). The hiring subsidy
# raises local firms' room only (3.4.4), so its own status is the local wage job; clearing places
# members in posts, then workshops (3.4.16); monitoring places nobody (it identifies households)
OWN_STATUSES: dict[str, tuple[str, ...]] = {
    "training": WAGE_WORK,
    "referral": MIGRANT,
    "transport": MIGRANT,
    "workshops": ("workshop",),
    "hiring_subsidy": ("local_job",),
    "public_welfare": ("public_welfare",),
    "startup_loans": ("local_job",),
    "labour_brands": MIGRANT,
    "zero_employment": ("public_welfare", "workshop"),
    "monitoring": (),
}
# what a run is, not what it simulates: a difference in these is no change of the comparison
RUN_KEYS = ("seed", "posterior_draw", "replicates", "ensemble", "quiet", "existing_results",
            "fitted_for_labour_force", "scenario.name", "experiment")
STATUS_MONTHS = tuple(f"job_months_{s}" for s in WORKING)
# the run's figures a net effect is computed from (with the December count and the cost)
NEEDED = ("job_months", *STATUS_MONTHS, "wage_income")
UNDEFINED = "undefined: the net change is not positive"
LEVEL = (0.05, 0.95)


@dataclass(frozen=True)
class Change:
    """What a comparison changes: the levers, the direction that adds them (+1: setting -
    reference, -1: reference - setting) and their own statuses (none: show by status only)."""
    levers: tuple[str, ...] = ()
    sign: float = 1.0
    own: tuple[str, ...] = ()


def _amounts(key: str, value: str) -> dict[str, float] | None:
    """How much of each lever a config value sets (1 on, 0 off, or the scale); None where the
    key is not a lever's switch or scale (then the comparison is not one of levers)."""
    value = str(value).strip().strip('"').lower()
    if key == "ablation":
        off = set(LEVERS) if value == "all" else set() if value == "none" else {value}
        return {lever: 0.0 if lever in off else 1.0 for lever in LEVERS} if off <= set(LEVERS) \
            else None
    parts = key.split(".")
    if len(parts) != 3 or parts[0] != "policy" or parts[1] not in LEVERS:
        return None
    if parts[2] == "enabled" and value in ("true", "false"):
        return {parts[1]: float(value == "true")}
    if parts[2] == "scale":
        try:
            return {parts[1]: float(value)}
        except ValueError:
            return None
    return None


def lever_change(changes: dict[str, tuple[str, str]]) -> Change:
    """The Change of a comparison from the keys that differ: key (a sweep's override, or a
    config's dotted key) -> (the setting's value, the reference's value)."""
    setting = dict.fromkeys(LEVERS, 1.0)
    reference = dict.fromkeys(LEVERS, 1.0)
    other = False
    for key, (a, b) in changes.items():
        key = key.removeprefix(PREFIX).lstrip("+~")
        if key in RUN_KEYS or str(a) == str(b):
            continue
        mine, theirs = _amounts(key, a), _amounts(key, b)
        if mine is None or theirs is None:
            other = True
            continue
        for lever, v in mine.items():
            setting[lever] *= v
        for lever, v in theirs.items():
            reference[lever] *= v
    levers = tuple(lever for lever in LEVERS if setting[lever] != reference[lever])
    signs = {math.copysign(1.0, setting[lever] - reference[lever]) for lever in levers}
    if other or len(signs) != 1:
        return Change(levers, 1.0, ())
    own = {s for lever in levers for s in OWN_STATUSES[lever]}
    lacks = any(not OWN_STATUSES[lever] for lever in levers)
    own_statuses = () if lacks or own == set(WORKING) else tuple(s for s in WORKING if s in own)
    return Change(levers, signs.pop(), own_statuses)


def per_pair(diff: pd.DataFrame, change: Change, december: str = "in_work",
             cost: str = "cost_total") -> pd.DataFrame:
    """The net-effect columns of each pair from its paired differences (setting - reference),
    turned to the levers' direction."""
    s = change.sign
    out = pd.DataFrame(index=diff.index)
    out["in_work_change"] = s * diff[december]
    out["net_job_months"] = s * diff["job_months"]
    if change.own:
        others = [x for x in WORKING if x not in change.own]
        out["gross_job_months"] = s * diff[[f"job_months_{x}" for x in change.own]].sum(axis=1)
        out["displaced_job_months"] = -s * diff[[f"job_months_{x}" for x in others]].sum(axis=1)
    for x in WORKING:
        out[f"job_months_{x}_change"] = s * diff[f"job_months_{x}"]
    out["wage_income_change"] = s * diff["wage_income"]
    out["cost_change"] = s * diff[cost]
    return out


def quantile(values: np.ndarray, q: float) -> float:
    """The q-quantile with linear interpolation (numpy's default) where values may be +inf:
    a quantile that reaches an unbounded value is unbounded (numpy's interpolation gives NaN
    there, from inf - inf)."""
    x = np.sort(np.asarray(values, dtype=float))
    h = (len(x) - 1) * q
    lo, hi = math.floor(h), math.ceil(h)
    if x[lo] == x[hi]:
        return float(x[lo])
    return float(x[lo] + (h - lo) * (x[hi] - x[lo]))


def cost_per_net_job_year(values: pd.DataFrame, covers: str) -> dict:
    """The cost per net job-year (the ratio of the mean changes) and the 5th-95th percentile of
    the per-pair ratio; undefined (NaN, with a note) where the mean net change is not
    positive."""
    years = values["net_job_months"].to_numpy(float) / 12.0
    cost = values["cost_change"].to_numpy(float)
    what = (f"{covers} (5th-95th percentile of the per-pair ratio; a pair with no net gain counts "
            "as unbounded)")
    out = {"cost_per_net_job_year_interval": what}
    if not len(years) or years.mean() <= 0:
        return {"cost_per_net_job_year": math.nan, "cost_per_net_job_year_low": math.nan,
                "cost_per_net_job_year_high": math.nan, "cost_per_net_job_year_note": UNDEFINED,
                **out}
    ratio = np.full(len(years), math.inf)
    ratio[years > 0] = cost[years > 0] / years[years > 0]
    low, high = ((quantile(ratio, LEVEL[0]), quantile(ratio, LEVEL[1])) if len(ratio) > 1
                 else (math.nan, math.nan))  # one pair: no interval, as every effect
    return {"cost_per_net_job_year": float(cost.mean() / years.mean()),
            "cost_per_net_job_year_low": low, "cost_per_net_job_year_high": high,
            "cost_per_net_job_year_note": "", **out}


def summarise(values: pd.DataFrame, over_draws: bool) -> dict:
    """One comparison's wide row: each column's mean with its 90% interval (`_intervals`, as
    every effect) as X, X_low, X_high; the cost per net job-year; what the intervals cover."""
    row: dict = {}
    for r in _intervals("", pd.Series(dtype=object), [], values, list(values.columns), "effect",
                        over_draws=over_draws):
        row[r["metric"]] = r["effect"]
        row[f"{r['metric']}_low"], row[f"{r['metric']}_high"] = r["low"], r["high"]
        row["interval"] = r["interval"]
    covers = "posterior draws and seeds" if over_draws else "seeds"
    row.update(cost_per_net_job_year(values, covers))
    row["seeds"] = len(values)
    return row


def _direction(change: Change, setting: str, reference: str) -> str:
    return f"{setting} - {reference}" if change.sign > 0 else f"{reference} - {setting}"


def _described(change: Change) -> dict:
    return {"levers": ", ".join(change.levers), "own_statuses": ", ".join(change.own)}


def has_inputs(columns) -> bool:
    """Whether a table has the figures a net effect needs (runs made before the by-status
    job-months were recorded do not)."""
    return set(NEEDED) <= set(columns)


def net_effects(frame: pd.DataFrame, reference: dict[str, str], cost: str = "cost_total",
                within: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per setting of a sweep: its net effect against the reference (paired as
    `paired_effects.paired_effects`, `within` as `paired_differences`), in the levers'
    direction, with the swept keys, the levers, their own statuses and the direction."""
    metrics = ["in_work", *NEEDED, cost]
    # the reference's value of each swept key: its own, or (a key of `within`, or one the
    # reference leaves open) the setting's
    fixed = resolve_reference(frame, reference)
    rows = []
    for label, ref_label, first, keys, diff, over_draws in paired_differences(
            frame, reference, metrics, within):
        change = lever_change({k: (first[k], fixed.get(k, first[k])) for k in keys})
        values = per_pair(diff, change, cost=cost)
        rows.append({"setting": label, **{k: first[k] for k in keys}, **_described(change),
                     "direction": _direction(change, label, ref_label),
                     **summarise(values, over_draws)})
    return pd.DataFrame(rows)


def yearly_net_effects(yearly: pd.DataFrame, reference: str, change: Change,
                       cost: str = "cost_total") -> pd.DataFrame:
    """Per setting (other than `reference`) and year: the net effect against the reference
    setting, in the direction `change` gives. `yearly` is the long frame of
    `plots.yearly_runs` (setting, seed, posterior_draw, year, metric, value)."""
    metrics = ["in_work_december", *NEEDED, cost]
    rows = [{"setting": label, "year": year, **_described(change),
             "direction": _direction(change, label, reference),
             **summarise(per_pair(values, change, "in_work_december", cost), over_draws)}
            for label, year, values, over_draws in yearly_differences(yearly, reference, metrics)]
    return pd.DataFrame(rows)


# ---- in words -------------------------------------------------------------------------------
# the working statuses as the words name them
NAMES = {"out_of_province": "work out of the province",
         "in_province": "work elsewhere in the province", "local_job": "local wage jobs",
         "workshop": "workshops", "public_welfare": "public-welfare posts"}


def _people(v: float) -> str:
    return f"{v:+,.0f}"


def _band(row, name: str, fmt=_people) -> str:
    low, high = row.get(f"{name}_low"), row.get(f"{name}_high")
    if low is None or pd.isna(low) or pd.isna(high):
        return ""
    return f" ({fmt(low)} to {fmt(high)})"


def _yuan(row, name: str, sign: bool = True) -> str:
    """A sum of yuan in the unit its size asks (billion, million, yuan), its interval in the
    same unit; an unbounded end is said so."""
    v = row[name]
    scale, unit = ((1e9, "billion yuan") if abs(v) >= 1e9 else (1e6, "million yuan")
                   if abs(v) >= 1e6 else (1.0, "yuan"))
    digits = {1e9: 2, 1e6: 1}.get(scale, 0)

    def fmt(x: float) -> str:
        if not np.isfinite(x):
            return "unbounded" if x > 0 else "-unbounded"
        return f"{x / scale:{'+' if sign else ''},.{digits}f}"

    return f"{fmt(v)} {unit}{_band(row, name, fmt)}"


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def sentence(row, head: str) -> str:
    """One comparison's net effect in words: what the levers add in their own statuses, what
    other work loses, the net; wage income, the cost and the cost per net job-year."""
    def change(s: str) -> str:
        return f"{NAMES[s]} {_people(row[f'job_months_{s}_change'])}"

    if row.get("own_statuses"):
        own = row["own_statuses"].split(", ")
        gross, displaced = row["gross_job_months"], row["displaced_job_months"]
        text = (f"{head}: {'adds' if gross >= 0 else 'takes'} {abs(gross):,.0f} job-months "
                f"{'to' if gross >= 0 else 'from'} {_listed([NAMES[s] for s in own])}"
                f"{_band(row, 'gross_job_months')}; other work "
                f"{'loses' if displaced >= 0 else 'gains'} {abs(displaced):,.0f}"
                f"{_band(row, 'displaced_job_months')} "
                f"({', '.join(change(s) for s in WORKING if s not in own)}); net "
                f"{_people(row['net_job_months'])} job-months{_band(row, 'net_job_months')}")
    else:
        text = (f"{head}: job-months by status {', '.join(change(s) for s in WORKING)}; net "
                f"{_people(row['net_job_months'])} job-months{_band(row, 'net_job_months')}")
    text += (f", {_people(row['net_job_months'] / 12)} job-years; in work in December "
             f"{_people(row['in_work_change'])}{_band(row, 'in_work_change')}. Wage income, all "
             f"work, {_yuan(row, 'wage_income_change')}; cost {_yuan(row, 'cost_change')}, ")
    if pd.isna(row["cost_per_net_job_year"]):
        return text + f"cost per net job-year {UNDEFINED}."
    return text + f"{_yuan(row, 'cost_per_net_job_year', sign=False)} per net job-year."


def words(table: pd.DataFrame, title: str, year: int | None = None) -> str:
    """A Markdown page of a net-effects table (`net_effects`, or `yearly_net_effects` with a
    sentence per year), one sentence per comparison; `year`: the year of every row."""
    if table.empty:
        return f"# Net effects: {title}\n\nNo comparison.\n"
    first = table.iloc[0]
    lines = [f"# Net effects: {title}", "",
             "What the levers add in their own statuses, what other work loses, and the net, in "
             f"person-months over {'each year' if year is None else year}; wage income and the "
             "public cost over the same year. Each figure is the mean paired change, in the "
             f"direction given, with its 90% interval over {first['interval']}; the cost per net "
             f"job-year's over {first['cost_per_net_job_year_interval']}. Table: net_effects.csv.",
             ""]
    for _, row in table.iterrows():
        when = f", {int(row['year'])}" if year is None and "year" in row else ""
        levers = row["levers"].split(", ") if row["levers"] else []
        head = (f"**{levers[0]}** ({row['direction']}{when})" if len(levers) == 1
                else f"**{row['direction']}**{when}")
        lines.append("- " + sentence(row, head))
    return "\n".join(lines) + "\n"
