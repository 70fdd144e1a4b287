"""One page on a run, or on a run against another (`sim-report`): the headline outcomes and the
differences with their intervals, the net effect (what the levers add, what other work loses, the
net, in a table and in words: sim.experiments.net_effects), the fiscal costs and the cost of each
effect, who gains (by group), the fit and the validation state, and the configuration difference.
Written as one self-contained HTML file (figures inline, nothing fetched) and an .xlsx of the same
tables in wide form with units.

Intervals: a run of several seeds or posterior draws (`replicates`, `ensemble`) keeps each one's
figures in summary.json; two such runs are compared pair by pair on the shared (seed, draw), with
the 5th-95th percentile of the paired differences over draws, or the t-interval of their mean over
seeds (sim.experiments.paired_effects). Runs of one seed each give the difference without one.

Every file is checked as it is read (sim.experiments.input_files) and both files are written
together (all or nothing). Run names come from folder names, which a user chooses: the page
escapes every text it shows, and the workbook keeps a text that looks like a formula as text.
Two runs in folders of the same name (a/run, b/run) are named by the shortest end of their paths
that tells them apart.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from ..core.validation import InputError
from . import input_files, net_effects, paired_effects
from .run_files import GROUPS, SUMMARY, TIMESERIES
from . import tables
from .tables import formula_like, written_together

# the outcomes on the page, with their units
HEADLINE = {
    "worked_any_month": "people (worked at least a month in the year)",
    "in_work": "people (December)",
    "job_months": "person-months",
    "migrant": "people (December)",
    "in_county": "people (December)",
    "households_below_line": "households",
    "income_per_person": "yuan a year per household member",
    "cost_total": "yuan",
}
GROUP_METRIC = "in_work"


class ReportError(InputError):
    """A folder that is not a run (no summary.json), or two runs that cannot be compared."""


@dataclass
class Run:
    """A run's files, read and checked (`load_run`) before the report computes or draws."""

    path: Path
    summary: dict
    config: dict
    timeseries: pd.DataFrame
    groups: pd.DataFrame | None  # None for a run made before runs wrote groups.parquet
    name: str = ""  # how the report names the run (`labels`): its folder, or more of its path

    def __post_init__(self) -> None:
        self.name = self.name or self.path.name

    def replicates(self) -> pd.DataFrame:
        """Each seed's (and draw's) figures; one row for a run of one seed."""
        rows = self.summary.get("replicate_metrics")
        if rows:
            return pd.DataFrame(rows)
        one = {k: v for k, v in self.summary.items() if isinstance(v, (int, float))}
        run = self.summary.get("run", {})
        return pd.DataFrame([{**one, "seed": run.get("seed", 0),
                              "posterior_draw": run.get("posterior_draw", -1)}])


def load_run(path: Path, name: str = "") -> Run:
    """Every file of the run the report uses, each checked as it is read."""
    path = Path(path)
    if not (path / SUMMARY).exists():
        raise ReportError(f"'{path}' is not a run folder: it has no {SUMMARY}; allowed: the "
                          "folder of a finished run of `sim` (it writes one).")
    config_file = path / ".hydra" / "config.yaml"
    config = input_files.read_run_config(config_file) if config_file.exists() else {}
    summary = input_files.read_summary(path / SUMMARY)
    timeseries = input_files.read_table(path / TIMESERIES, input_files.TIMESERIES)
    by_group = _groups_table(path / GROUPS) if (path / GROUPS).exists() else None
    return Run(path, summary, config, timeseries, by_group, name)


def _groups_table(path: Path) -> pd.DataFrame:
    table = input_files.read_table(path, input_files.GROUPS)
    missing = {GROUP_METRIC, "labour_force"} - set(table["metric"])
    if missing:
        raise ReportError(f"Cannot read '{path}': it has no rows of {', '.join(sorted(missing))}; "
                          f"allowed: {input_files.GROUPS.allowed()}, with {GROUP_METRIC} and "
                          "labour_force for every group.")
    return table


def labels(paths: list[Path]) -> list[str]:
    """A name for each run that tells it from the others: its folder's name, or as many of the
    last parts of its path as it takes (a/run and b/run)."""
    parts = [Path(p).resolve().parts for p in paths]
    for n in range(1, max(len(p) for p in parts) + 1):
        names = ["/".join(p[-n:]) for p in parts]
        if len(set(names)) == len(names):
            return names
    raise ReportError(f"Cannot compare '{paths[0]}' with itself; allowed: --against another "
                      "run folder.")


def _flat(tree: dict, prefix: str = "") -> dict[str, str]:
    out = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, name + "."))
        else:
            out[name] = json.dumps(value, ensure_ascii=False)
    return out


