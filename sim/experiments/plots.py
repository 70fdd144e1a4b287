"""Figures from a run or a sweep (PNG and SVG): monthly series with 90% bands, yearly totals,
a metric against swept keys, heatmaps, contributions against a reference and costs.
The command is `sim-plot` (sim.commands.plot). Bands and error bars are 90% intervals: over the
replicates of one job, or over the seeds of a sweep's setting.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..core.validation import InputError  # noqa: E402
from . import input_files, paired_effects  # noqa: E402
from .run_files import GROUPS, TIMESERIES, YEARLY, atomic_write  # noqa: E402
from .style import LABELS, LEVER_COLOURS, STATUS_COLOURS  # noqa: E402
from .sweep_results import RESULTS, check_sweep, collect  # noqa: E402
from .tables import write_csv  # noqa: E402

FORMATS = ("png", "svg")
CONTRIBUTION_METRICS = ("in_work", "out_of_province", "in_province", "in_county",
                        "households_below_line", "zero_employment_households")


class PlotError(InputError):
    """A figure that cannot be drawn from this folder (wrong folder, unknown key or metric)."""


def _cjk_font() -> str | None:
    """An installed font with the article's traditional characters (sans serif first)."""
    from matplotlib import font_manager
    names = {font.name for font in font_manager.fontManager.ttflist}
    for tag in ("Sans CJK TC", "Sans CJK SC", "CJK", "WenQuanYi", "Heiti", "SimHei"):
        found = sorted(n for n in names if tag in n)
        if found:
            return found[0]
    return None


# the same figure gives the same file: fixed SVG ids, no creation date
plt.rcParams["svg.hashsalt"] = "sim"
# texts come from folder names and overrides: a '$' in one is a dollar sign, never TeX to parse
# (an unbalanced formula would stop the figure)
plt.rcParams["text.parse_math"] = False
_CJK = _cjk_font()
if _CJK:
    plt.rcParams["font.sans-serif"] = [_CJK] + plt.rcParams["font.sans-serif"]


def label(metric: str) -> str:
    english, chinese = LABELS.get(metric, (metric.replace("_", " ").capitalize(), None))
    return f"{english} {chinese}" if (chinese and _CJK) else english


def save_figure(fig, out_dir: Path, name: str) -> list[Path]:
    """The figure as PNG and SVG, each written under a temporary name and renamed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in FORMATS:
        path = out_dir / f"{name}.{fmt}"
        atomic_write(path, lambda tmp, fmt=fmt: fig.savefig(
            tmp, format=fmt, dpi=150, bbox_inches="tight", metadata={"Date": None}))
        paths.append(path)
    plt.close(fig)
    return paths


def _people(ax, axis: str = "y") -> None:
    """Counts in 萬 (10,000 people), the article's unit."""
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1e4:,.1f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _yuan(ax, axis: str = "y") -> None:
    """Yuan with thousands separators (no scientific notation)."""
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _is_money(metric: str) -> bool:
    return metric.startswith("cost") or metric.endswith("_mean") or "income" in metric


def _unit(metric: str) -> str:
    if _is_money(metric) or metric.endswith("share"):
        return ""
    if metric.endswith("_months"):
        return " (10,000 person-months)"
    return " (10,000 households)" if "households" in metric else " (10,000 people)"


# ---- run folders ----------------------------------------------------------------------------
def series_figure(ts: pd.DataFrame, metrics: list[str], title: str, out_dir: Path,
                  name: str = "series") -> list[Path]:
    """Monthly series of `metrics` (group 'all'), each with its 90% band."""
    fig, ax = plt.subplots(figsize=(9, 5))
    data = ts[ts["group"] == "all"]
    for metric in metrics:
        rows = data[data["metric"] == metric]
        if rows.empty:
            raise PlotError(f"No metric '{metric}' in the time series; allowed: "
                            f"{', '.join(sorted(data['metric'].unique()))}.")
        x = pd.PeriodIndex(rows["month"], freq="M").to_timestamp()
        line, = ax.plot(x, rows["value"], label=label(metric), color=STATUS_COLOURS.get(metric))
        if {"low", "high"} <= set(rows.columns):
            ax.fill_between(x, rows["low"], rows["high"], color=line.get_color(), alpha=0.25)
    _people(ax)
    ax.set_ylabel("People (10,000, 萬)" if _CJK else "People (10,000)")
    ax.set_title(title)
    ax.legend(loc="center left", bbox_to_anchor=(1, 0.5), frameon=False)
    ax.grid(alpha=0.3)
    return save_figure(fig, out_dir, name)


