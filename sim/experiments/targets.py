"""The figures a run is compared with, in three kinds, and the fit table.

- **inputs**: policy sizes the model is given and fills (workshop places, paired workshops, posts,
  start-up jobs, transport seats, trainees). Matching them shows that room fills, not that
  behaviour is right: they are shown as "filled x of y".
- **fitted**: figures that identify behaviour, matched by the calibration: the article's T1-T5
  and T11 in their own definitions (T1-T4 count people who worked during 2021, 累計), and the
  independent figures of seeds/evidence.yaml marked `fitted`.
- **checks**: figures never used in fitting, declared before the fit in seeds/preregistration.yaml
  (seeds/evidence.yaml `check`, and the article's T9); `sim-validate` judges them on the
  posterior-predictive median.
- **spent**: figures whose inputs were set with them in view (E3, N3: the 2020-like closure's
  strengths): shown apart, never checks. They need another scenario (the closure): `sim-validate`
  runs it; a plain run shows them as not measured.

seeds/figures.yaml holds the article's figures, seeds/evidence.yaml the others, each with its
source and the reading the model compares with.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

KINDS = ("input", "fitted", "check", "spent")
ARTICLE = "Shaanxi Daily 2022-02-21"
# monthly ratios a run reports: name -> (metric, month, month below it)
MONTH_RATIOS = {"in_work_sep_over_aug": ("in_work", "2021-09", "2021-08")}


@lru_cache(maxsize=2)
def _read(name: str) -> dict:
    text = resources.files("sim.seeds").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def figures() -> dict:
    """The seed article's figures as data (read once; the file ships as package data)."""
    return _read("figures.yaml")


def evidence() -> list[dict]:
    """The figures beyond the article (seeds/evidence.yaml)."""
    return _read("evidence.yaml")["evidence"]


def targets() -> list[dict]:
    """The article's figures T1..T12."""
    return figures()["targets"]


def compared() -> list[dict]:
    """Every figure a run is compared with, article and evidence, each with its `kind`."""
    rows = [{**t, "source": f"article ({ARTICLE})"} for t in targets()]
    trained = next(t for t in targets() if t["id"] == "T9")
    rows.append({"id": "T9n", "kind": "input", "value": trained["trained"], "unit": "people",
                 "metric": "trainees", "given_metric": "training_places",
                 "source": f"article ({ARTICLE}), T9: 8.15萬 trained",
                 "model_reading": "an input: the year's course places; trainees of 2021"})
    rows += [e for e in evidence() if e["kind"] in KINDS]
    return rows


def fitted() -> list[dict]:
    return [f for f in compared() if f["kind"] == "fitted"]


def derived_metrics(summary: dict[str, float]) -> dict[str, float]:
    """Figures computed from a run's metrics with a constant of the evidence: N6a's ratio of
    income from work per worker to twelve months of the NBS average pay of the year."""
    nbs = next(e for e in evidence() if e["id"] == "N6a")["nbs_monthly_income"]
    out = {}
    if "work_income_per_worker" in summary:
        out["work_income_ratio"] = summary["work_income_per_worker"] / (12.0 * nbs[2021])
    return out


def relative_error(value: float, model: float, figure: dict) -> float:
    """Relative error; for a bound only the shortfall, for a band the distance to it."""
    bound = figure.get("bound")
    if bound == "band":
        low, high = figure["band"]
        if model < low:
            return (model - low) / low
        return max(model - high, 0.0) / high
    reference = figure.get("compare_with", value)
    error = (model - reference) / reference
    if bound == "lower":
        return min(error, 0.0)
    if bound == "upper":
        return max(error, 0.0)
    return error


def fit_table(summary: dict[str, float]) -> dict[str, dict]:
    """Figure id -> {kind, metric, unit, article (the figure's value), model, rel_error, bound,
    source; and `given` for an input}. A figure the run does not measure (a check that needs
    another scenario) has model None."""
    values = {**summary, **derived_metrics(summary)}
    table = {}
    for f in compared():
        model = values.get(f["metric"])
        row = {"kind": f["kind"], "metric": f["metric"], "unit": f["unit"],
               "article": float(f["value"]), "model": None if model is None else float(model),
               "rel_error": (None if model is None
                             else relative_error(float(f["value"]), float(model), f)),
               "bound": f.get("bound"), "source": f.get("source", "")}
        if "band" in f:
            row["band"] = [float(x) for x in f["band"]]
        if f["kind"] == "input":
            given = values.get(f["given_metric"])
            row["given"] = None if given is None else float(given)
        table[f["id"]] = row
    return table


def _number(value: float | None, unit: str) -> str:
    """People and yuan with thousands separators, shares and ratios to three decimals."""
    if value is None:
        return "-"
    return f"{value:,.0f}" if unit == "people" or unit.startswith("yuan") else f"{value:.3f}"


def _figure(row: dict) -> str:
    if row.get("bound") == "band":
        low, high = row["band"]
        if row["unit"].startswith("yuan"):
            return f"[{_number(low, row['unit'])}, {_number(high, row['unit'])})"
        return f"[{low:.2f}, {high:.2f})"
    prefix = {"lower": ">=", "upper": "<="}.get(row.get("bound"), "")
    return prefix + _number(row["article"], row["unit"])


SECTIONS = (("fitted", "Fitted (matched by the calibration):"),
            ("check", "Checks (never used in fitting, declared in seeds/preregistration.yaml):"),
            ("spent", "Spent (in view, not checks: their inputs were set with them in view):"))


def format_fit_table(table: dict[str, dict], counterfactual: bool = False) -> str:
    """The fit table in its parts: inputs, fitted figures, checks, and the spent figures apart.
    For a counterfactual run (levers or scenario changed) the figures are printed for reference,
    without errors: the article describes 2021 as it was."""
    lines = []
    inputs = {k: r for k, r in table.items() if r["kind"] == "input"}
    lines.append("Inputs (policy sizes the model is given; filled of given):")
    for fid, r in inputs.items():
        share = (f"{r['model'] / r['given']:.0%}" if r["model"] is not None and r["given"]
                 else "-")
        lines.append(f"  {fid:<4} {r['metric']:<26} {_number(r['article'], r['unit']):>12}   "
                     f"filled {_number(r['model'], r['unit'])} of {_number(r['given'], r['unit'])} "
                     f"({share})")
    for kind, title in SECTIONS:
        rows = {fid: r for fid, r in table.items() if r["kind"] == kind}
        if not rows and kind == "spent":
            continue
        lines.append(title)
        lines.append(f"  {'id':<4} {'figure':<26} {'figure':>16} {'model':>12} "
                     + ("" if counterfactual else f"{'rel.error':>9}"))
        for fid, r in rows.items():
            if r["model"] is None:
                tail = "  (another scenario: sim-validate)"
            elif counterfactual:
                tail = ""
            else:
                tail = f" {r['rel_error']:>+9.2%}"
            if kind == "spent":
                tail += "  in view, not a check"
            lines.append(f"  {fid:<4} {r['metric']:<26} {_figure(r):>16} "
                         f"{_number(r['model'], r['unit']):>12}{tail}")
    return "\n".join(lines)
