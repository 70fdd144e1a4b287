"""The posterior against every figure, and the behaviour it implies (`sim-validate`).

Each posterior draw runs the 2021 baseline, the 2020-like spring closure (`epidemic_2020`) and the
baseline with out-of-province pay 10% higher from January 2021, all with the draw's own seed and
the same number of agents as the calibration. Over the draws, a figure has a posterior-predictive
median and a 90% interval (the 5th to 95th percentiles: the parameters the evidence leaves open
and the seed's noise at that scale).

- **Fitted figures**: the median's relative error in units of the figure's tolerance, whether it
  is within one tolerance, and the share of draws within one; the interval beside them.
- **Checks** (seeds/preregistration.yaml): judged by their declared rule on the median
  (`preregistration.meets`); the interval is shown, never decides. A check counts as met or
  missed only when it was pre-registered for this posterior (`preregistration.status`); any other
  is listed apart with its status. Each check's earlier readings and verdicts are shown with it.
- **Spent figures** (E3, N3): their first reading and verdict, and today's reading, shown as
  "not a check (in view)".
- **The posterior-predictive distance**: each draw's ABC distance to the data
  (`calibration.scaled_distance`), against sqrt(n) (every figure one tolerance off).

The behaviour diagnostics (docs/MODEL.md 5.5) are computed from the agents' states at the point
fit and over the draws.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from ..core.params import Config
from . import calibration, diagnostics, input_files, preregistration, targets
from .posterior import apply_draw, load_draws
from .run_files import finite_or_none
from .runner import simulate, year_figures

PAY_CHANGE = 0.10  # the own-wage elasticity: out-of-province pay 10% higher from January 2021
MIGRANT = ("out_of_province", "in_province")
ARTICLE_FITTED = ("T1", "T2", "T3", "T4", "T5", "T11")  # the article's own fitted figures
SPENT = "not a check (in view)"


def _sized(cfg: Config, workers: int, seed: int) -> Config:
    return replace(cfg, seed=seed, quiet=True,
                   population=replace(cfg.population, scale=workers / cfg.population.labour_force))


def recovery(model) -> dict[str, float]:
    """People in work at the end of April and of May over their number at the end of January,
    before the closure (E3 and N3, spent figures). The source's series counts every poor worker
    out at work, in the county too (N2 splits the same series: 46.4% in the county), so they are
    read over all work; migrant work alone is reported beside it (`*_migrants`), their first
    reading (docs/MODEL.md 5.2)."""
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


def full_scale_figures(baseline: Config, seed: int) -> dict[str, float]:
    """The 2021 figures of one run of `baseline` at full scale (one agent per worker)."""
    return dict(year_figures(simulate(replace(baseline, seed=seed, quiet=True,
                                              population=replace(baseline.population, scale=1.0)))))


def scale_table(small: dict[str, float], full: dict[str, float]) -> pd.DataFrame:
    """Each fitted figure at the point fit: its relative error at the draws' number of agents
    and at full scale (each a mean over seeds), in tolerances, and the gap between the two."""
    rows = []
    for f in targets.fitted():
        tolerance, metric = f.get("tolerance"), f["metric"]
        if tolerance is None or metric not in small or metric not in full:
            continue
        value = float(f["value"])
        e_small = targets.relative_error(value, small[metric], f) / tolerance
        e_full = targets.relative_error(value, full[metric], f) / tolerance
        rows.append({"id": f["id"], "metric": metric, "tolerance": tolerance,
                     "small": small[metric], "full": full[metric], "small_in_tolerances": e_small,
                     "full_in_tolerances": e_full, "gap_in_tolerances": e_full - e_small})
    return pd.DataFrame(rows)


@dataclass
class Validation:
    draws: pd.DataFrame  # one row per posterior draw: every figure and diagnostic
    point: dict[str, float]  # the point fit (fitted.yaml), averaged over its seeds
    fitted: pd.DataFrame  # per fitted figure: value, tolerance, interval, median, its error
    checks: pd.DataFrame  # per check: rule, interval, median, met by the median, status
    spent: pd.DataFrame  # per spent figure: its first reading and verdict, today's reading
    distances: np.ndarray  # per draw: the ABC distance of its fitted figures to the data
    posterior: pd.DataFrame  # the posterior's parameter rows (posterior.csv)
    history: dict[str, list[dict]]  # per check: earlier readings and their verdicts
    sbc: int | None = None  # parameters passing simulation-based calibration (sbc.json), if run
    scale: pd.DataFrame | None = None  # the point fit at the draws' size against full scale
    full_seeds: int = 0


def inside(figure: dict, low: float, high: float) -> bool:
    """The figure meets the interval: a value inside it, a lower bound met by its upper end, a
    band that overlaps it. Shown beside the fitted figures, never deciding a check."""
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


def _spread(per_draw: pd.DataFrame, metric: str) -> tuple[float, float, float]:
    """The 5th percentile, the median and the 95th percentile over the draws (NaN: not run)."""
    if metric not in per_draw:
        return (float("nan"),) * 3
    x = per_draw[metric].to_numpy(float)
    if np.isnan(x).all():
        return (float("nan"),) * 3
    low, median, high = np.nanquantile(x, (0.05, 0.5, 0.95))
    return float(low), float(median), float(high)


def fitted_table(per_draw: pd.DataFrame) -> pd.DataFrame:
    """Each fitted figure: its tolerance, 90% interval and median; the median's relative error in
    tolerances, whether it is within one tolerance, and the share of draws within one."""
    rows = []
    for f in targets.fitted():
        if f["metric"] not in per_draw:
            continue
        value = float(f["value"])
        low, median, high = _spread(per_draw, f["metric"])
        error = targets.relative_error(value, median, f)
        tolerance = f.get("tolerance")
        errors = np.array([targets.relative_error(value, x, f)
                           for x in per_draw[f["metric"]].to_numpy(float)])
        rows.append({"id": f["id"], "metric": f["metric"], "unit": f["unit"], "value": value,
                     "tolerance": tolerance, "low": low, "median": median, "high": high,
                     "rel_error": error,
                     "in_tolerances": None if tolerance is None else error / tolerance,
                     "within": None if tolerance is None else bool(abs(error) <= tolerance),
                     "share_within": (None if tolerance is None
                                      else float(np.mean(np.abs(errors) <= tolerance))),
                     "inside": inside(f, low, high), "source": f.get("source", "")})
    return pd.DataFrame(rows)


def check_table(per_draw: pd.DataFrame, record: dict,
                statuses: dict[str, preregistration.Status]) -> pd.DataFrame:
    """Each check of the record: its rule, 90% interval and median, whether the median meets the
    rule, and its status; a figure of kind check the record does not declare is listed too (not
    declared before the fit, no rule)."""
    figures = {f["id"]: f for f in targets.compared()}
    rows = []
    for c in record["checks"]:
        low, median, high = _spread(per_draw, c["metric"])
        st = statuses[c["id"]]
        rows.append({"id": c["id"], "metric": c["metric"], "unit": figures[c["id"]]["unit"],
                     "rule": preregistration.describe(c["rule"]), "low": low, "median": median,
                     "high": high, "met": preregistration.meets(c["rule"], median),
                     "status": st.state, "detail": st.detail, "counted": st.counted})
    declared = {c["id"] for c in record["checks"]}
    for f in targets.compared():
        if f["kind"] == "check" and f["id"] not in declared:
            low, median, high = _spread(per_draw, f["metric"])
            rows.append({"id": f["id"], "metric": f["metric"], "unit": f["unit"], "rule": "-",
                         "low": low, "median": median, "high": high, "met": None,
                         "status": preregistration.NOT_DECLARED,
                         "detail": "not in seeds/preregistration.yaml", "counted": False})
    return pd.DataFrame(rows, columns=["id", "metric", "unit", "rule", "low", "median", "high",
                                       "met", "status", "detail", "counted"])


def spent_table(per_draw: pd.DataFrame, record: dict) -> pd.DataFrame:
    """Each spent figure: its first reading and verdict, its later reading and today's values of
    it (all work) with the first reading's (`<metric>_migrants`, migrant work only) beside."""
    rows = []
    for s in record.get("spent", []):
        low, median, high = _spread(per_draw, s["metric"])
        m_low, m_median, m_high = _spread(per_draw, f"{s['metric']}_migrants")
        rows.append({"id": s["id"], "metric": s["metric"], "first_reading": s["first_reading"],
                     "first_verdict": s["first_verdict"], "later_reading": s["later_reading"],
                     "low": low, "median": median, "high": high, "migrants_low": m_low,
                     "migrants_median": m_median, "migrants_high": m_high, "status": SPENT,
                     "why_spent": s["why_spent"]})
    return pd.DataFrame(rows)