def yearly_figure(yearly: pd.DataFrame, metrics: list[str], title: str, out_dir: Path,
                  hue: str | None = None, name: str = "yearly") -> list[Path]:
    """Yearly totals (end-of-year stocks, flows summed over the year), one panel per metric."""
    ncols = min(3, len(metrics))
    nrows = -(-len(metrics) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.8 * nrows), squeeze=False)
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    axes = [list(axes.flat)]
    groups = yearly.groupby(hue, sort=False) if hue else [(None, yearly)]
    for key, frame in groups:
        for ax, metric in zip(axes[0], metrics):
            rows = frame[frame["metric"] == metric].sort_values("year")
            err = None
            if {"low", "high"} <= set(rows.columns) and rows["low"].notna().all():
                err = np.clip(np.vstack([rows["value"] - rows["low"],
                                         rows["high"] - rows["value"]]), 0, None)
            ax.errorbar(rows["year"], rows["value"], yerr=err, marker="o", capsize=3,
                        label=str(key) if key is not None else None)
    for ax, metric in zip(axes[0], metrics):
        ax.set_title(label(metric) + _unit(metric), fontsize=10)
        ax.set_xticks(sorted(yearly["year"].unique()))
        ax.grid(alpha=0.3)
        if not _is_money(metric):
            _people(ax)
    if hue:
        axes[0][0].legend(frameon=False, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, out_dir, name)


def plot_run(run_dir: Path, metrics: list[str] | None, out_dir: Path,
             files: input_files.RunFiles | None = None) -> list[Path]:
    """The run's monthly series with bands, and its yearly totals when it spans years; from
    `files` when the caller has read them (input_files.read_run), else read here."""
    from ..core.population import STATUSES  # the model's (numba) modules: only where needed

    files = files or input_files.read_run(run_dir)
    ts, yearly = files.timeseries, files.yearly
    reps = files.summary["run"].get("replicates", 1)
    title = f"{run_dir.name}: workers by status, {reps} replicate(s), 90% band"
    paths = series_figure(ts, list(metrics or STATUSES), title, out_dir)
    if yearly is not None:
        yearly = yearly[yearly["group"] == "all"]
        if yearly["year"].nunique() > 1:
            paths += yearly_figure(yearly, ["in_work", "migrant", "in_county", "cost_total"],
                                   "Yearly totals", out_dir)
    return paths


# ---- sweep folders --------------------------------------------------------------------------
def load_results(sweep_dir: Path) -> pd.DataFrame:
    """The sweep's results.parquet; gathered first (sim-collect) where the sweep has none."""
    path = sweep_dir / RESULTS
    if path.exists():
        frame = input_files.read_table(path, input_files.RESULTS)
    else:
        check_sweep(sweep_dir)
        frame = collect(sweep_dir)
    if frame.empty or "status" not in frame or not (frame["status"] == "ok").any():
        raise PlotError(f"No finished job in '{sweep_dir}'.")
    return frame


def _column(frame: pd.DataFrame, key: str) -> str:
    col = key if key.startswith(paired_effects.PREFIX) else paired_effects.PREFIX + key.lstrip("+~")
    if col not in frame.columns:
        keys = ", ".join(c.removeprefix(paired_effects.PREFIX) for c in frame.columns
                         if c.startswith(paired_effects.PREFIX)) or "none"
        raise PlotError(f"The sweep has no key '{key}'; swept keys: {keys}.")
    return col


