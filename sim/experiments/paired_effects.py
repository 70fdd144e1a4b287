"""Effects against a counterfactual with the same seeds (and posterior draws), and what each
additional job costs.

A sweep's `results.parquet` has one row per job. Jobs that differ only in their seed are one
*setting*. The effect of a setting is its paired difference from a reference setting (the
counterfactual: a lever off, no policy, or the lowest corner of a grid) seed by seed: both runs
share their random numbers, so most of the sampling noise cancels. Effects carry a 90% interval
(Student t over the seeds).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.validation import InputError

SEED = "seed"
DRAW = "posterior_draw"  # a sweep over the calibration's posterior draws pairs on them too
PREFIX = "override."
LEVEL = 0.90


class EffectError(InputError):
    """A comparison that the table cannot support (no reference rows, no shared seeds)."""


def setting_keys(frame: pd.DataFrame) -> list[str]:
    """Override columns that vary across the jobs, the seed and posterior draw excepted."""
    cols = [c for c in frame.columns if c.startswith(PREFIX)
            and c not in (PREFIX + SEED, PREFIX + DRAW)]
    return [c for c in cols if frame[c].nunique(dropna=False) > 1]


def setting_labels(frame: pd.DataFrame, keys: list[str] | None = None) -> pd.Series:
    """One readable label per row: 'training.scale=2, hiring_subsidy.scale=0'."""
    keys = setting_keys(frame) if keys is None else keys
    if not keys:
        return pd.Series("all jobs", index=frame.index)
    parts = [_ablation_label(frame[k]) if k == PREFIX + "ablation" else
             short_key(k) + "=" + frame[k].astype(str) for k in keys]
    out = parts[0]
    for p in parts[1:]:
        out = out + ", " + p
    return out


def _ablation_label(values: pd.Series) -> pd.Series:
    """Study 1's settings read as what they are: 'training off', 'every lever on'."""
    names = {"none": "every lever on", "all": "every lever off"}
    return values.astype(str).map(lambda v: names.get(v, f"{v} off"))


def short_key(column: str) -> str:
    """'override.policy.training.scale' -> 'training.scale'."""
    key = column.removeprefix(PREFIX)
    return key.removeprefix("policy.").removeprefix("scenario.").removeprefix("population.")


def parse_reference(text: str) -> dict[str, str]:
    """'ablation=none,policy.training.scale=0' -> {'override.ablation': 'none', ...}."""
    out = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise EffectError(f"Cannot read the reference '{item}': write key=value, e.g. "
                              "ablation=none or policy.training.scale=0.")
        out[PREFIX + key.strip().lstrip("+~").removeprefix(PREFIX)] = value.strip()
    return out


def _finished(frame: pd.DataFrame) -> pd.DataFrame:
    ok = frame[frame["status"] == "ok"] if "status" in frame else frame
    return ok.copy()


def resolve_reference(frame: pd.DataFrame, reference: dict[str, str]) -> dict[str, str]:
    """The reference with each key as a column of the frame: a key may be written as the sweep
    wrote it (`policy.training.scale`) or as the figures' labels show it (`training.scale`,
    `short_key`); the ablation labels ('every lever on', 'training off') read back too."""
    columns = [c for c in frame.columns if c.startswith(PREFIX)]
    out = {}
    for key, value in reference.items():
        if key not in frame.columns:
            short = key.removeprefix(PREFIX)
            matches = [c for c in columns if short_key(c) == short]
            key = matches[0] if len(matches) == 1 else key
        if key == PREFIX + "ablation":
            labels = {"every lever on": "none", "every lever off": "all"}
            value = labels.get(value, value.removesuffix(" off"))
        out[key] = value
    return out


def _is_reference(frame: pd.DataFrame, reference: dict[str, str]) -> pd.Series:
    reference = resolve_reference(frame, reference)
    missing = [k for k in reference if k not in frame.columns]
    if missing:
        keys = ", ".join(c.removeprefix(PREFIX) for c in frame.columns
                         if c.startswith(PREFIX) and c not in (PREFIX + SEED, PREFIX + DRAW))
        keys = keys or "none"
        raise EffectError(f"The reference names {', '.join(missing)}, which the sweep does not "
                          f"vary; swept keys: {keys}.")
    mask = pd.Series(True, index=frame.index)
    for key, value in reference.items():
        mask &= frame[key].astype(str) == value
    return mask


def pairing(frame: pd.DataFrame) -> list[str]:
    """What a job is paired on: its seed, and its posterior draw when the sweep varies it."""
    draws = DRAW in frame and frame[DRAW].nunique() > 1
    return [SEED, DRAW] if draws else [SEED]