def ppd_distances(per_draw: pd.DataFrame) -> np.ndarray:
    """Each draw's ABC distance to the data (`calibration.scaled_distance` over the figures the
    calibration fits); empty when the draws lack one of them."""
    figures = calibration.distance_figures()
    if any(f["metric"] not in per_draw for f in figures):
        return np.array([])
    data = calibration.observed()
    return np.array([calibration.scaled_distance({f["id"]: float(row[f["metric"]]) for f in figures},
                                                 data) for _, row in per_draw.iterrows()])


def within_root_n(distances: np.ndarray) -> float | None:
    """The share of draws whose distance is at most sqrt(n_figures): every figure within one
    tolerance on average."""
    if not len(distances):
        return None
    return float(np.mean(distances <= np.sqrt(len(calibration.distance_figures()))))


def posterior_shape(table: pd.DataFrame) -> tuple[int, float]:
    """The distinct parameter rows of the posterior draws and their effective sample size: with
    the draws' multiplicities m_i as weights, (sum m)^2 / sum m^2; with a `weight` column, the
    same of the weights."""
    columns = [c for c in table.columns if c != "weight"]
    distinct = len(table[columns].drop_duplicates())
    if "weight" in table:
        w = table["weight"].to_numpy(float)
    else:
        w = table.groupby(columns, dropna=False).size().to_numpy(float)
    return distinct, float(w.sum() ** 2 / (w ** 2).sum())


