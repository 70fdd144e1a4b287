"""`sim-dashboard`: the model in the browser, on Mesa's SolaraViz.

The page has sliders and switches for the main levers and the population scale (they take effect
on Reset), Step / Play to advance the model month by month, charts of workers by status, the
in-county breakdown and households with nobody in work, and a panel that compares the run with
the article's figures (seeds/figures.yaml through `sim.experiments.targets`).

It runs a reduced sample by default (`DEFAULT_SCALE`, 1:50) so that a Reset answers in a second
or two; counts are scaled up to the full labour force, as in every run.
"""

from __future__ import annotations

import argparse
import copy
import html
import io
import math
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from ..core.model import LaborExportModel
from ..core.population import STATUS_TABLE
from ..core.params import Config
from ..core.validation import ConfigError, InputError, validate
from ..experiments import targets
from ..experiments.compose import load
from ..experiments.runner import year_figures
from ..experiments.style import STATUS_COLOURS
from .cli import MIN_WORKERS, Parser, answers_bad_input, argument_type, whole_number
from .input_checks import group_options

DEFAULT_SCALE = 0.02  # 50,000 of the 2.5 million workers: a Reset takes a second or two
SCALES = (0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0)
SCALE_ENV = "SIM_DASHBOARD_SCALE"  # how `main` hands --scale to the page (solara imports it)
DEFAULT_PORT = 8765
PROG = "sim-dashboard"
# The browser packages the page loads through solara's CDN proxy, at the versions solara 1.64
# asks for with Vue 2 (ipyvuetify < 3; solara/server/templates/solara.html.j2, GridDraggable).
# solara fetches them from a public CDN on first use; `ensure_assets` puts them in its cache with
# npm instead, so the page also works where only the package registries are reachable.
SOLARA_CDN_PACKAGES = (("@widgetti/solara-vuetify-app", "10.1.1"), ("requirejs", "2.3.6"),
                       ("font-awesome", "4.5.0"), ("@widgetti/vue-grid-layout", "2.3.13-alpha.2"))

# the statuses of the status chart: the model's table of statuses, one colour each
STATUS_SERIES = tuple((name, label, STATUS_COLOURS[name]) for name, label, _ in STATUS_TABLE)
IN_COUNTY_SERIES = STATUS_SERIES[2:5]
FIGURE_NAMES = {
    "worked_any_month": "worked in 2021 (累計)",
    "worked_out_of_province": "of them, mostly out of the province",
    "worked_in_province": "of them, mostly in the province",
    "worked_in_county": "of them, mostly in the home county",
    "worked_any_growth": "worked in 2021, over 2020",
    "workshop": "in assistance workshops",
    "workshop_paired": "in paired (Jiangsu) workshops",
    "public_welfare": "on public-welfare posts",
    "trained_employed_share": "trained in 2021, share in work",
    "startup_jobs": "jobs from start-up loans",
    "brand_jobs": "labour-brand jobs",
    "transported": "point-to-point transport",
    "trainees": "trainees",
}


# ---------------------------------------------------------------------------------------------
# the model behind the page: SolaraViz builds it from keyword arguments (one per control)
# ---------------------------------------------------------------------------------------------


def scale_label(scale: float, labour_force: int = 2_500_000) -> str:
    """'1:50 (50,000 workers)' for 0.02; 'full (2,500,000 workers)' for 1."""
    workers = f"{round(labour_force * scale):,} workers"
    if scale >= 1:
        return f"full ({workers})"
    ratio = 1 / scale
    ratio_text = f"{ratio:,.0f}" if abs(ratio - round(ratio)) < 1e-6 else f"{ratio:,.1f}"
    return f"1:{ratio_text} ({workers})"


def parse_scale(text: str | float) -> float:
    """A population scale from a number or a `scale_label`; ValueError when it is not one."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        raw = str(text).strip()
        if raw.startswith("full"):
            value = 1.0
        elif raw.startswith("1:"):
            value = 1.0 / float(raw[2:].split()[0].replace(",", ""))
        else:
            value = float(raw)
    if not math.isfinite(value) or not 0 < value <= 1:
        raise ValueError(value)
    return value


def default_scale() -> float:
    """The page's starting scale: --scale (through the environment) or DEFAULT_SCALE."""
    try:
        return parse_scale(os.environ.get(SCALE_ENV, DEFAULT_SCALE))
    except ValueError:
        return DEFAULT_SCALE