def config_difference(run: Run, against: Run) -> pd.DataFrame:
    a, b = _flat(run.config), _flat(against.config)
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k) and not k.startswith("hydra"))
    return pd.DataFrame({"key": keys, run.name: [a.get(k, "") for k in keys],
                         against.name: [b.get(k, "") for k in keys]})


def headline(run: Run, against: Run | None) -> pd.DataFrame:
    """Per outcome: the run's mean, the other's, the difference and its 90% interval."""
    from .plots import label  # matplotlib and the model's labels: once every input is read

    rows = []
    diffs = _paired(run, against) if against else None
    for metric, unit in HEADLINE.items():
        if metric not in run.summary:
            continue
        row = {"outcome": label(metric), "metric": metric, "unit": unit,
               run.name: run.summary[metric]}
        if against:
            row[against.name] = against.summary.get(metric, np.nan)
            row["difference"] = row[run.name] - row[against.name]
            if diffs is not None and metric in diffs:
                row["low"], row["high"], row["interval"] = diffs[metric]
        rows.append(row)
    return pd.DataFrame(rows)


def _paired(run: Run, against: Run) -> dict | None:
    """Paired differences over shared (seed, draw) pairs: metric -> (low, high, what it covers)."""
    a, b = run.replicates(), against.replicates()
    keys = ["seed", "posterior_draw"]
    merged = a.merge(b, on=keys, suffixes=("", "_against"))
    if len(merged) < 2:
        return None
    over_draws = merged["posterior_draw"].nunique() > 1
    out = {}
    for metric in HEADLINE:
        if metric in a and metric in b:
            x = (merged[metric] - merged[f"{metric}_against"]).to_numpy(float)
            if over_draws:
                low, high = np.quantile(x, (0.05, 0.95))
                covers = f"{len(x)} posterior draws x seeds (5th-95th percentile)"
            else:
                _, low, high = paired_effects._interval(x)
                covers = f"{len(x)} seeds (t-interval of the mean)"
            out[metric] = (float(low), float(high), covers)
    return out


def costs(run: Run, against: Run | None) -> pd.DataFrame:
    levers = sorted(k for k in run.summary if k.startswith("cost_") and k != "cost_total")
    rows = [{"lever": k.removeprefix("cost_"), "unit": "yuan", run.name: run.summary[k],
             **({against.name: against.summary.get(k, np.nan)} if against else {})}
            for k in levers + ["cost_total"]]
    table = pd.DataFrame(rows)
    if against:
        table["difference"] = table[run.name] - table[against.name]
    return table


def cost_of_effects(head: pd.DataFrame, run: Run, against: Run) -> pd.DataFrame:
    """Additional cost per additional job (December), job-year and household kept above the
    line, with bounds from the intervals of both (sim.experiments.paired_effects)."""
    h = head.set_index("metric")
    if "low" not in h:
        return pd.DataFrame()
    out = pd.DataFrame(index=[run.name])
    for name, metric, sign, scale in (("additional_jobs", "in_work", 1, 1),
                                      ("additional_job_years", "job_months", 1, 12),
                                      ("households_kept_above_line", "households_below_line", -1, 1),
                                      ("additional_cost", "cost_total", 1, 1)):
        if metric in h.index:
            low, high = sign * h.loc[metric, "low"] / scale, sign * h.loc[metric, "high"] / scale
            out[name] = sign * h.loc[metric, "difference"] / scale
            out[f"{name}_low"], out[f"{name}_high"] = min(low, high), max(low, high)
    for ratio, den in (("cost_per_additional_job", "additional_jobs"),
                       ("cost_per_job_year", "additional_job_years"),
                       ("cost_per_household_kept", "households_kept_above_line")):
        if den in out:
            out[ratio], out[f"{ratio}_low"], out[f"{ratio}_high"] = \
                paired_effects._ratio(out, "additional_cost", den)
    return out.reset_index(names="run")


# the net effect's quantities on the page, in order, with their names
NET_QUANTITIES = {
    "in_work_change": "In work, December",
    "net_job_months": "Net change in job-months, all work",
    "gross_job_months": "Job-months added in the levers' own statuses",
    "displaced_job_months": "Job-months other work loses (displaced)",
    **{f"job_months_{s}_change": f"Job-months, {name}" for s, name in net_effects.NAMES.items()},
    "wage_income_change": "Wage income, all work",
    "cost_change": "Public cost",
    "cost_per_net_job_year": "Cost per net job-year",
}