def sbc_parameters_passing(path=None) -> int | None:
    """The parameters passing simulation-based calibration, from conf/calibration/sbc.json when
    that check was run; None when it was not (nothing is made up)."""
    from importlib import resources

    if path is None:
        shipped = resources.files("sim.conf").joinpath("calibration", "sbc.json")
        if not shipped.is_file():
            return None
        with resources.as_file(shipped) as p:
            return input_files.read_sbc(p)
    return input_files.read_sbc(path)


def assess(per_draw: pd.DataFrame, point: dict[str, float], posterior: pd.DataFrame,
           record: dict, statuses: dict[str, preregistration.Status],
           sbc: int | None = None) -> Validation:
    """The draws' figures against the fitted figures, the checks and the spent figures."""
    return Validation(draws=per_draw, point=point, fitted=fitted_table(per_draw),
                      checks=check_table(per_draw, record, statuses),
                      spent=spent_table(per_draw, record), distances=ppd_distances(per_draw),
                      posterior=posterior,
                      history={c["id"]: list(c.get("history", [])) for c in record["checks"]},
                      sbc=sbc)


def validate(baseline: Config, epidemic: Config, n_draws: int, workers: int, point_seeds: int,
             procs: int, record: dict | None = None, record_at_fit: dict | None = None,
             table: pd.DataFrame | None = None, full_seeds: int = 0) -> Validation:
    """Runs the first `n_draws` posterior draws and the point fit, and assesses them against the
    record (seeds/preregistration.yaml) and its copy at the fit."""
    table = load_draws() if table is None else table
    record = preregistration.read() if record is None else record
    jobs = [delayed(one_draw)(apply_draw(baseline, d, draws=table),
                              apply_draw(epidemic, d, draws=table), workers, 1000 + d)
            for d in range(n_draws)]
    jobs += [delayed(one_draw)(baseline, epidemic, workers, s) for s in range(point_seeds)]
    jobs += [delayed(full_scale_figures)(baseline, s) for s in range(full_seeds)]
    results = Parallel(n_jobs=procs)(jobs)
    per_draw = pd.DataFrame(results[:n_draws])
    per_draw.index.name = "draw"
    point = pd.DataFrame(results[n_draws:n_draws + point_seeds]).mean().to_dict()
    statuses = preregistration.status(record, record_at_fit, baseline)
    out = assess(per_draw, point, table, record, statuses, sbc_parameters_passing())
    if full_seeds:
        full = pd.DataFrame(results[n_draws + point_seeds:]).mean().to_dict()
        out.scale, out.full_seeds = scale_table(point, full), full_seeds
    return out


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
               ("home_value_p90", "value of not working, 90th percentile (yuan a month)", ""),
               ("home_above_pay_away_share",
                "labour force valuing not working above pay out of the province", ""))