_load_lock = threading.Lock()
_base_configs: dict[str, Config] = {}


def base_config(scenario: str) -> Config:
    """The shipped config of a scenario, composed once (Hydra's global state is not shared
    between threads, so composition is serialised)."""
    with _load_lock:
        if scenario not in _base_configs:
            _base_configs[scenario] = load([f"scenario={scenario}"])
        return copy.deepcopy(_base_configs[scenario])


def scenarios() -> list[str]:
    """The shipped scenarios (`conf/scenario/`)."""
    return group_options("scenario", [])


# the levers the page sizes with a slider (x their 2021 size; 0 switches the lever off), what
# their size counts, and the levers it switches on or off
SIZED = {"training": "trainees a year", "workshops": "sites", "public_welfare": "posts",
         "transport": "seats"}
SWITCHED = {"referral": "Job referral and export bases", "startup_loans": "Start-up loans",
            "labour_brands": "Labour brands", "zero_employment": "Zero-employment clearing",
            "monitoring": "Dynamic monitoring"}


def _size(cfg: Config, lever: str) -> float:
    """A lever's 2021 size in the unit of SIZED, from the shipped config."""
    p = cfg.policy
    return {"training": p.training.trainees_per_year,
            "workshops": p.workshops.workshops + p.workshops.bases,
            "public_welfare": p.public_welfare.posts,
            "transport": p.transport.capacity_per_year}[lever]


def model_params(scale: float) -> dict:
    """SolaraViz's controls, one per keyword of DashboardModel; labels and defaults come from the
    shipped config (`conf/`) and the scenario list from `conf/scenario/`."""
    cfg = base_config("baseline_2021")
    scales = sorted(set(SCALES) | {scale})
    params = {
        "population_scale": {"type": "Select", "label": "Population sample (press Reset)",
                             "value": scale_label(scale),
                             "values": [scale_label(s) for s in scales]},
        "scenario_name": {"type": "Select", "label": "Scenario", "value": cfg.scenario.name,
                          "values": scenarios()},
    }
    names = {"training": "Training", "workshops": "Assistance workshops",
             "public_welfare": "Public-welfare posts", "transport": "Point-to-point transport"}
    for lever, unit in SIZED.items():
        params[lever] = {"type": "SliderFloat", "value": 1.0, "min": 0.0, "max": 3.0, "step": 0.1,
                         "label": f"{names[lever]} (× {_size(cfg, lever):,} {unit})"}
    params["hiring_subsidy"] = {"type": "SliderFloat", "label": "Hiring subsidy (yuan per hire)",
                                "value": cfg.policy.hiring_subsidy.amount, "min": 0.0,
                                "max": 8000.0, "step": 500.0}
    params["epidemic"] = {"type": "SliderFloat", "label": "Epidemic strength (× 2021)",
                          "value": cfg.scenario.disruption_scale, "min": 0.0, "max": 3.0,
                          "step": 0.1}
    for lever, label in SWITCHED.items():
        params[lever] = {"type": "Checkbox", "label": label,
                         "value": getattr(cfg.policy, lever).enabled}
    params["seed"] = {"type": "SliderInt", "label": "Seed", "value": cfg.seed, "min": 0, "max": 9,
                      "step": 1}
    return params


def initial_kwargs(params: dict) -> dict:
    return {name: spec["value"] for name, spec in params.items()}


def describe(values: dict) -> str:
    """The run's levers in one line."""
    off = [name.replace("_", " ") for name in SWITCHED if not values[name]]
    sizes = ", ".join(f"{lever.replace('_', ' ')} ×{values[lever]:g}" for lever in SIZED)
    return (f"Levers: {sizes}, hiring subsidy {values['hiring_subsidy']:,.0f} yuan, "
            f"epidemic ×{values['epidemic']:g}" + (f"; off: {', '.join(off)}" if off else "") + ".")