def net_effect(run: Run, against: Run) -> tuple[pd.DataFrame, str]:
    """The run's net effect against the other (sim.experiments.net_effects) over the pairs both
    share, in the direction that adds the levers their configurations change (the difference of
    the means, without an interval, when they share no pair): the table, one row per quantity,
    and the same in words. Empty for runs made before job-months by status were recorded."""
    a, b = run.replicates(), against.replicates()
    metrics = ["in_work", *net_effects.NEEDED, "cost_total"]
    if not (set(metrics) <= set(a.columns) and set(metrics) <= set(b.columns)):
        return pd.DataFrame(), ""
    merged = a.merge(b, on=["seed", "posterior_draw"], suffixes=("", "_against"))
    if merged.empty:
        diff = pd.DataFrame([{m: run.summary[m] - against.summary[m] for m in metrics}])
    else:
        diff = pd.DataFrame({m: merged[m] - merged[f"{m}_against"] for m in metrics})
    over_draws = not merged.empty and merged["posterior_draw"].nunique() > 1
    mine, theirs = _flat(run.config), _flat(against.config)
    change = net_effects.lever_change({k: (mine.get(k, ""), theirs.get(k, ""))
                                       for k in set(mine) | set(theirs)})
    row = net_effects.summarise(net_effects.per_pair(diff, change), over_draws)
    direction = (f"{run.name} - {against.name}" if change.sign > 0
                 else f"{against.name} - {run.name}")
    row.update(levers=", ".join(change.levers), own_statuses=", ".join(change.own),
               direction=direction)
    rows = [{"quantity": text, "metric": name, "unit": tables.unit(name), "change": row[name],
             "low": row[f"{name}_low"], "high": row[f"{name}_high"],
             "interval": (row["cost_per_net_job_year_interval"]
                          if name == "cost_per_net_job_year" else row["interval"]),
             "direction": direction,
             "note": row["cost_per_net_job_year_note"] if name == "cost_per_net_job_year" else ""}
            for name, text in NET_QUANTITIES.items() if name in row]
    if merged.empty:
        for r in rows:
            r["interval"] = "no shared seed: the difference of the runs' means"
    from .runner import SUMMARY_YEAR  # the model's modules: once every input is read

    levers = f" ({', '.join(change.levers)})" if change.levers else ""
    head = f"{direction}{levers}, {SUMMARY_YEAR}"
    return pd.DataFrame(rows), net_effects.sentence(row, head)


def groups(run: Run, against: Run | None) -> pd.DataFrame:
    """The share of each group's labour force in work, December of the run's last year."""
    frames = []
    for r in filter(None, (run, against)):
        if r.groups is None:
            return pd.DataFrame()
        g = r.groups
        g = g[(g["year"] == g["year"].max()) & (g["dimension"] != "county")]
        wide = g.pivot_table(index=["dimension", "group"], columns="metric", values="value",
                             sort=False)
        frames.append((wide[GROUP_METRIC] / wide["labour_force"]).rename(r.name))
    table = pd.concat(frames, axis=1).reset_index()
    if against:
        table["difference (points)"] = 100 * (table[run.name] - table[against.name])
    table["unit"] = "share of the group's labour force in work"
    return table


def fit(run: Run) -> pd.DataFrame:
    rows = [{"id": fid, "kind": r.get("kind"), "figure": r.get("metric"), "article": r.get("article"),
             "model": r.get("model"), "rel_error": r.get("rel_error")}
            for fid, r in run.summary.get("targets", {}).items()]
    return pd.DataFrame(rows)


def validation_state() -> dict:
    """The shipped calibration's validation summary (sim-validate writes it)."""
    shipped = resources.files("sim.conf").joinpath("calibration", "validation.json")
    if not shipped.is_file():
        return {}
    with resources.as_file(shipped) as path:
        return input_files.read_validation_state(path)