def paired_differences(frame: pd.DataFrame, reference: dict[str, str], metrics: list[str],
                       within: list[str] | tuple[str, ...] = ()):
    """Each setting's paired differences (setting - reference) seed by seed (and draw by draw):
    yields (setting, reference setting, the setting's first job, the swept keys, the
    differences: one row per shared pair, one column per metric, whether the pairs cover
    posterior draws). With `within` (swept keys, e.g. `scenario.disruption_scale`), the jobs are
    compared within each value of those keys: the reference is the job that matches
    `reference` and shares the setting's values of `within`."""
    ok = _finished(frame)
    is_ref = _is_reference(ok, reference)
    if not is_ref.any():
        raise EffectError(f"No finished job matches the reference {reference}.")
    keys = setting_keys(ok)
    ok["setting"] = setting_labels(ok, keys)
    pair = pairing(ok)
    within = [PREFIX + key.lstrip("+~").removeprefix(PREFIX) for key in within]
    missing = [k for k in within if k not in ok.columns]
    if missing:
        raise EffectError(f"The sweep does not vary {', '.join(missing)}; swept keys: "
                          f"{', '.join(short_key(k) for k in keys) or 'none'}.")
    parts = ok.groupby(within, sort=False) if within else [((), ok)]
    for _, part in parts:
        part_ref = is_ref.loc[part.index]
        if not part_ref.any():
            raise EffectError(f"No finished job matches the reference {reference} with "
                              f"{part[within].iloc[0].to_dict()}.")
        ref = part[part_ref].set_index(pair)[metrics]
        ref_label = part.loc[part_ref, "setting"].iloc[0]
        for label, jobs in part[~part_ref].groupby("setting", sort=False):
            jobs = jobs.set_index(pair)
            shared = jobs.index.intersection(ref.index)
            if len(shared) == 0:
                raise EffectError(f"The setting '{label}' shares no seed with the reference.")
            diff = jobs.loc[shared, metrics] - ref.loc[shared, metrics]
            yield label, ref_label, jobs.iloc[0], keys, diff, len(pair) > 1


def paired_effects(frame: pd.DataFrame, reference: dict[str, str],
                   metrics: list[str]) -> pd.DataFrame:
    """Per setting and metric: the mean paired difference (setting - reference) and its 90%
    interval. Over seeds only, the interval is the t-interval of the mean (sampling noise);
    over posterior draws and seeds, it is the 5th to 95th percentile of the paired differences
    (what the evidence leaves open, with the seeds' noise); `interval` says which."""
    rows = []
    for label, _, first, keys, diff, over_draws in paired_differences(frame, reference, metrics):
        rows += _intervals(label, first, keys, diff, metrics, "effect", over_draws=over_draws)
    return pd.DataFrame(rows)


def _intervals(label: str, first: pd.Series, keys: list[str], values: pd.DataFrame,
               metrics: list[str], name: str, over_draws: bool = False) -> list[dict]:
    """One row per metric: the setting, its swept keys, the mean as `name`, the 90% interval,
    what it covers and the number of runs."""
    rows = []
    for metric in metrics:
        x = values[metric].to_numpy(dtype=float)
        if over_draws:
            mean, (low, high) = float(x.mean()), np.quantile(x, (0.05, 0.95))
            covers = "posterior draws and seeds (5th-95th percentile)"
        else:
            mean, low, high = _interval(x)
            covers = "seeds (t-interval of the mean)"
        rows.append({"setting": label, **{k: first[k] for k in keys}, "metric": metric,
                     name: mean, "low": float(low), "high": float(high), "seeds": len(values),
                     "interval": covers})
    return rows


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    from scipy import stats  # half a second to import: only where an interval is computed

    mean = float(values.mean())
    if len(values) < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.5 + LEVEL / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return mean, mean - float(half), mean + float(half)


def yearly_paired_effects(yearly: pd.DataFrame, reference: str, metrics: list[str]) -> pd.DataFrame:
    """Per setting (other than `reference`), year and metric: the mean paired difference from
    the reference setting and its 90% interval (as `paired_effects`). `yearly` is the long
    frame of `plots.yearly_runs`: setting, seed, posterior_draw, year, metric, value. With
    `job_months` and `cost_total` among the metrics, `cost_per_job_year` is the additional cost
    over the additional job-years (job-months / 12), pair by pair, left empty where the 90%
    interval of the additional job-years includes zero."""
    rows = []
    for label, year, values, over_draws in yearly_differences(yearly, reference, metrics):
        first = pd.Series({"year": year})
        rows.extend(_intervals(label, first, ["year"], values, metrics, "effect",
                               over_draws=over_draws))
        if {"job_months", "cost_total"} <= set(metrics):
            rows.append(_cost_per_job_year(label, year, values, over_draws))
    return pd.DataFrame(rows)


