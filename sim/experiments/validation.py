"""The posterior against every figure, and the behaviour it implies (`sim-validate`).

Each posterior draw runs the 2021 baseline, the 2020-like spring closure (`epidemic_2020`) and the
baseline with out-of-province pay 10% higher from January 2021, all with the draw's own seed and
the same number of agents as the calibration. The 5th and 95th percentiles of a figure over the
draws are its 90% posterior predictive interval: they cover the parameters the evidence leaves
open and the seed's noise at that scale. A figure is inside when its value (or the bound or band
the source states) meets the interval. The behaviour diagnostics (docs/MODEL.md 5.5) are
computed from the agents' states at the point fit and over the draws.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from ..core.params import Config
from . import diagnostics, targets
from .posterior import apply_draw, load_draws
from .runner import simulate, year_figures

PAY_CHANGE = 0.10  # the own-wage elasticity: out-of-province pay 10% higher from January 2021
MIGRANT = ("out_of_province", "in_province")


def _sized(cfg: Config, workers: int, seed: int) -> Config:
    return replace(cfg, seed=seed, quiet=True,
                   population=replace(cfg.population, scale=workers / cfg.population.labour_force))


def recovery(model) -> dict[str, float]:
    """People in work at the end of April and of May over their number at the end of January,
    before the closure (checks E3 and N3). The source's series counts every poor worker out at
    work, in the county too (N2 splits the same series: 46.4% in the county), so the check reads
    all work; migrant work alone is reported beside it (`*_migrants`), the reading used before
    (docs/MODEL.md 5.2)."""
    rec = model.recorder

    def stock(month: str, kinds: tuple[str, ...]) -> float:
        values = rec.by_month[rec.months.index(month)]
        return sum(values[k] for k in kinds)

    out = {}
    for name, kinds in (("", ("in_work",)), ("_migrants", MIGRANT)):
        january = stock("2021-01", kinds)
        out[f"recovery_april{name}"] = stock("2021-04", kinds) / january
        out[f"recovery_may{name}"] = stock("2021-05", kinds) / january
    return out


def one_draw(baseline: Config, epidemic: Config, workers: int, seed: int) -> dict[str, float]:
    """The figures and diagnostics of one parameter set."""
    base = _sized(baseline, workers, seed)
    model = simulate(base)
    out = dict(year_figures(model))
    out.update(diagnostics.keep_probabilities(model))
    out.update(diagnostics.post_holders(model))
    out.update(diagnostics.never_worked(model))
    out.update(diagnostics.home_taste(model))
    raised = replace(base, scenario=replace(base.scenario, out_of_province_pay_change=PAY_CHANGE))
    after = simulate(raised).recorder.year_summary(2021)["out_of_province"]
    out["elasticity_out_of_province_wage"] = (after / out["out_of_province"] - 1.0) / PAY_CHANGE
    out.update(recovery(simulate(_sized(epidemic, workers, seed))))
    return out


@dataclass
class Validation:
    draws: pd.DataFrame  # one row per posterior draw: every figure and diagnostic
    point: dict[str, float]  # the point fit (fitted.yaml), averaged over its seeds
    figures: pd.DataFrame  # per fitted figure and check: value, interval, median, inside


def inside(figure: dict, low: float, high: float) -> bool:
    """The figure meets the interval: a value inside it, a lower bound met by its upper end, a
    band that overlaps it."""
    bound = figure.get("bound")
    if bound == "band":
        band_low, band_high = figure["band"]
        return low < band_high and high >= band_low
    reference = figure.get("compare_with", figure["value"])
    if bound == "lower":
        return high >= reference
    if bound == "upper":
        return low <= reference
    return low <= reference <= high


def figure_table(per_draw: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for f in targets.compared():
        if f["kind"] not in ("fitted", "check") or f["metric"] not in per_draw:
            continue
        x = per_draw[f["metric"]].to_numpy(float)
        low, high = np.quantile(x, (0.05, 0.95))
        rows.append({"id": f["id"], "kind": f["kind"], "metric": f["metric"],
                     "value": float(f["value"]), "bound": f.get("bound") or "",
                     "low": float(low), "median": float(np.median(x)), "high": float(high),
                     "inside": inside(f, low, high), "source": f.get("source", "")})
    return pd.DataFrame(rows)


def validate(baseline: Config, epidemic: Config, n_draws: int, workers: int, point_seeds: int,
             procs: int) -> Validation:
    table = load_draws()
    jobs = [delayed(one_draw)(apply_draw(baseline, d, draws=table),
                              apply_draw(epidemic, d, draws=table), workers, 1000 + d)
            for d in range(n_draws)]
    jobs += [delayed(one_draw)(baseline, epidemic, workers, s) for s in range(point_seeds)]
    results = Parallel(n_jobs=procs)(jobs)
    per_draw = pd.DataFrame(results[:n_draws])
    per_draw.index.name = "draw"
    point = pd.DataFrame(results[n_draws:]).mean().to_dict()
    return Validation(draws=per_draw, point=point, figures=figure_table(per_draw))


DIAGNOSTICS = (("stay_post", "a post holder keeps her post at a review", ">= 0.5"),
               ("stay_workshop", "a workshop worker keeps her place at a review", ">= 0.5"),
               ("elasticity_out_of_province_wage", "own-wage elasticity of out-of-province work",
                "0.2 to 1.5"),
               ("posts_weak_or_over_age", "posts held by weak or over-age labour", ""),
               ("posts_carers", "posts held by carers (full capacity)", ""),
               ("posts_full_capacity_no_care", "posts held by others", ""),
               ("never_worked_share", "labour force with no month of work in 2021", ""),
               ("never_worked_carers", "of them: carers", ""),
               ("never_worked_weak_or_over_age", "of them: weak or over-age", ""),
               ("never_worked_cannot_migrate", "of them: unable to take migrant work", ""),
               ("nonwage_per_person_month", "non-wage income per member, yuan a month (median)", ""),
               ("home_value_p10", "value of not working, 10th percentile (yuan a month)", ""),
               ("home_value_p50", "value of not working, median (yuan a month)", ""),
               ("home_value_p90", "value of not working, 90th percentile (yuan a month)", ""))


def summary_line(v: Validation, identification: pd.DataFrame) -> dict:
    """The JSON line `sim-validate` ends with."""
    f = v.figures
    behaviour = identification[identification.role == "behaviour"]
    return {"fitted": int((f.kind == "fitted").sum()), "checks": int((f.kind == "check").sum()),
            "checks_inside": int(f[f.kind == "check"].inside.sum()),
            "fitted_inside": int(f[f.kind == "fitted"].inside.sum()),
            "stay_post": round(v.point["stay_post"], 3),
            "stay_workshop": round(v.point["stay_workshop"], 3),
            "elasticity_out_of_province_wage": round(v.point["elasticity_out_of_province_wage"], 3),
            "posterior_draws": len(v.draws), "parameters": len(behaviour),
            "identified": int(behaviour.identified.sum())}


def _number(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3f}"


def _migrant_reading(draws: pd.DataFrame) -> list[str]:
    """E3 and N3 read as migrant work only, the reading before it was corrected to the source's
    definition: shown so that the correction is seen, not hidden."""
    if "recovery_april_migrants" not in draws:
        return []
    april, may = (np.quantile(draws[f"recovery_{m}_migrants"], (0.05, 0.95)) for m in ("april", "may"))
    figures = {f["id"]: f for f in targets.compared()}
    met = [name for name, (low, high) in (("E3", april), ("N3", may))
           if inside(figures[name], low, high)]
    verdict = f"it would meet {' and '.join(met)}" if met else "it would miss both"
    return ["E3 and N3 count every poor worker out at work, in the county too (EVIDENCE N2 splits "
            "the same series), and are read here as all people in work. Read as migrant work only "
            "(out of the county), as before this was corrected after the checks were first run, "
            f"the model gives {april[0]:.3f} to {april[1]:.3f} at the end of April and "
            f"{may[0]:.3f} to {may[1]:.3f} at the end of May: {verdict} "
            "(docs/MODEL.md 5.2, 5.4).", ""]


def report_markdown(v: Validation, facts: dict) -> str:
    lines = ["# Validation", "",
             f"Written by `{facts['command']}` ({facts['minutes']:.0f} min). "
             f"{len(v.draws)} posterior draws (conf/calibration/posterior.csv), each run at "
             f"{facts['workers']:,} agents with its own seed: the 2021 baseline, the 2020-like "
             "spring closure (`scenario=epidemic_2020`) and the baseline with out-of-province pay "
             "10% higher from January 2021. Intervals are the 5th to 95th percentiles over the "
             "draws: 90% posterior predictive intervals, covering the parameters and the seeds.",
             ""]
    for kind, title in (("fitted", "Fitted figures (matched by the calibration)"),
                        ("check", "Checks (never used in fitting, chosen before it)")):
        t = v.figures[v.figures.kind == kind]
        lines += [f"## {title}", "", "| id | figure | source's value | 90% interval | median | inside |",
                  "|---|---|---|---|---|---|"]
        for r in t.itertuples():
            value = (f"{'>=' if r.bound == 'lower' else ''}{_number(r.value)}"
                     if r.bound != "band" else "[0.30, 0.40)")
            lines.append(f"| {r.id} | {r.metric} | {value} | {_number(r.low)} to {_number(r.high)} "
                         f"| {_number(r.median)} | {'yes' if r.inside else 'no'} |")
        lines += ["", f"Inside: {int(t.inside.sum())} of {len(t)}.", ""]
        if kind == "check":
            lines += _migrant_reading(v.draws)
    lines += ["## Behaviour (docs/MODEL.md 5.5)", "",
              "At the point fit (conf/calibration/fitted.yaml, mean over its seeds) and over the "
              "posterior draws (90% interval); computed from the agents' states at the end of "
              "2021, as a review would compute them.", "",
              "| diagnostic | required | point fit | posterior 90% |", "|---|---|---|---|"]
    for key, what, required in DIAGNOSTICS:
        x = v.draws[key].to_numpy(float)
        low, high = np.nanquantile(x, (0.05, 0.95))
        lines.append(f"| {what} (`{key}`) | {required} | {_number(v.point[key])} | "
                     f"{_number(low)} to {_number(high)} |")
    return "\n".join(lines) + "\n"
