"""Figures from a run or a sweep (PNG and SVG): monthly series with 90% bands, yearly totals,
a metric against swept keys, heatmaps, contributions against a reference and costs.
The command is `sim-plot` (sim.commands.plot). Bands and error bars are 90% intervals: over the
replicates of one job, or over the seeds of a sweep's setting.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from ..core.population import STATUSES  # noqa: E402
from . import paired_effects  # noqa: E402
from .run_files import SUMMARY, TIMESERIES, YEARLY  # noqa: E402
from .style import LABELS, STATUS_COLOURS  # noqa: E402
from .sweep_results import RESULTS, collect  # noqa: E402

FORMATS = ("png", "svg")
KINDS = ("auto", "series", "yearly", "sweep", "heatmap", "contributions", "cost")
CONTRIBUTION_METRICS = ("in_work", "out_of_province", "in_province", "in_county",
                        "households_below_line", "zero_employment_households")


class PlotError(ValueError):
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
_CJK = _cjk_font()
if _CJK:
    plt.rcParams["font.sans-serif"] = [_CJK] + plt.rcParams["font.sans-serif"]


def label(metric: str) -> str:
    english, chinese = LABELS.get(metric, (metric.replace("_", " ").capitalize(), None))
    return f"{english} {chinese}" if (chinese and _CJK) else english


def save_figure(fig, out_dir: Path, name: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in FORMATS:
        path = out_dir / f"{name}.{fmt}"
        fig.savefig(path, dpi=150, bbox_inches="tight", metadata={"Date": None})
        paths.append(path)
    plt.close(fig)
    return paths


def _people(ax, axis: str = "y") -> None:
    """Counts in 萬 (10,000 people), the article's unit."""
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1e4:,.1f}")
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
            raise PlotError(f"No metric '{metric}' in the time series; metrics: "
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


def plot_run(run_dir: Path, metrics: list[str] | None, out_dir: Path) -> list[Path]:
    ts = pd.read_parquet(run_dir / TIMESERIES)
    doc = json.loads((run_dir / SUMMARY).read_text())
    reps = doc.get("run", {}).get("replicates", 1)
    title = f"{run_dir.name}: workers by status, {reps} replicate(s), 90% band"
    paths = series_figure(ts, list(metrics or STATUSES), title, out_dir)
    if (run_dir / YEARLY).exists():
        yearly = pd.read_parquet(run_dir / YEARLY)
        if yearly["year"].nunique() > 1:
            paths += yearly_figure(yearly, ["in_work", "migrant", "in_county", "cost_total"],
                                   "Yearly totals", out_dir)
    return paths


# ---- sweep folders --------------------------------------------------------------------------
def load_results(sweep_dir: Path) -> pd.DataFrame:
    path = sweep_dir / RESULTS
    frame = pd.read_parquet(path) if path.exists() else collect(sweep_dir)
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
        raise PlotError(f"No metric '{metric}' in the results; metrics: "
                        f"{', '.join(c for c in frame.columns if frame[c].dtype.kind == 'f')}.")


def _numeric(values: pd.Series) -> pd.Series:
    out = pd.to_numeric(values, errors="coerce")
    return out if out.notna().all() else values


def sweep_figure(frame: pd.DataFrame, x: str, metrics: list[str], out_dir: Path,
                 hue: str | None = None, name: str = "sweep") -> list[Path]:
    """Each metric (mean over seeds, 90% interval) against a swept key, one line per hue."""
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
    if reference:
        eff = paired_effects.paired_effects(frame, reference, [metric])
        ref = {xcol: reference.get(xcol), ycol: reference.get(ycol)}
        cells = eff.rename(columns={"effect": "value"})[[xcol, ycol, "value"]]
        cells = pd.concat([cells, pd.DataFrame([{**ref, "value": 0.0}])], ignore_index=True)
        what = f"{label(metric)}: change against {_reference_text(reference)} (same seeds)"
    else:
        ok = frame[frame["status"] == "ok"]
        cells = ok.groupby([xcol, ycol], as_index=False)[metric].mean().rename(
            columns={metric: "value"})
        what = f"{label(metric)}, mean over seeds"
    cells[xcol], cells[ycol] = _numeric(cells[xcol]), _numeric(cells[ycol])
    grid = cells.pivot_table(index=ycol, columns=xcol, values="value").sort_index(
        ascending=False)
    fig, ax = plt.subplots(figsize=(1.4 * grid.shape[1] + 3, 1.0 * grid.shape[0] + 2))
    image = ax.imshow(grid.to_numpy(), cmap="viridis", aspect="auto")
    ax.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [str(i) for i in grid.index])
    ax.set_xlabel(paired_effects.short_key(xcol))
    ax.set_ylabel(paired_effects.short_key(ycol))
    people = not _is_money(metric) and not metric.endswith("share")
    values = grid.to_numpy()
    span = np.nanmax(values) - np.nanmin(values) or 1.0
    for (i, j), v in np.ndenumerate(values):
        light = (v - np.nanmin(values)) / span > 0.6  # dark text on the light end of viridis
        ax.text(j, i, f"{v / 1e4:,.2f}" if people else f"{v:,.3g}", ha="center", va="center",
                color="black" if light else "white", fontsize=8)
    bar = fig.colorbar(image, ax=ax, label=_unit(metric).strip(" ()"))
    if people:
        bar.formatter = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1e4:,.2f}")
        bar.update_ticks()
    ax.set_title(what, fontsize=10)
    return save_figure(fig, out_dir, name or f"heatmap_{metric}")


def _reference_text(reference: dict[str, str]) -> str:
    frame = pd.DataFrame([reference])
    return paired_effects.setting_labels(frame, list(reference)).iloc[0]