def config_of(values: dict) -> tuple[Config, list[str]]:
    """The run's config from the controls' values (any left out take their default), and notes
    on values the scenario could not take as given."""
    values = {**initial_kwargs(model_params(DEFAULT_SCALE)), **values}
    name = values["scenario_name"]
    if name not in scenarios():
        raise ConfigError(f"Invalid value for 'scenario': got {name!r}; "
                          f"allowed: one of {', '.join(scenarios())}.")
    cfg = base_config(name)
    notes = []
    cfg.seed = int(values["seed"])
    cfg.quiet = True
    cfg.population.scale = parse_scale(values["population_scale"])
    p = cfg.policy
    for lever in SIZED:  # a size slider at 0 switches the lever off, as `enabled=false` does
        getattr(p, lever).scale = float(values[lever])
        getattr(p, lever).enabled = float(values[lever]) > 0
    p.hiring_subsidy.amount = float(values["hiring_subsidy"])
    p.hiring_subsidy.enabled = float(values["hiring_subsidy"]) > 0
    for lever in SWITCHED:
        getattr(p, lever).enabled = bool(values[lever])
    s = cfg.scenario
    peak = max(s.disruption.values(), default=0.0)
    epidemic = float(values["epidemic"])
    if peak > 0 and epidemic * peak > 1:
        epidemic = 1.0 / peak
        notes.append(f"epidemic strength capped at {epidemic:.2f}: the worst month of "
                     f"{name} is then fully closed")
    s.disruption_scale = epidemic
    validate(cfg)
    return cfg, notes


class DashboardModel(LaborExportModel):
    """`LaborExportModel` built from the dashboard's controls (`model_params`); it stops at the
    scenario's end.

    The scenario's keyword is `scenario_name`: SolaraViz gives a `scenario` keyword its own
    meaning (a mesa Scenario object)."""

    def __init__(self, **controls) -> None:
        cfg, self.notes = config_of(controls)
        self.controls = {**initial_kwargs(model_params(cfg.population.scale)), **controls}
        super().__init__(cfg)
        self.running = not self.finished

    @property
    def finished(self) -> bool:
        return self.t >= len(self.labels) - 1

    def step(self) -> None:
        if self.finished:
            self.running = False
            return
        super().step()
        self.running = not self.finished


# ---------------------------------------------------------------------------------------------
# what the page shows (plain functions of the model, so they are testable without a browser)
# ---------------------------------------------------------------------------------------------


def series(model: LaborExportModel, metric: str) -> list[float]:
    return [values[metric] for values in model.recorder.by_month]


def _svg(fig: Figure) -> str:
    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "sim-dashboard"}):
        fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg"):]  # drop the XML prologue: the chart goes inline in the page


def _inline(svg: str, model: LaborExportModel) -> str:
    """The chart tagged with the month it shows (the browser test waits on it)."""
    return svg.replace("<svg ", f"<svg data-month='{model.label}' ", 1)


def _month_axis(ax, model: LaborExportModel) -> None:
    labels = model.labels
    ax.set_xlim(-0.3, len(labels) - 0.7)  # room for the first and last markers
    step = 1 if len(labels) <= 14 else 6
    ticks = list(range(0, len(labels), step))
    ax.set_xticks(ticks, [labels[i] if step > 1 or i % 2 == 0 else "" for i in ticks],
                  rotation=45, ha="right", fontsize=8)
    ax.grid(alpha=0.3)


def _legend_below(ax, ncol: int) -> None:
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.24), ncol=ncol,
              frameon=False)


def _figure(title: str) -> tuple[Figure, object]:
    fig = Figure(figsize=(6.4, 3.9), dpi=100)
    ax = fig.subplots()
    ax.set_title(title, fontsize=11, loc="left")
    return fig, ax


def status_chart(model: LaborExportModel) -> str:
    """Workers by status, month by month (thousands, full-scale counts), as SVG."""
    fig, ax = _figure("Workers by status (thousands)")
    x = range(len(model.recorder.months))
    for metric, label, colour in STATUS_SERIES:
        ax.plot(x, [v / 1000 for v in series(model, metric)], label=label, color=colour, lw=1.8,
                marker="o", ms=2.5)
    _month_axis(ax, model)
    ax.set_ylim(bottom=0)
    _legend_below(ax, ncol=3)
    return _svg(fig)