def check_metric(frame: pd.DataFrame, metric: str) -> None:
    if metric not in frame.columns:
        raise PlotError(f"No metric '{metric}' in the results; allowed: "
                        f"{', '.join(c for c in frame.columns if frame[c].dtype.kind == 'f')}.")


def _numeric(values: pd.Series) -> pd.Series:
    out = pd.to_numeric(values, errors="coerce")
    return out if out.notna().all() else values


def sweep_figure(frame: pd.DataFrame, x: str, metrics: list[str], out_dir: Path,
                 hue: str | None = None, name: str = "sweep") -> list[Path]:
    """Each metric (mean over seeds, 90% interval) against a swept key, one line per hue."""
    from scipy import stats  # half a second to import: only where a figure needs it

    xcol = _column(frame, x)
    hcol = _column(frame, hue) if hue else None
    for m in metrics:
        check_metric(frame, m)
    ok = frame[frame["status"] == "ok"].copy()
    ok["_x"] = _numeric(ok[xcol])
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.6 * len(metrics), 4), squeeze=False)
    hues = ok.groupby(hcol, sort=True) if hcol else [(None, ok)]
    for key, sub in hues:
        moments = sub.groupby("_x")[metrics].agg(["mean", "std", "count"])
        for ax, m in zip(axes[0], metrics):
            mean, sd, n = moments[m]["mean"], moments[m]["std"].fillna(0), moments[m]["count"]
            half = stats.t.ppf(0.95, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
            ax.errorbar(moments.index, mean, yerr=half, marker="o", capsize=3,
                        label=f"{paired_effects.short_key(hcol)}={key}" if hcol else None)
    for ax, m in zip(axes[0], metrics):
        ax.set_xlabel(paired_effects.short_key(xcol))
        ax.set_title(label(m) + _unit(m), fontsize=10)
        ax.grid(alpha=0.3)
        if not _is_money(m) and not m.endswith("share"):
            _people(ax)
    if hcol:
        axes[0][-1].legend(frameon=False, fontsize=8, loc="best")
    fig.suptitle(f"Mean over seeds, 90% interval ({len(ok)} finished jobs)")
    fig.tight_layout()
    return save_figure(fig, out_dir, name)


def heatmap_figure(frame: pd.DataFrame, x: str, y: str, metric: str, out_dir: Path,
                   reference: dict[str, str] | None = None, name: str | None = None) -> list[Path]:
    """A metric over two swept keys (mean over seeds), or its paired effect against a reference."""
    xcol, ycol = _column(frame, x), _column(frame, y)
    check_metric(frame, metric)
    bounds = None
    if reference:
        reference = paired_effects.resolve_reference(frame, reference)
        eff = paired_effects.paired_effects(frame, reference, [metric])
        ref = {xcol: reference.get(xcol), ycol: reference.get(ycol)}
        cells = eff.rename(columns={"effect": "value"})[[xcol, ycol, "value", "low", "high"]]
        cells = pd.concat([cells, pd.DataFrame([{**ref, "value": 0.0, "low": 0.0, "high": 0.0}])],
                          ignore_index=True)
        what = (f"{label(metric)}: change against {_reference_text(reference)}\n"
                f"paired, 90% interval over {eff['interval'].iloc[0]}")
    else:
        ok = frame[frame["status"] == "ok"]
        cells = ok.groupby([xcol, ycol], as_index=False)[metric].mean().rename(
            columns={metric: "value"})
        what = f"{label(metric)}, mean over seeds"
    cells[xcol], cells[ycol] = _numeric(cells[xcol]), _numeric(cells[ycol])
    grid = cells.pivot_table(index=ycol, columns=xcol, values="value").sort_index(
        ascending=False)
    if reference:
        bounds = [cells.pivot_table(index=ycol, columns=xcol, values=end).sort_index(
            ascending=False).reindex_like(grid).to_numpy() for end in ("low", "high")]
    fig, ax = plt.subplots(figsize=(1.4 * grid.shape[1] + 3, 1.0 * grid.shape[0] + 2))
    image = ax.imshow(grid.to_numpy(), cmap="viridis", aspect="auto")
    ax.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [str(i) for i in grid.index])
    ax.set_xlabel(paired_effects.short_key(xcol))
    ax.set_ylabel(paired_effects.short_key(ycol))
    values = grid.to_numpy()
    span = np.nanmax(values) - np.nanmin(values) or 1.0
    number = _cell_number(metric, values)
    for (i, j), v in np.ndenumerate(values):
        light = (v - np.nanmin(values)) / span > 0.6  # dark text on the light end of viridis
        text = number(v)
        if bounds is not None and not np.isnan(bounds[0][i, j]):
            text += f"\n[{number(bounds[0][i, j])}, {number(bounds[1][i, j])}]"
        ax.text(j, i, text, ha="center", va="center", color="black" if light else "white",
                fontsize=7)
    bar = fig.colorbar(image, ax=ax, label=_money_unit(values) if _is_money(metric)
                       else _unit(metric).strip(" ()"))
    bar.formatter = matplotlib.ticker.FuncFormatter(lambda v, _: number(v))
    bar.update_ticks()
    ax.set_title(what, fontsize=10)
    return save_figure(fig, out_dir, name or f"heatmap_{metric}")