def contributions_figure(frame: pd.DataFrame, reference: dict[str, str], out_dir: Path,
                         metrics: list[str] | None = None,
                         name: str = "contributions") -> list[Path]:
    """What each setting takes away against the reference: reference - setting, 90% interval.
    With the reference 'every lever on' and each setting one lever off, this is each lever's
    contribution."""
    metrics = list(metrics or CONTRIBUTION_METRICS)
    eff = paired_effects.paired_effects(frame, reference, metrics)
    settings = list(dict.fromkeys(eff["setting"]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.3 * len(metrics), 0.35 * len(settings) + 2),
                             squeeze=False, sharey=True)
    for ax, m in zip(axes[0], metrics):
        rows = eff[eff["metric"] == m].set_index("setting").loc[settings]
        value = -rows["effect"]
        err = np.clip(np.vstack([value + rows["high"], -rows["low"] - value]), 0, None)
        ax.barh(range(len(settings)), value, xerr=np.nan_to_num(err), capsize=2,
                color="tab:blue")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(label(m), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        _people(ax, "x")
    axes[0][0].set_yticks(range(len(settings)), settings)
    axes[0][0].invert_yaxis()
    fig.suptitle(f"Contribution against {_reference_text(reference)} (reference - setting; "
                 "10,000 people or households; 90% interval over paired seeds)", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, out_dir, name)


def cost_figure(frame: pd.DataFrame, reference: dict[str, str], out_dir: Path,
                name: str = "cost") -> list[Path]:
    """Cost per additional job and per household kept above the line, against the reference."""
    table = paired_effects.cost_effectiveness(frame, reference)
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.35 * len(table) + 2), sharey=True)
    y = np.arange(len(table))
    for ax, col, title in zip(axes, ("cost_per_additional_job", "cost_per_household_kept"),
                              ("Yuan per additional job", "Yuan per household kept above the line")):
        values = table[col]
        ax.barh(y, values.fillna(0), color="tab:green")
        for i, v in enumerate(values):
            ax.text(0, i, "  no clear effect" if np.isnan(v) else f"  {v:,.0f}", va="center",
                    fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, table["setting"])
    axes[0].invert_yaxis()
    fig.suptitle(f"Fiscal cost per effect against {_reference_text(reference)} (same seeds)",
                 fontsize=10)
    fig.tight_layout()
    paths = save_figure(fig, out_dir, name)
    csv = out_dir / f"{name}.csv"
    table.to_csv(csv, index=False, float_format="%.6g")
    return paths + [csv]


def series_by_setting(sweep_dir: Path, frame: pd.DataFrame, metric: str, out_dir: Path,
                      name: str | None = None) -> list[Path]:
    """A monthly metric per setting: the mean over seeds with the 90% band across seeds."""
    ok = frame[frame["status"] == "ok"].copy()
    ok["setting"] = paired_effects.setting_labels(ok)
    fig, ax = plt.subplots(figsize=(9, 5))
    for setting, jobs in ok.groupby("setting", sort=False):
        runs = [pd.read_parquet(job_dir(sweep_dir, j) / TIMESERIES) for j in jobs["job"]]
        runs = [r[(r["group"] == "all") & (r["metric"] == metric)].reset_index(drop=True)
                for r in runs]
        values = np.stack([r["value"].to_numpy() for r in runs])
        x = pd.PeriodIndex(runs[0]["month"], freq="M").to_timestamp()
        line, = ax.plot(x, values.mean(axis=0), label=setting)
        if len(runs) > 1:
            low, high = np.quantile(values, (0.05, 0.95), axis=0)
        else:
            low, high = runs[0]["low"], runs[0]["high"]
        ax.fill_between(x, low, high, color=line.get_color(), alpha=0.2)
    _people(ax)
    ax.set_title(f"{label(metric)}{_unit(metric)}, mean over seeds, 90% band")
    ax.legend(loc="center left", bbox_to_anchor=(1, 0.5), frameon=False, fontsize=8)
    ax.grid(alpha=0.3)
    return save_figure(fig, out_dir, name or f"series_{metric}")


def yearly_by_setting(sweep_dir: Path, frame: pd.DataFrame, metrics: list[str],
                      out_dir: Path, name: str = "yearly") -> list[Path]:
    """Yearly totals per setting: mean over seeds with the 90% interval across seeds."""
    ok = frame[frame["status"] == "ok"].copy()
    ok["setting"] = paired_effects.setting_labels(ok)
    parts = []
    for setting, jobs in ok.groupby("setting", sort=False):
        runs = [pd.read_parquet(job_dir(sweep_dir, j) / YEARLY) for j in jobs["job"]]
        values = np.stack([r["value"].to_numpy() for r in runs])
        part = runs[0][["year", "metric"]].copy()
        part["value"] = values.mean(axis=0)
        part["low"], part["high"] = np.quantile(values, (0.05, 0.95), axis=0)
        part["setting"] = setting
        parts.append(part)
    yearly = pd.concat(parts, ignore_index=True)
    paths = yearly_figure(yearly, metrics, "Yearly totals: mean over seeds, 90% interval",
                          out_dir, hue="setting", name=name)
    table = out_dir / f"{name}.csv"
    yearly[yearly["metric"].isin(metrics)].to_csv(table, index=False, float_format="%.6g")
    return paths + [table]


def job_dir(sweep_dir: Path, job: str) -> Path:
    direct = sweep_dir / str(job)
    if direct.is_dir():
        return direct
    found = [p.parent for p in sweep_dir.rglob(".hydra") if p.parent.name == str(job)]
    if not found:
        raise PlotError(f"Job folder '{job}' not found under '{sweep_dir}'.")
    return found[0]