def in_county_chart(model: LaborExportModel) -> str:
    """Workers in work inside their home county, by kind of job (thousands), as SVG."""
    fig, ax = _figure("Working in the home county (thousands)")
    x = list(range(len(model.recorder.months)))
    ax.stackplot(x, *[[v / 1000 for v in series(model, m)] for m, _, _ in IN_COUNTY_SERIES],
                 labels=[label for _, label, _ in IN_COUNTY_SERIES],
                 colors=[c for _, _, c in IN_COUNTY_SERIES], alpha=0.85)
    ax.plot(x, [v / 1000 for v in series(model, "in_county")], color="black", lw=1.2,
            label="in the home county, all")
    _month_axis(ax, model)
    _legend_below(ax, ncol=2)
    return _svg(fig)


def households_chart(model: LaborExportModel) -> str:
    """Households with nobody in work (zero-employment households), as SVG."""
    fig, ax = _figure("Households with nobody in work (thousands)")
    x = range(len(model.recorder.months))
    ax.plot(x, [v / 1000 for v in series(model, "zero_employment_households")], color="#d62728",
            lw=1.8, marker="o", ms=2.5, label="zero-employment households")
    _month_axis(ax, model)
    ax.set_ylim(bottom=0)
    _legend_below(ax, ncol=1)
    return _svg(fig)


def fit_rows(model: LaborExportModel) -> list[dict]:
    """The article's 2021 figures against the run so far (None before the first 2021 month)."""
    year = 2021
    if not any(m.startswith(f"{year}-") for m in model.recorder.months):
        return []
    table = targets.fit_table(year_figures(model, year))
    # the article's figures: the evidence's national ones need a whole year and other scenarios
    return [{"id": fid, **row} for fid, row in table.items() if fid[0] == "T" and fid[1:].isdigit()
            and row["model"] is not None]


def _number(row: dict, key: str) -> str:
    value = row[key]
    text = f"{value:,.0f}" if row["unit"] == "people" else f"{value:.3f}"
    if key == "article" and row.get("bound") == "band":
        return f"{row['band'][0]:.2f}–{row['band'][1]:.2f}"
    if key == "article":
        text = {"lower": "≥", "upper": "≤"}.get(row.get("bound"), "") + text
    return text


def fit_html(model: LaborExportModel) -> str:
    """The comparison panel: a table of T1..T12 with the article's and the model's values."""
    scale = model.scale
    head = (f"<p data-month='{model.label}'><b>{html.escape(model.label)}</b> · scenario "
            f"{html.escape(model.p.scenario.name)} · seed {model.seed} · "
            f"sample {html.escape(scale_label(scale, model.p.population.labour_force))}, "
            f"counts scaled up to the full labour force</p>")
    if isinstance(model, DashboardModel):
        head += f"<p class='sim-note'>{html.escape(describe(model.controls))}</p>"
    for note in getattr(model, "notes", []):
        head += f"<p class='sim-note'>{html.escape(note)}</p>"
    rows = fit_rows(model)
    if not rows:
        return head + ("<p>The article's figures are for 2021: step the model into 2021 to "
                       "compare.</p>")
    partial = model.recorder.months[-1] != "2021-12" and model.label.startswith("2021")
    lines = ["<table class='sim-fit-table'><thead><tr><th>id</th><th>kind</th><th>figure</th>"
             "<th>article</th><th>model</th><th>error</th></tr></thead><tbody>"]
    for row in rows:
        err = row["rel_error"]
        colour = "#2e7d32" if abs(err) <= 0.05 else ("#ef6c00" if abs(err) <= 0.2 else "#c62828")
        name = FIGURE_NAMES.get(row["metric"], row["metric"])
        lines.append(
            f"<tr data-id='{row['id']}' data-metric='{row['metric']}' data-model='{row['model']:.6g}'>"
            f"<td>{row['id']}</td><td>{row['kind']}</td><td>{html.escape(name)}</td>"
            f"<td class='num'>{_number(row, 'article')}</td>"
            f"<td class='num'>{_number(row, 'model')}</td>"
            f"<td class='num' style='color:{colour}'>{err:+.1%}</td></tr>")
    lines.append("</tbody></table>")
    foot = ("<p class='sim-note'>The article's figures are 2021 totals: stocks at the end of the "
            "year, flows (transport, start-up jobs) over the year.")
    if partial:
        foot += f" The model column is {html.escape(model.label)} and the flows so far."
    elif model.label > "2021-12":
        foot += " The model column is this run's 2021."
    foot += " A reduced sample adds sampling noise of a few per cent.</p>"
    return head + "".join(lines) + foot