def _figure(run: Run, against: Run | None) -> str:
    """Workers in work month by month, both runs, as an inline PNG."""
    import matplotlib.pyplot as plt

    from . import plots

    fig, ax = plt.subplots(figsize=(8, 3.2))
    for name, ts in ((r.name, r.timeseries) for r in filter(None, (run, against))):
        ts = ts[(ts["metric"] == "in_work") & (ts["group"] == "all")]
        ax.plot(ts["month"], ts["value"], label=name)
        ax.fill_between(ts["month"], ts["low"], ts["high"], alpha=0.2)
    ax.set_title("In work, month by month (10,000 people; band: 90% over the run's seeds/draws)",
                 fontsize=9)
    plots._people(ax)
    ticks = ax.get_xticks()
    ax.set_xticks(ticks[::max(len(ticks) // 12, 1)])
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


# every text is escaped (autoescape); the tables are HTML whose texts are escaped (`_html`)
PAGE = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body { font-family: sans-serif; margin: 2em; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3em; }
.note { color: #555; font-size: 0.85em; }
</style></head><body>
<h1>{{ title }}</h1>
<p class="note">{{ what }}</p>
<img id="in-work" alt="in work month by month" src="{{ figure }}">
{% for caption, words, note, html in tables %}
<h2>{{ caption }}</h2>
{% if words %}<p id="{{ caption | replace(' ', '-') | lower }}-words">{{ words }}</p>{% endif %}
{% if note %}<p class="note">{{ note }}</p>{% endif %}
{{ html }}
{% endfor %}
</body></html>
""")


def _html(table: pd.DataFrame, table_id: str) -> Markup:
    """The table as HTML, every text in it (headers and cells) escaped as the page escapes its
    own (markupsafe: < > & ' "), so the page takes it as it is."""
    shown = table.rename(columns=lambda c: str(escape(c)))
    for column in shown.columns:
        if not pd.api.types.is_numeric_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: escape(v) if isinstance(v, str) else v)
    return Markup(shown.to_html(index=False, table_id=table_id, na_rep="", border=0, escape=False,
                                float_format=lambda v: f"{v:,.4g}" if abs(v) < 10 else f"{v:,.0f}"))


def build(run_path: Path, against_path: Path | None) -> dict[str, pd.DataFrame | str]:
    names = labels([run_path, against_path] if against_path else [run_path])
    run = load_run(run_path, names[0])
    against = load_run(against_path, names[1]) if against_path else None
    head = headline(run, against)
    tables = {"headline": head}
    words = ""
    if against:  # beside the headline's in-work counts: the net effect
        tables["net_effect"], words = net_effect(run, against)
    tables["costs"] = costs(run, against)
    if against:
        tables["cost_of_effects"] = cost_of_effects(head, run, against)
        tables["config_difference"] = config_difference(run, against)
    tables["groups"] = groups(run, against)
    tables["fit"] = fit(run)
    state = validation_state()
    tables["validation"] = pd.DataFrame([{"item": k, "value": v} for k, v in state.items()])
    return {"run": run, "against": against, "net_words": words, **tables}


NOTES = {
    "headline": "Means over the run's seeds and posterior draws; the difference's interval is "
                "over the pairs both runs share (none for runs of one seed each).",
    "net_effect": "What the levers add in their own statuses, what other work loses and the net "
                  "(job-months over the year, by status), wage income over all work and the cost "
                  "per net job-year (undefined where the net change is not positive; its interval "
                  "is the 5th-95th percentile of the pair-by-pair ratio). In the direction that "
                  "adds the levers the two runs' configurations change.",
    "costs": "Fiscal outlays in 2021 (or the run's summary year), yuan.",
    "cost_of_effects": "Additional cost over the additional effect; empty where the effect's "
                       "interval includes zero. Bounds combine the ends of both intervals.",
    "config_difference": "Every configuration key whose value differs between the two runs.",
    "groups": "Who gains: the share of each group in work in December of the run's last year.",
    "fit": "The article's and the evidence's figures: inputs (sizes the model is given), fitted "
           "(matched by the calibration) and checks (never used in fitting). For a "
           "counterfactual run they describe 2021 as it was, for reference.",
    "validation": "The shipped calibration's validation (sim-validate, docs/validation.md).",
}


def write(run_path: Path, against_path: Path | None, out: Path) -> list[Path]:
    """The page (out.html) and the workbook (out.xlsx), written together: both, or neither."""
    parts = build(run_path, against_path)
    run, against, words = parts.pop("run"), parts.pop("against"), parts.pop("net_words")
    title = f"sim report: {run.name}" + (f" against {against.name}" if against else "")
    scenario = run.config.get("scenario", {}).get("name", "?")
    covers = run.summary.get("run", {}).get("interval_covers", "1 seed")
    what = (f"Run {run.path} (scenario {scenario}; {covers})"
            + (f" against {against.path}." if against else "."))
    tables = [(name.replace("_", " ").capitalize(), words if name == "net_effect" else "",
               NOTES.get(name, ""), _html(t, name))
              for name, t in parts.items() if len(t)]
    html = PAGE.render(title=title, what=what, figure=_figure(run, against), tables=tables)
    page, book = out.with_suffix(".html"), out.with_suffix(".xlsx")
    with written_together(out.parent) as staging:
        (staging / page.name).write_text(html, encoding="utf-8")
        with pd.ExcelWriter(staging / book.name, engine="openpyxl") as xl:
            for name, table in parts.items():
                if len(table):
                    table.to_excel(xl, sheet_name=name[:31], index=False)
                    _formulas_as_text(xl.sheets[name[:31]])
    return [page, book]


def _formulas_as_text(sheet) -> None:
    """Cells whose text a spreadsheet would run as a formula (a run folder named
    `=HYPERLINK(...)`, a header or a value) are stored as text, shown with a quote prefix."""
    for row in sheet.iter_rows():
        for cell in row:
            if formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