def _rounded(x: float | None, digits: int = 3) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def summary_line(v: Validation, identification: pd.DataFrame) -> dict:
    """The JSON line `sim-validate` ends with."""
    f, c = v.fitted, v.checks
    within = f.within.map(_yes) if len(f) else pd.Series(dtype=bool)
    counted = c[c.counted.map(_yes)]
    behaviour = identification[identification.role == "behaviour"]
    distinct, ess = posterior_shape(v.posterior)
    line = {"fitted": len(f), "fitted_inside": int(f.inside.sum()) if len(f) else 0,
            "fitted_medians_within_tolerance": int(within.sum()),
            "article_medians_within_tolerance": int(within[f.id.isin(ARTICLE_FITTED)].sum())
            if len(f) else 0,
            "checks": len(c), "checks_preregistered": len(counted),
            "checks_met": int(counted.met.map(_yes).sum()),
            "stay_post": _rounded(v.point["stay_post"]),
            "stay_workshop": _rounded(v.point["stay_workshop"]),
            "elasticity_out_of_province_wage": _rounded(v.point["elasticity_out_of_province_wage"]),
            "posterior_draws": len(v.draws), "distinct_draws": distinct, "ess": round(ess, 1),
            "parameters": len(behaviour), "identified": int(behaviour.identified.sum()),
            "sbc_parameters_passing": v.sbc,
            "ppd_distance_median": (_rounded(float(np.median(v.distances)))
                                    if len(v.distances) else None),
            "ppd_distance_within_root_n": _rounded(within_root_n(v.distances))}
    if v.scale is not None and len(v.scale):
        article = v.scale[v.scale.id.isin(ARTICLE_FITTED)]
        line["full_scale_article_within_two_tolerances"] = int(
            (article.full_in_tolerances.abs() <= 2).sum())
        line["scale_gap_max_tolerances"] = _rounded(float(v.scale.gap_in_tolerances.abs().max()))
    return finite_or_none(line)


def _number(x: float | None) -> str:
    if x is None or not np.isfinite(x):
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3f}"


def _interval(low: float, high: float) -> str:
    return "-" if not (np.isfinite(low) and np.isfinite(high)) else f"{_number(low)} to {_number(high)}"


def _value(r) -> str:
    if r.tolerance is None or not np.isfinite(r.tolerance):
        return _number(r.value)
    return f"{_number(r.value)} ± {100 * r.tolerance:g}%"