# ---------------------------------------------------------------------------------------------
# the page
# ---------------------------------------------------------------------------------------------

CSS = """
.sim-chart { height: 100%; }
.sim-chart svg { width: 100%; height: 100%; }
.sim-fit { font-size: 13px; }
.sim-fit p { margin-bottom: 4px; }
.sim-fit-table { border-collapse: collapse; font-size: 12px; width: 100%; }
.sim-fit-table th, .sim-fit-table td { padding: 1px 6px; border-bottom: 1px solid #ddd; }
/* Mesa's sliders: the label on its own line, the value under the thumb */
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-label { flex: 1 1 100%; max-width: 100%; white-space: normal; }
.v-input__slider .v-slider { flex: 1 1 100%; margin: 0 4px 14px 4px; }
.v-slider__thumb-container::after { content: attr(aria-valuenow); position: absolute; top: 9px;
  left: 0; transform: translateX(-50%); font-size: 11px; color: #444; }
.sim-fit-table th { text-align: left; }
.sim-fit-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.sim-note { font-size: 12px; color: #555; }
"""


def scale_note(scale: float) -> str:
    """The line at the top of the page: the scale it runs at and why."""
    how = ("Levers and the sample take effect on Reset; Step advances a month.")
    if scale >= 1:
        return (f"Full scale: the page starts with all {scale_label(scale)[6:-1]}, so a Reset "
                f"takes about 15 s. {how}")
    return (f"Reduced scale: the page starts with a {scale_label(scale)} sample of the 2.5 "
            "million workers so that it answers quickly; counts are scaled up to the full "
            f"labour force. {how} Full-scale runs: `uv run sim`.")


def _page():
    """Build the Solara page (imports solara and Mesa's visualisation only when served)."""
    import solara
    from mesa.visualization import SolaraViz

    def chart(name: str, make):
        def component(model):
            return solara.HTML(tag="div", unsafe_innerHTML=_inline(make(model), model),
                               classes=["sim-chart", f"sim-chart-{name}"])
        component.__name__ = f"Chart_{name}"
        return component

    def fit_panel(model):
        return solara.HTML(tag="div", unsafe_innerHTML=fit_html(model), classes=["sim-fit"])

    components = [chart("status", status_chart), chart("in-county", in_county_chart),
                  chart("households", households_chart), fit_panel]

    @solara.component
    def Page():
        scale = default_scale()
        params = solara.use_memo(lambda: model_params(scale), [scale])
        model = solara.use_memo(lambda: DashboardModel(**initial_kwargs(params)), [scale])
        solara.Style(CSS)
        solara.Title("sim dashboard")
        solara.Info(scale_note(scale), dense=True, classes=["sim-scale-note"])
        SolaraViz(model, components=components, model_params=params,
                  name="sim: where Shaanxi's poverty-alleviated workers work")

    return Page


def __getattr__(name: str):
    # solara looks for `Page` when it serves this module; building it lazily keeps `import
    # sim.dashboard` (and `sim-dashboard --help`) free of the web stack
    if name == "Page":
        page = _page()
        globals()["Page"] = page
        return page
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------------------------
# the command
# ---------------------------------------------------------------------------------------------


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds it
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


LABOUR_FORCE = 2_500_000  # the page's counts (`scale_label`) are of this labour force