def _money_unit(values: np.ndarray) -> str:
    return "billion yuan" if np.nanmax(np.abs(values)) >= 1e8 else "yuan"


def _cell_number(metric: str, values: np.ndarray):
    """How a heatmap writes its numbers: people in 萬 (10,000), yuan in billions when the
    largest is (the colour bar says which), shares as they are."""
    if _is_money(metric):
        if _money_unit(values) == "billion yuan":
            return lambda v: f"{v / 1e9:,.2f}"
        return lambda v: f"{v:,.0f}"
    if metric.endswith("share"):
        return lambda v: f"{v:.3f}"
    return lambda v: f"{v / 1e4:,.2f}"


def _reference_text(reference: dict[str, str]) -> str:
    frame = pd.DataFrame([reference])
    return paired_effects.setting_labels(frame, list(reference)).iloc[0]


def contributions_figure(frame: pd.DataFrame, reference: dict[str, str], out_dir: Path,
                         metrics: list[str] | None = None,
                         name: str = "contributions") -> list[Path]:
    """Each setting's paired effect against the reference, 90% interval. In an ablation sweep
    (the reference 'every lever on', each setting one lever off) a lever's contribution is
    what its removal takes away: reference - setting, and the figure says so; in any other
    sweep the bars are setting - reference, as in every other table and figure."""
    metrics = list(metrics or CONTRIBUTION_METRICS)
    eff = paired_effects.paired_effects(frame, reference, metrics)
    ablation = set(paired_effects.resolve_reference(frame, reference)) == {
        paired_effects.PREFIX + "ablation"}
    sign = -1.0 if ablation else 1.0
    settings = list(dict.fromkeys(eff["setting"]))
    labels = [s.removesuffix(" off") if ablation else s for s in settings]
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.3 * len(metrics), 0.35 * len(settings) + 2),
                             squeeze=False, sharey=True)
    for ax, m in zip(axes[0], metrics):
        rows = eff[eff["metric"] == m].set_index("setting").loc[settings]
        value = sign * rows["effect"]
        ends = np.vstack([sign * rows["low"], sign * rows["high"]])
        err = np.clip(np.vstack([value - ends.min(axis=0), ends.max(axis=0) - value]), 0, None)
        ax.barh(range(len(settings)), value, xerr=np.nan_to_num(err), capsize=2,
                color="tab:blue")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(label(m) + _unit(m), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        _people(ax, "x")
    axes[0][0].set_yticks(range(len(settings)), labels)
    axes[0][0].invert_yaxis()
    what = ("each lever's contribution: every lever on - that lever off" if ablation else
            f"setting - {_reference_text(reference)}")
    fig.suptitle(f"{what}; 90% interval over {eff['interval'].iloc[0]}", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, out_dir, name)


def cost_figure(frame: pd.DataFrame, reference: dict[str, str], out_dir: Path,
                name: str = "cost") -> list[Path]:
    """Cost per additional job, per additional job-year and per household kept above the line
    against the reference, with 90% intervals; cost.csv holds each ratio with `_low` and
    `_high` (sim.experiments.paired_effects.cost_effectiveness)."""
    table = paired_effects.cost_effectiveness(frame, reference)
    panels = [(c, t) for c, t in (("cost_per_additional_job", "Yuan per additional job"),
                                  ("cost_per_job_year", "Yuan per additional job-year"),
                                  ("cost_per_household_kept",
                                   "Yuan per household kept above the line"))
              if c in table]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 0.35 * len(table) + 2),
                             sharey=True, squeeze=False)
    y = np.arange(len(table))
    for ax, (col, title) in zip(axes[0], panels):
        values = table[col]
        err = np.clip(np.vstack([values - table[f"{col}_low"], table[f"{col}_high"] - values]),
                      0, None)
        ax.barh(y, values.fillna(0), color="tab:green",
                xerr=np.where(np.isnan(err), 0, err), capsize=3)
        for i, v in enumerate(values):
            text = ("  no clear effect" if np.isnan(v) else
                    f"  {v:,.0f} ({table[f'{col}_low'].iloc[i]:,.0f}-"
                    f"{table[f'{col}_high'].iloc[i]:,.0f})")
            ax.text(0, i, text, va="center", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        _yuan(ax, "x")
    axes[0][0].set_yticks(y, table["setting"])
    axes[0][0].invert_yaxis()
    fig.suptitle(f"Fiscal cost per effect against {_reference_text(reference)}: ratio of the "
                 f"mean effects, 90% interval over {table['interval'].iloc[0]}", fontsize=10)
    fig.tight_layout()
    paths = save_figure(fig, out_dir, name)
    csv = out_dir / f"{name}.csv"
    write_csv(table, csv)
    return paths + [csv]


def series_by_setting(sweep_dir: Path, frame: pd.DataFrame, metric: str, out_dir: Path,
                      name: str | None = None) -> list[Path]:
    """A monthly metric per setting: the mean over seeds with the 90% band across seeds."""
    ok = frame[frame["status"] == "ok"].copy()
    ok["setting"] = paired_effects.setting_labels(ok)
    fig, ax = plt.subplots(figsize=(9, 5))
    colours = setting_colours(list(dict.fromkeys(ok["setting"])))
    for setting, jobs in ok.groupby("setting", sort=False):
        runs = [input_files.read_table(job_dir(sweep_dir, j) / TIMESERIES, input_files.TIMESERIES)
                for j in jobs["job"]]
        runs = [r[(r["group"] == "all") & (r["metric"] == metric)].reset_index(drop=True)
                for r in runs]
        values = np.stack([r["value"].to_numpy() for r in runs])
        x = pd.PeriodIndex(runs[0]["month"], freq="M").to_timestamp()
        line, = ax.plot(x, values.mean(axis=0), label=setting, color=colours[setting],
                        ls="--" if setting in ("every lever on", "every lever off") else "-")
        if len(runs) > 1:
            low, high = np.quantile(values, (0.05, 0.95), axis=0)
        else:
            low, high = runs[0]["low"], runs[0]["high"]
        ax.fill_between(x, low, high, color=line.get_color(), alpha=0.2)
    _people(ax)
    covers = ("posterior draws and seeds" if paired_effects.DRAW in ok
              and ok[paired_effects.DRAW].nunique() > 1 else "seeds")
    ax.set_title(f"{label(metric)}{_unit(metric)}, mean over {covers}, 90% band")
    ax.legend(loc="center left", bbox_to_anchor=(1, 0.5), frameon=False, fontsize=8)
    ax.grid(alpha=0.3)
    return save_figure(fig, out_dir, name or f"series_{metric}")


def setting_colours(settings: list[str]) -> dict[str, str]:
    """One colour per setting that no other setting shares: a lever's own colour wherever the
    setting names one lever (`training off`), black and grey for the whole mix and none, and
    otherwise tab20's twenty colours."""
    fixed = {"every lever on": "black", "every lever off": "dimgray"}
    out = {}
    for setting in settings:
        lever = setting.removesuffix(" off")
        out[setting] = fixed.get(setting) or LEVER_COLOURS.get(lever)
    tab20 = plt.get_cmap("tab20").colors  # its light shades first: the levers take tab10's
    spare = iter(tab20[1::2] + tab20[0::2])
    return {s: c if c is not None else next(spare) for s, c in out.items()}


def yearly_runs(sweep_dir: Path, frame: pd.DataFrame, group: str = "all") -> pd.DataFrame:
    """Every finished job's yearly figures (one reporting group), long: setting, seed,
    posterior_draw, year, metric, value."""
    ok = frame[frame["status"] == "ok"].copy()
    ok["setting"] = paired_effects.setting_labels(ok)
    parts = []
    for _, job in ok.iterrows():
        part = input_files.read_table(job_dir(sweep_dir, job["job"]) / YEARLY, input_files.YEARLY)
        part = part[part["group"] == group]
        part = part[["year", "metric", "value"]].copy()
        part["setting"], part["seed"] = job["setting"], job["seed"]
        part["posterior_draw"] = job.get("posterior_draw", -1)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def covers(runs: pd.DataFrame) -> str:
    """What the spread over a setting's jobs covers."""
    return ("posterior draws and seeds" if runs["posterior_draw"].nunique() > 1 else "seeds")


def yearly_by_setting(sweep_dir: Path, frame: pd.DataFrame, metrics: list[str],
                      out_dir: Path, name: str = "yearly") -> list[Path]:
    """Yearly figures per setting: the mean over its jobs with the 90% interval (5th to 95th
    percentile) across them: over seeds, or over posterior draws and seeds."""
    runs = yearly_runs(sweep_dir, frame)
    grouped = runs.groupby(["setting", "year", "metric"], sort=False)["value"]
    yearly = grouped.mean().rename("value").reset_index()
    yearly["low"] = grouped.quantile(0.05).to_numpy()
    yearly["high"] = grouped.quantile(0.95).to_numpy()
    yearly["interval"] = f"90% over {covers(runs)}"
    paths = yearly_figure(yearly, metrics,
                          f"Yearly figures: mean, 90% interval over {covers(runs)}",
                          out_dir, hue="setting", name=name)
    table = out_dir / f"{name}.csv"
    write_csv(yearly[yearly["metric"].isin(metrics)], table)
    return paths + [table]


def yearly_effects_figure(effects: pd.DataFrame, metrics: list[str], reference: str,
                          out_dir: Path, name: str = "yearly_effects") -> list[Path]:
    """Paired differences from the reference setting by year (`yearly_paired_effects`), one
    panel per metric, one line per setting, 90% intervals as error bars."""
    ncols = min(3, len(metrics))
    nrows = -(-len(metrics) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.8 * nrows), squeeze=False)
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    for ax, metric in zip(axes.flat, metrics):
        rows = effects[effects["metric"] == metric]
        for setting, part in rows.groupby("setting", sort=False):
            part = part.sort_values("year")
            err = np.clip(np.vstack([part["effect"] - part["low"], part["high"] - part["effect"]]),
                          0, None)
            ax.errorbar(part["year"], part["effect"], yerr=err, marker="o", capsize=3,
                        label=str(setting))
        ax.axhline(0, color="black", lw=0.8)
        ax.set_title(label(metric) + _unit(metric), fontsize=10)
        ax.set_xticks(sorted(effects["year"].unique()))
        ax.grid(alpha=0.3)
        if not _is_money(metric):
            _people(ax)
    axes.flat[0].legend(frameon=False, fontsize=8)
    covers = effects["interval"].iloc[0] if len(effects) else ""
    fig.suptitle(f"Against {reference}: paired difference, 90% interval over {covers}")
    fig.tight_layout()
    return save_figure(fig, out_dir, name)