def _fitted_lines(v: Validation) -> list[str]:
    f = v.fitted
    lines = ["## Fitted figures (matched by the calibration)", "",
             "The median's relative error in units of the figure's tolerance (the relative misfit "
             "that counts as one unit in the calibration's distance), whether the median is "
             "within one tolerance, and the share of draws within one; the 90% interval beside.",
             "", "| id | figure | source's value ± tolerance | 90% interval | median | median's "
             "error (tolerances) | median within one tolerance | draws within one tolerance |",
             "|---|---|---|---|---|---|---|---|"]
    for r in f.itertuples():
        if r.tolerance is None or not np.isfinite(r.tolerance):
            error = within = share = "no tolerance"
        else:
            error = f"{r.in_tolerances:+.2f}"
            within = "yes" if r.within else "no"
            share = f"{r.share_within:.0%}"
        lines.append(f"| {r.id} | {r.metric} | {_value(r)} | {_interval(r.low, r.high)} | "
                     f"{_number(r.median)} | {error} | {within} | {share} |")
    within = f.within.map(_yes)
    article = within[f.id.isin(ARTICLE_FITTED)]
    lines += ["", f"Medians within one tolerance: {int(within.sum())} of {len(f)} (the article's "
              f"{', '.join(ARTICLE_FITTED)}: {int(article.sum())} of {len(article)}). 90% "
              f"intervals covering the figure: {int(f.inside.sum())} of {len(f)}.", ""]
    return lines


def _distance_lines(v: Validation) -> list[str]:
    n = len(calibration.distance_figures())
    if not len(v.distances):
        return ["## Posterior-predictive distance", "", "Not computed: the draws lack a figure "
                "the calibration fits.", ""]
    low, high = np.quantile(v.distances, (0.05, 0.95))
    return ["## Posterior-predictive distance", "",
            f"Each draw's ABC distance to the data: the root sum of squares of its {n} fitted "
            "figures' relative errors over their tolerances, as the calibration measures it "
            f"(sim.experiments.calibration.scaled_distance). Median {np.median(v.distances):.2f} "
            f"(90%: {low:.2f} to {high:.2f}); {within_root_n(v.distances):.0%} of the draws at "
            f"most sqrt({n}) = {np.sqrt(n):.2f}, every figure within one tolerance on average.", ""]


def _history_rows(v: Validation, fid: str, columns: int) -> list[str]:
    """A check's earlier readings, each a row under it: the reading in the figure's column, its
    verdict in the last."""
    rows = []
    for h in v.history.get(fid, []):
        seen = f" (posterior {h['posterior']})" if h.get("posterior") else ""
        cells = [f"↳ {fid}, earlier", f"{h['reading']}{seen}"] + [""] * (columns - 3) + [h["verdict"]]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _yes(x) -> bool:
    """True for a true boolean only (None, NaN and False are not)."""
    return isinstance(x, (bool, np.bool_)) and bool(x)


def _check_lines(v: Validation) -> list[str]:
    c = v.checks
    counted, apart = c[c.counted.map(_yes)], c[~c.counted.map(_yes)]
    lines = ["## Checks, judged by the median (seeds/preregistration.yaml)", "",
             "Each check is decided by its declared rule on the posterior-predictive median; the "
             "90% interval is shown beside it and decides nothing. Only checks pre-registered for "
             "this posterior count: declared identically in the copy of the record sim-calibrate "
             "wrote with it (conf/calibration/preregistration_at_fit.yaml), their inputs unchanged "
             "since. Earlier readings and their verdicts are listed under each check.", "",
             "| id | figure | rule | 90% interval (shown, not deciding) | median | verdict (median) |",
             "|---|---|---|---|---|---|"]
    for r in counted.itertuples():
        lines.append(f"| {r.id} | {r.metric} | {r.rule} | {_interval(r.low, r.high)} | "
                     f"{_number(r.median)} | {'met' if r.met else 'missed'} |")
        lines += _history_rows(v, r.id, 6)
    if not len(counted):
        lines.append("| - | no check is pre-registered for this posterior | | | | |")
    lines += ["", f"Pre-registered: {len(counted)} of {len(c)}; met by the median: "
              f"{int(counted.met.map(_yes).sum())} of {len(counted)}.", ""]
    if len(apart):
        lines += ["### Not counted as checks for this posterior", "",
                  "Shown with their status; neither met nor missed. What the rule would say of "
                  "the median is given for reference only.", "",
                  "| id | figure | rule | 90% interval | median | rule on the median (not counted) "
                  "| status |", "|---|---|---|---|---|---|---|"]
        for r in apart.itertuples():
            would = "-" if r.met is None else ("would meet" if r.met else "would miss")
            lines.append(f"| {r.id} | {r.metric} | {r.rule} | {_interval(r.low, r.high)} | "
                         f"{_number(r.median)} | {would} | {r.status}: {r.detail} |")
            lines += _history_rows(v, r.id, 7)
        lines.append("")
    return lines