def yearly_differences(yearly: pd.DataFrame, reference: str, metrics: list[str]):
    """(setting, year, paired differences from `reference` (rows: pairs, columns: metrics),
    whether the pairs span posterior draws) for every setting but the reference and every year.
    `yearly` is the long frame of `plots.yearly_runs`; pairs are seeds, and draws where several."""
    pair = [SEED, DRAW] if yearly[DRAW].nunique() > 1 else [SEED]
    wide = yearly[yearly["metric"].isin(metrics)].pivot_table(
        index=["setting", *pair, "year"], columns="metric", values="value")
    if reference not in wide.index.get_level_values("setting"):
        raise EffectError(f"No finished job has the reference setting '{reference}'.")
    ref = wide.xs(reference, level="setting")
    for label in dict.fromkeys(wide.index.get_level_values("setting")):
        if label == reference:
            continue
        diff = (wide.xs(label, level="setting") - ref).dropna(how="all")
        for year, values in diff.groupby(level="year"):
            yield label, year, values, len(pair) > 1


def _cost_per_job_year(label: str, year: int, diff: pd.DataFrame, over_draws: bool) -> dict:
    job_years = diff["job_months"].to_numpy(float) / 12.0
    cost = diff["cost_total"].to_numpy(float)
    _, low, high = _interval(job_years) if not over_draws else (
        None, *np.quantile(job_years, (0.05, 0.95)))
    told_apart = (low > 0) or (high < 0)
    ratio = cost / job_years if told_apart else np.full(len(cost), np.nan)
    value = cost.mean() / job_years.mean() if told_apart else float("nan")
    lo, hi = (np.quantile(ratio, (0.05, 0.95)) if told_apart else (float("nan"),) * 2)
    return {"setting": label, "year": year, "metric": "cost_per_job_year", "effect": value,
            "low": float(lo), "high": float(hi), "seeds": len(diff),
            "interval": "pairs (5th-95th percentile of the per-pair ratio)"}


def cost_effectiveness(frame: pd.DataFrame, reference: dict[str, str],
                       cost: str = "cost_total") -> pd.DataFrame:
    """Per setting: additional jobs (December), job-years (person-months in work over the year /
    12), households kept above the monitoring line and fiscal cost, each with its 90% interval,
    and the cost of each with its interval. A ratio is left empty when the 90% interval of its
    denominator includes zero: the setting's effect on it is not told apart from noise. The
    ratio's interval bounds the cost's interval over the denominator's (every combination of
    their ends), so it covers what both leave open."""
    metrics = ["in_work", "job_months", "households_below_line", cost]
    metrics = [m for m in metrics if m in frame.columns]
    eff = paired_effects(frame, reference, metrics)
    wide = eff.pivot(index="setting", columns="metric", values=["effect", "low", "high"])
    out = pd.DataFrame(index=wide.index)

    def effect(name: str, metric: str, sign: float = 1.0, scale: float = 1.0) -> None:
        low, high = (sign * wide[end][metric] / scale for end in ("low", "high"))
        out[name] = sign * wide["effect"][metric] / scale
        out[f"{name}_low"], out[f"{name}_high"] = np.minimum(low, high), np.maximum(low, high)

    effect("additional_jobs", "in_work")
    if "job_months" in metrics:
        effect("additional_job_years", "job_months", scale=12.0)
    # households kept above the line: fewer below it
    effect("households_kept_above_line", "households_below_line", sign=-1.0)
    effect("additional_cost", cost)
    for name, den in (("cost_per_additional_job", "additional_jobs"),
                      ("cost_per_job_year", "additional_job_years"),
                      ("cost_per_household_kept", "households_kept_above_line")):
        if den in out:
            out[name], out[f"{name}_low"], out[f"{name}_high"] = _ratio(out, "additional_cost", den)
    out["interval"] = eff["interval"].iloc[0]
    order = eff.drop_duplicates("setting")["setting"]
    return out.loc[order].reset_index()


def _ratio(out: pd.DataFrame, num: str, den: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """num / den with bounds from the ends of both intervals; empty where den's includes 0."""
    told_apart = (out[f"{den}_low"] > 0) | (out[f"{den}_high"] < 0)
    ratio = (out[num] / out[den]).where(told_apart & (out[den] != 0))
    ends = np.stack([out[f"{num}_{a}"] / out[f"{den}_{b}"] for a in ("low", "high")
                     for b in ("low", "high")])
    low = pd.Series(ends.min(axis=0), index=out.index).where(told_apart)
    high = pd.Series(ends.max(axis=0), index=out.index).where(told_apart)
    return ratio, low, high


def seed_spread(frame: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Per setting and metric: mean over seeds and the 90% interval of that mean."""
    ok = _finished(frame)
    keys = setting_keys(ok)
    ok["setting"] = setting_labels(ok, keys)
    rows = []
    over_draws = len(pairing(ok)) > 1
    for label, jobs in ok.groupby("setting", sort=False):
        rows += _intervals(label, jobs.iloc[0], keys, jobs, metrics, "mean", over_draws)
    return pd.DataFrame(rows)