def shapley_figure(table: pd.DataFrame, one_at_a_time: pd.DataFrame, out_dir: Path,
                   metrics: tuple[str, ...] = ("in_work", "households_below_line"),
                   name: str = "shapley") -> list[Path]:
    """Per lever: its Shapley value (sim.experiments.shapley) beside its one-at-a-time
    contribution (every lever on - that lever off), 90% intervals; the Shapley values add up
    to the whole mix against no policy, the one-at-a-time contributions need not."""
    levers = [x for x in dict.fromkeys(table["lever"]) if x != "whole mix"]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 0.45 * len(levers) + 2),
                             squeeze=False, sharey=True)
    y = np.arange(len(levers))
    for ax, metric in zip(axes[0], metrics):
        sh = table[table["metric"] == metric].set_index("lever")
        oat = one_at_a_time[one_at_a_time["metric"] == metric].copy()
        oat["lever"] = oat["setting"].str.removesuffix(" off")
        oat = oat.set_index("lever").reindex(levers)
        for offset, values, low, high, text in (
                (-0.2, sh.loc[levers, "shapley"], sh.loc[levers, "low"], sh.loc[levers, "high"],
                 "Shapley value"),
                (0.2, -oat["effect"], -oat["high"], -oat["low"], "one at a time")):
            err = np.clip(np.vstack([values - low, high - values]), 0, None)
            ax.barh(y + offset, values, 0.4, xerr=np.nan_to_num(err), capsize=2, label=text,
                    color=LEVER_COLOURS_BY_KIND[text])
        whole = sh.loc["whole mix"]
        total = sh.loc[levers, "shapley"].sum()
        ax.set_title(f"{label(metric)}{_unit(metric)}\nwhole mix {whole['shapley']:,.0f} "
                     f"({whole['low']:,.0f} to {whole['high']:,.0f}); Shapley sum {total:,.0f}",
                     fontsize=9)
        ax.axvline(0, color="black", lw=0.8)
        ax.grid(axis="x", alpha=0.3)
        _people(ax, "x")
    axes[0][0].set_yticks(y, levers)
    axes[0][0].invert_yaxis()
    axes[0][0].legend(fontsize=8, frameon=False)
    fig.suptitle("Attribution of the 2021 mix: Shapley values (orders of switching the levers "
                 "on; 90% interval over orders) and one-at-a-time contributions", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, out_dir, name)