def _spent_lines(v: Validation) -> list[str]:
    if not len(v.spent):
        return []
    lines = ["## Spent figures (in view: not checks)", "",
             "Their inputs (the 2020 closure's strengths, scenario epidemic_2020) were set with "
             "them in view, so they can no longer check any fit. Shown with their first reading "
             "and its verdict, and today's values of the later reading (all work) with the first "
             "reading's (migrant work only) beside.", "",
             "| id | figure | first reading | first verdict | later reading | today: all work, "
             "90% (median) | today: migrant work only, 90% (median) | status |",
             "|---|---|---|---|---|---|---|---|"]
    for r in v.spent.itertuples():
        lines.append(f"| {r.id} | {r.metric} | {r.first_reading} | {r.first_verdict} | "
                     f"{r.later_reading} | {_interval(r.low, r.high)} ({_number(r.median)}) | "
                     f"{_interval(r.migrants_low, r.migrants_high)} ({_number(r.migrants_median)}) "
                     f"| {r.status} |")
    return lines + [""]


def _scale_lines(v: Validation, workers: int) -> list[str]:
    if v.scale is None or not len(v.scale):
        return []
    lines = ["## The point fit at full scale", "",
             f"The point fit (conf/calibration/fitted.yaml) at {workers:,} agents (mean of its "
             f"seeds, as above) and at full scale, one agent per worker (mean of {v.full_seeds} "
             "seeds): each fitted figure's relative error in tolerances, and the gap between the "
             "two sizes. The calibration runs at the smaller size: a gap under half a tolerance "
             "means its figures are the full model's.", "",
             f"| id | figure | tolerance | at {workers:,} | at full scale | gap |",
             "|---|---|---|---|---|---|"]
    for r in v.scale.itertuples():
        lines.append(f"| {r.id} | {r.metric} | {r.tolerance:g} | {r.small_in_tolerances:+.2f} | "
                     f"{r.full_in_tolerances:+.2f} | {r.gap_in_tolerances:+.2f} |")
    article = v.scale[v.scale.id.isin(ARTICLE_FITTED)]
    lines += ["", f"Article figures (T1-T5, T11) within two tolerances at full scale: "
              f"{int((article.full_in_tolerances.abs() <= 2).sum())} of {len(article)}; largest "
              f"gap between the sizes: {v.scale.gap_in_tolerances.abs().max():.2f} tolerances.", ""]
    return lines


def report_markdown(v: Validation, facts: dict) -> str:
    distinct, ess = posterior_shape(v.posterior)
    sbc = ("not run (no conf/calibration/sbc.json)" if v.sbc is None
           else f"{v.sbc} parameters passing")
    lines = ["# Validation", "",
             f"Written by `{facts['command']}` ({facts['minutes']:.0f} min). "
             f"{len(v.draws)} posterior draws (conf/calibration/posterior.csv: {len(v.posterior)} "
             f"draws, {distinct} distinct parameter sets, effective sample size {ess:.1f}; "
             f"simulation-based calibration: {sbc}), each run at "
             f"{facts['workers']:,} agents with its own seed: the 2021 baseline, the 2020-like "
             "spring closure (`scenario=epidemic_2020`) and the baseline with out-of-province pay "
             "10% higher from January 2021. Every figure is judged on its posterior-predictive "
             "median over the draws; the 90% interval (5th to 95th percentiles, covering the "
             "parameters and the seeds) is shown beside it.", ""]
    lines += (_fitted_lines(v) + _scale_lines(v, facts["workers"]) + _distance_lines(v)
              + _check_lines(v) + _spent_lines(v))
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