def _page_scale(text: str) -> float:
    """--scale: a share of the labour force (or a `scale_label`) that the model can run."""
    scale = parse_scale(text)
    if scale * LABOUR_FORCE < MIN_WORKERS:
        raise ValueError(text)
    return scale


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = Parser(
        prog=PROG,
        description="Serve the model's dashboard (Mesa SolaraViz) on localhost.")
    parser.add_argument("--port", default=None, type=whole_number(0, 65535),
                        help=f"port on localhost (default {DEFAULT_PORT}, or a free one if that "
                             "is taken; 0 picks a free one)")
    parser.add_argument("--scale", default=DEFAULT_SCALE, type=argument_type(
        "scale", _page_scale, f"a fraction in (0, 1] that simulates at least {MIN_WORKERS} of the "
        f"{LABOUR_FORCE / 1e6:g} million workers ({MIN_WORKERS / LABOUR_FORCE:g} or more), e.g. "
        f"{DEFAULT_SCALE:g}"),
        help=f"population sample the page starts with (default {DEFAULT_SCALE}, 1:50); a "
             "fraction in (0, 1]")
    parser.add_argument("--open", action="store_true", help="open the page in a browser")
    return parser.parse_args(argv)


def _tarball_name(package: str, version: str) -> str:
    return f"{package.lstrip('@').replace('/', '-')}-{version}.tgz"


def ensure_assets(cache_dir: Path, packages=SOLARA_CDN_PACKAGES) -> list[str]:
    """Put the page's browser packages into solara's CDN cache with `npm pack`, once.

    Returns the packages still missing (solara then tries its CDN for them)."""
    missing = [(name, version) for name, version in packages
               if not (cache_dir / f"{name}@{version}" / "package.json").exists()]
    specs = [f"{name}@{version}" for name, version in missing]
    npm = shutil.which("npm")
    if not missing or npm is None:
        return specs
    print(f"sim-dashboard: fetching the page's browser packages with npm (once): {', '.join(specs)}",
          file=sys.stderr, flush=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".npm-pack-") as tmp:
        done = subprocess.run([npm, "pack", "--silent", *specs], cwd=tmp, capture_output=True,
                              text=True, timeout=600)
        if done.returncode != 0:
            return specs
        for name, version in missing:
            staging = Path(tmp) / (_tarball_name(name, version) + ".d")
            with tarfile.open(Path(tmp) / _tarball_name(name, version)) as tar:
                tar.extractall(staging, filter="data")
            target = cache_dir / f"{name}@{version}"
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.rename(staging / "package", target)  # whole, or not at all
            except OSError:
                if not (target / "package.json").exists():  # not another server's copy
                    raise
    return [f"{name}@{version}" for name, version in missing
            if not (cache_dir / f"{name}@{version}" / "package.json").exists()]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    host = "localhost"
    with answers_bad_input(PROG):
        port = _port(host, args.port)
    _serve(args, host, port)


def _port(host: str, asked: int | None) -> int:
    """The port to serve on: the one asked for (0: a free one), else the default if free."""
    if asked is None:
        return DEFAULT_PORT if _port_free(host, DEFAULT_PORT) else _free_port(host)
    if asked == 0:
        return _free_port(host)
    if not _port_free(host, asked):
        raise InputError(f"Invalid value for '--port': got {asked}, which is in use on {host}; "
                         "allowed: a free port from 1 to 65,535, or 0 to pick a free one.")
    return asked


def _serve(args, host: str, port: int) -> None:
    os.environ[SCALE_ENV] = repr(args.scale)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")  # no calls home
    from solara.server import settings

    still_missing = ensure_assets(Path(settings.assets.proxy_cache_dir))
    if still_missing:
        print("sim-dashboard: could not fetch with npm (is it installed?): "
              f"{', '.join(still_missing)}; solara will try its CDN.", file=sys.stderr, flush=True)
    print(f"sim-dashboard: http://{host}:{port} (starting sample {scale_label(args.scale)}; "
          "Ctrl-C stops it)", flush=True)
    from solara.__main__ import cli

    cli(["run", "sim.commands.dashboard", "--host", host, "--port", str(port), "--production",
         "--no-check-version", "--open" if args.open else "--no-open"])


if __name__ == "__main__":
    main()