def decomposition_figure(table: pd.DataFrame, metrics: list[str], out_dir: Path,
                         name: str = "decomposition") -> list[Path]:
    """The change of each metric over the projection's years and each driver's part of it, 90%
    intervals over posterior draws and seeds (sim.experiments.studies.decomposition_table)."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.6 * len(metrics), 3.8), squeeze=False,
                             sharey=True)
    for ax, metric in zip(axes[0], metrics):
        rows = table[table["metric"] == metric]
        y = np.arange(len(rows))
        err = np.clip(np.vstack([rows["part"] - rows["low"], rows["high"] - rows["part"]]), 0, None)
        colours = ["black"] + ["tab:blue"] * (len(rows) - 2) + ["tab:gray"]
        ax.barh(y, rows["part"], xerr=err, capsize=2, color=colours)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(label(metric) + _unit(metric), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        _people(ax, "x")
        ax.set_yticks(y, rows["driver"])
    axes[0][0].invert_yaxis()
    fig.suptitle("The path of work taken apart: each driver's part of the change (the change "
                 "less the change without it), 90% interval over posterior draws", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, out_dir, name)


LEVER_COLOURS_BY_KIND = {"Shapley value": "tab:blue", "one at a time": "tab:gray"}


GROUP_DIMENSIONS = ("region", "county_type", "sex", "age_band", "relocated", "monitored",
                    "capacity")


def groups_figure(sweep_dir: Path, frame: pd.DataFrame, out_dir: Path,
                  metric: str = "in_work", name: str = "groups") -> list[Path]:
    """Who gains: the share of each group's labour force in `metric` (December of the last
    year), one panel per dimension, one bar per setting with its 90% interval over the
    setting's jobs (seeds, or posterior draws and seeds); and groups.csv."""
    path = sweep_dir / GROUPS
    if not path.exists():
        raise PlotError(f"'{sweep_dir}' has no {GROUPS}: its jobs wrote no outcomes by group "
                        "(run sim-collect on the folder, or rerun the sweep).")
    data = input_files.read_table(path, input_files.SWEEP_GROUPS)
    data = data[data["year"] == data["year"].max()]
    ok = frame[frame["status"] == "ok"].copy()
    ok["setting"] = paired_effects.setting_labels(ok)
    wide = data.pivot_table(index=["job", "dimension", "group"], columns="metric",
                            values="value").reset_index()
    if metric not in wide or "labour_force" not in wide:
        raise PlotError(f"No metric '{metric}' by group (or no labour_force to share it by) in "
                        f"'{path}'; there are: {', '.join(sorted(wide.columns[3:])) or 'none'}.")
    wide["share"] = wide[metric] / wide["labour_force"]
    wide["job"] = wide["job"].astype(str)
    wide = wide.merge(ok.assign(job=ok["job"].astype(str))[["job", "setting"]], on="job")
    dims = [d for d in GROUP_DIMENSIONS if d in set(wide["dimension"])]
    fig, axes = plt.subplots(1, len(dims), figsize=(3.2 * len(dims), 4), squeeze=False)
    settings = list(dict.fromkeys(ok["setting"]))
    width = 0.8 / max(len(settings), 1)
    table = (wide.groupby(["dimension", "group", "setting"], sort=False)["share"]
             .agg(share="mean", low=lambda x: x.quantile(0.05), high=lambda x: x.quantile(0.95))
             .reset_index())
    for ax, dim in zip(axes[0], dims):
        part = table[table["dimension"] == dim]
        groups = list(dict.fromkeys(part["group"]))
        x = np.arange(len(groups))
        for i, setting in enumerate(settings):
            rows = part[part["setting"] == setting].set_index("group").reindex(groups)
            err = np.clip(np.vstack([rows["share"] - rows["low"], rows["high"] - rows["share"]]),
                          0, None)
            ax.bar(x + (i - (len(settings) - 1) / 2) * width, rows["share"], width,
                   yerr=np.nan_to_num(err), capsize=2, label=setting)
        ax.set_xticks(x, groups, rotation=30, fontsize=8)
        ax.set_title(dim.replace("_", " "), fontsize=10)
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel(f"{label(metric)}, share of the group's labour force")
    axes[0][0].legend(fontsize=7, frameon=False)
    fig.suptitle(f"Who gains: {label(metric).lower()} by group, December "
                 f"{int(data['year'].max())}; 90% interval over each setting's jobs", fontsize=10)
    fig.tight_layout()
    csv = out_dir / f"{name}.csv"
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(table, csv)
    return save_figure(fig, out_dir, name) + [csv]


def job_dir(sweep_dir: Path, job: str) -> Path:
    direct = sweep_dir / str(job)
    if direct.is_dir():
        return direct
    found = [p.parent for p in sweep_dir.rglob(".hydra") if p.parent.name == str(job)]
    if not found:
        raise PlotError(f"Job folder '{job}' of {sweep_dir / RESULTS} not found under "
                        f"'{sweep_dir}'; allowed: the results of this sweep's own job folders "
                        "(gather them again with sim-collect).")
    return found[0]
