"""Net effects (sim.experiments.net_effects): what a lever adds in its own statuses, what other
work loses, the net, wage income and the cost per net job-year. The oracle is the arithmetic done
by hand, pair by pair, on small synthetic results tables (plain Python, `statistics`)."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.experiments import net_effects, paired_effects

STATUSES = net_effects.WORKING
POSTS = "override.policy.public_welfare.scale"


def job(key_values: dict, seed: int, draw: int, months: dict[str, float], wage: float,
        cost: float, in_work: float) -> dict:
    """One finished job of a sweep with its year's figures."""
    return {**key_values, "override.seed": str(seed), "override.posterior_draw": str(draw),
            "seed": seed, "posterior_draw": draw, "status": "ok",
            **{f"job_months_{s}": months.get(s, 0.0) for s in STATUSES},
            "job_months": sum(months.get(s, 0.0) for s in STATUSES), "wage_income": wage,
            "cost_total": cost, "in_work": in_work}


def posts_sweep(pairs, change) -> pd.DataFrame:
    """Posts off ('0') and on ('1') for each (seed, draw) pair; `change(rng)` gives the setting's
    change of each status's job-months, wage income, cost and December count."""
    rng = np.random.default_rng(7)
    rows = []
    for seed, draw in pairs:
        base = {s: 10_000 + rng.normal(0, 500) for s in STATUSES}
        wage, cost, in_work = 5e7 + rng.normal(0, 1e6), 1e6, 4_000 + rng.normal(0, 100)
        d_months, d_wage, d_cost, d_work = change(rng)
        rows.append(job({POSTS: "0"}, seed, draw, base, wage, cost, in_work))
        rows.append(job({POSTS: "1"}, seed, draw, {s: base[s] + d_months.get(s, 0.0)
                                                   for s in STATUSES},
                        wage + d_wage, cost + d_cost, in_work + d_work))
    return pd.DataFrame(rows)


def noisy_posts(rng):
    """Posts gain about 1,000 job-months, migrants and local jobs lose some; noise everywhere."""
    months = {"public_welfare": 1_000 + rng.normal(0, 50), "out_of_province": -300 + rng.normal(0, 80),
              "in_province": -50 + rng.normal(0, 30), "local_job": -100 + rng.normal(0, 40),
              "workshop": rng.normal(0, 5)}
    return months, -2e5 + rng.normal(0, 1e5), 6e5 + rng.normal(0, 2e4), 70 + rng.normal(0, 10)


def by_hand(frame: pd.DataFrame, own: tuple[str, ...]) -> dict[str, list[float]]:
    """Each pair's net-effect columns, computed from the rows one by one."""
    ref = {(r["seed"], r["posterior_draw"]): r for r in frame.to_dict("records") if r[POSTS] == "0"}
    out: dict[str, list[float]] = {}
    for r in frame.to_dict("records"):
        if r[POSTS] != "1":
            continue
        b = ref[r["seed"], r["posterior_draw"]]
        d = {s: r[f"job_months_{s}"] - b[f"job_months_{s}"] for s in STATUSES}
        net = sum(d.values())
        values = {"in_work_change": r["in_work"] - b["in_work"], "net_job_months": net,
                  "gross_job_months": sum(d[s] for s in own),
                  "displaced_job_months": -sum(d[s] for s in STATUSES if s not in own),
                  "wage_income_change": r["wage_income"] - b["wage_income"],
                  "cost_change": r["cost_total"] - b["cost_total"],
                  "ratio": ((r["cost_total"] - b["cost_total"]) / (net / 12) if net > 0
                            else math.inf),
                  **{f"job_months_{s}_change": d[s] for s in STATUSES}}
        for k, v in values.items():
            out.setdefault(k, []).append(v)
    return out


def percentiles(values: list[float]) -> tuple[float, float]:
    """The 5th and 95th percentiles, linear between order statistics ('inclusive')."""
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return cuts[0], cuts[-1]


COLUMNS = ("in_work_change", "net_job_months", "gross_job_months", "displaced_job_months",
           "wage_income_change", "cost_change", *(f"job_months_{s}_change" for s in STATUSES))


def test_each_column_is_the_pairs_arithmetic_over_draws_and_seeds():
    """Two settings x 2 seeds x 4 posterior draws: each column's mean and its 5th-95th
    percentile over the pairs, and the cost per net job-year's per-pair percentile."""
    frame = posts_sweep([(s, d) for s in (0, 1) for d in range(4)], noisy_posts)
    row = net_effects.net_effects(frame, {POSTS: "0"}).iloc[0]
    hand = by_hand(frame, ("public_welfare",))
    assert row["levers"] == "public_welfare" and row["own_statuses"] == "public_welfare"
    assert row["direction"] == "public_welfare.scale=1 - public_welfare.scale=0"
    assert row["seeds"] == 8 and "posterior draws and seeds" in row["interval"]
    for column in COLUMNS:
        low, high = percentiles(hand[column])
        assert row[column] == pytest.approx(statistics.fmean(hand[column])), column
        assert row[f"{column}_low"] == pytest.approx(low), column
        assert row[f"{column}_high"] == pytest.approx(high), column
    net_years = statistics.fmean(hand["net_job_months"]) / 12
    assert row["cost_per_net_job_year"] == pytest.approx(
        statistics.fmean(hand["cost_change"]) / net_years)
    low, high = percentiles(hand["ratio"])
    assert row["cost_per_net_job_year_low"] == pytest.approx(low)
    assert row["cost_per_net_job_year_high"] == pytest.approx(high)
    assert "per-pair ratio" in row["cost_per_net_job_year_interval"]
    assert "posterior draws and seeds" in row["cost_per_net_job_year_interval"]


def test_each_column_over_seeds_alone_has_the_t_interval_of_its_mean():
    frame = posts_sweep([(s, 0) for s in range(5)], noisy_posts)
    row = net_effects.net_effects(frame, {POSTS: "0"}).iloc[0]
    hand = by_hand(frame, ("public_welfare",))
    assert row["interval"] == "seeds (t-interval of the mean)"
    for column in COLUMNS:
        x = hand[column]
        half = stats.t.ppf(0.95, len(x) - 1) * statistics.stdev(x) / math.sqrt(len(x))
        assert row[column] == pytest.approx(statistics.fmean(x)), column
        assert row[f"{column}_low"] == pytest.approx(statistics.fmean(x) - half), column
        assert row[f"{column}_high"] == pytest.approx(statistics.fmean(x) + half), column
    # the ratio's interval is the percentile of the per-pair ratio here too, and says so
    low, high = percentiles(hand["ratio"])
    assert (row["cost_per_net_job_year_low"], row["cost_per_net_job_year_high"]) == \
        pytest.approx((low, high))
    assert row["cost_per_net_job_year_interval"].startswith("seeds (5th-95th percentile")


def fixed(months: dict[str, float], cost: float = 6e5, wage: float = 0.0):
    return lambda rng: (months, wage, cost, 10.0)


def test_displacement_makes_the_net_smaller_than_the_gross():
    """Posts add 1,200 job-months in posts; work away loses 400 and local jobs 200: gross 1,200,
    displaced 600, net 600, and the cost per net job-year is the cost over 50 job-years."""
    frame = posts_sweep([(s, 0) for s in range(3)], fixed(
        {"public_welfare": 1_200, "out_of_province": -300, "in_province": -100,
         "local_job": -200}, cost=6e5, wage=-1e5))
    row = net_effects.net_effects(frame, {POSTS: "0"}).iloc[0]
    assert row["gross_job_months"] == pytest.approx(1_200)
    assert row["displaced_job_months"] == pytest.approx(600)
    assert row["net_job_months"] == pytest.approx(600)
    assert row["net_job_months"] < row["gross_job_months"]
    assert row["job_months_out_of_province_change"] == pytest.approx(-300)
    assert row["wage_income_change"] == pytest.approx(-1e5)
    assert row["cost_per_net_job_year"] == pytest.approx(6e5 / 50)
    text = net_effects.words(net_effects.net_effects(frame, {POSTS: "0"}), "posts", 2021)
    assert "adds 1,200 job-months to public-welfare posts" in text
    assert "other work loses 600" in text and "net +600 job-months" in text
    assert "12,000 yuan" in text and "per net job-year" in text


@pytest.mark.parametrize("posts, away", [(300, -300), (100, -400)])
def test_cost_per_net_job_year_is_undefined_when_the_net_is_not_positive(posts, away):
    frame = posts_sweep([(s, 0) for s in range(3)], fixed(
        {"public_welfare": posts, "out_of_province": away}))
    table = net_effects.net_effects(frame, {POSTS: "0"})
    row = table.iloc[0]
    assert row["net_job_months"] == pytest.approx(posts + away)
    assert np.isnan(row["cost_per_net_job_year"])
    assert np.isnan(row["cost_per_net_job_year_low"]) and np.isnan(row["cost_per_net_job_year_high"])
    assert row["cost_per_net_job_year_note"] == net_effects.UNDEFINED
    assert "cost per net job-year undefined: the net change is not positive" in \
        net_effects.words(table, "posts", 2021)


def test_a_pair_without_net_gain_makes_the_ratio_unbounded_above():
    """The mean net change is positive, but one pair of three gains nothing: that pair's cost
    per net job-year has no bound, and neither has the interval's upper end."""
    nets = iter([600, 0, 1_200])
    frame = posts_sweep([(s, 0) for s in range(3)],
                        lambda rng: ({"public_welfare": next(nets)}, 0.0, 6e5, 10.0))
    row = net_effects.net_effects(frame, {POSTS: "0"}).iloc[0]
    assert row["cost_per_net_job_year"] == pytest.approx(6e5 / (600 / 12))
    assert row["cost_per_net_job_year_high"] == math.inf
    assert row["cost_per_net_job_year_low"] == pytest.approx(
        percentiles([6e5 / 50, 6e5 / 100, 1e300])[0])


def test_the_ratios_interval_is_the_per_pair_percentile_not_a_ratio_of_ends():
    """Cost rises with the net job-years pair by pair (1,000 yuan each): every pair's ratio is
    1,000, so is its percentile; the ratio of the two intervals' ends is far from it."""
    sizes = iter([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    def change(rng):
        k = next(sizes)
        return {"public_welfare": 12.0 * k}, 0.0, 1_000.0 * k, 1.0
    frame = posts_sweep([(0, d) for d in range(6)], change)
    row = net_effects.net_effects(frame, {POSTS: "0"}).iloc[0]
    assert row["cost_per_net_job_year"] == pytest.approx(1_000)
    assert row["cost_per_net_job_year_low"] == pytest.approx(1_000)
    assert row["cost_per_net_job_year_high"] == pytest.approx(1_000)
    years_low, years_high = row["net_job_months_low"] / 12, row["net_job_months_high"] / 12
    ends = [row[f"cost_change_{a}"] / y for a in ("low", "high") for y in (years_low, years_high)]
    assert min(ends) < 700 and max(ends) > 1_400  # what a ratio of ends would have said


def test_quantile_is_numpys_where_finite_and_unbounded_where_it_reaches_infinity():
    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 11):
        x = rng.normal(size=n)
        for q in (0.05, 0.5, 0.95):
            assert net_effects.quantile(x, q) == pytest.approx(np.quantile(x, q))
    assert net_effects.quantile([1.0, 2.0, math.inf], 0.05) == pytest.approx(1.1)
    assert net_effects.quantile([1.0, 2.0, math.inf], 0.95) == math.inf
    assert net_effects.quantile([math.inf, math.inf], 0.5) == math.inf


def test_the_direction_and_own_statuses_of_a_comparison():
    change = net_effects.lever_change
    # an ablation's lever off against every lever on: the effect is what the lever adds
    off = change({"override.ablation": ("public_welfare", "none")})
    assert off == net_effects.Change(("public_welfare",), -1.0, ("public_welfare",))
    # a grid cell of two levers against the corner: their own statuses together
    both = change({"override.policy.workshops.scale": ("1", "0"),
                   "override.policy.public_welfare.scale": ("0.5", "0")})
    assert both.sign == 1.0 and both.own == ("workshop", "public_welfare")
    assert change({"policy.hiring_subsidy.enabled": ("true", "false")}).own == ("local_job",)
    assert change({"policy.transport.scale": ('"2.0"', '"1.0"')}).own == (
        "out_of_province", "in_province")
    # not levers alone, levers both ways, a lever without own statuses, the whole mix: by
    # status only
    assert change({"override.scenario.disruption_scale": ("1", "0"),
                   "override.policy.transport.scale": ("1", "0")}).own == ()
    assert change({"policy.training.scale": ("2", "1"),
                   "policy.workshops.scale": ("0", "1")}) == net_effects.Change(
        ("training", "workshops"), 1.0, ())
    assert change({"policy.monitoring.enabled": ("false", "true")}).own == ()
    assert change({"policy.training.scale": ("1", "0"),  # all wage work and posts: all work
                   "policy.public_welfare.scale": ("1", "0")}).own == ()
    whole = change({"ablation": ("all", "none")})
    assert whole.sign == -1.0 and whole.own == () and len(whole.levers) == 10
    # what a run is (its seed, its draw) changes nothing
    assert change({"seed": ("1", "0"), "policy.referral.scale": ("1", "0")}).own == (
        "out_of_province", "in_province")


def test_the_mapping_covers_every_lever_with_the_models_working_statuses():
    from sim.core.metrics import WORKING_NAMES
    from sim.core.params import LEVERS

    assert net_effects.WORKING == WORKING_NAMES
    assert set(net_effects.OWN_STATUSES) == set(LEVERS)
    for lever, own in net_effects.OWN_STATUSES.items():
        assert set(own) <= set(net_effects.WORKING), lever


def test_transport_is_compared_with_none_at_its_own_disruption_strength():
    """`within`: each setting against the job without transport at the same disruption."""
    rows = []
    for seed in range(3):
        for disruption in ("0", "1"):
            for transport in ("0", "1"):
                lost = 500.0 * int(disruption)  # the disruption takes migrant work away
                won = 200.0 * int(disruption) * int(transport)  # transport wins some back
                months = {"out_of_province": 10_000 - lost + won + seed, "local_job": 5_000 - won / 4}
                rows.append(job({"override.scenario.disruption_scale": disruption,
                                 "override.policy.transport.scale": transport}, seed, 0, months,
                                1e6, 1e3 * int(transport), 100.0))
    table = net_effects.net_effects(pd.DataFrame(rows), {"override.policy.transport.scale": "0"},
                                    within=("scenario.disruption_scale",)).set_index("setting")
    assert len(table) == 2
    hit = table.loc["disruption_scale=1, transport.scale=1"]
    assert hit["direction"] == ("disruption_scale=1, transport.scale=1 - disruption_scale=1, "
                                "transport.scale=0")
    assert hit["own_statuses"] == "out_of_province, in_province"
    assert hit["gross_job_months"] == pytest.approx(200)
    assert hit["displaced_job_months"] == pytest.approx(50)
    assert hit["net_job_months"] == pytest.approx(150)
    calm = table.loc["disruption_scale=0, transport.scale=1"]
    assert calm["net_job_months"] == pytest.approx(0) and np.isnan(calm["cost_per_net_job_year"])


def test_a_projections_net_effect_by_year_in_the_direction_of_continued_support():
    """yearly_net_effects: the withdrawn path against continued support, each year, as what
    continuing adds (reference - setting)."""
    rows = []
    for seed in (0, 1):
        for draw in (0, 1, 2):
            for year, gap in ((2021, 0.0), (2022, 1_200.0), (2023, 600.0)):
                for setting, loss in (("scenario=transition_continue", 0.0),
                                      ("scenario=transition_withdraw", gap)):
                    figures = {"job_months_public_welfare": 5_000 - loss + seed,
                               "job_months_out_of_province": 9_000 + loss / 4 + draw,
                               "job_months_in_province": 1_000.0, "job_months_local_job": 2_000.0,
                               "job_months_workshop": 500.0, "wage_income": 1e7 - 100 * loss,
                               "cost_total": 1e6 if loss == 0 else 1e6 - 100 * gap,
                               "in_work_december": 1_000 - loss / 12}
                    figures["job_months"] = sum(v for k, v in figures.items()
                                                if k.startswith("job_months_"))
                    rows += [{"setting": setting, "seed": seed, "posterior_draw": draw,
                              "year": year, "metric": k, "value": v} for k, v in figures.items()]
    change = net_effects.Change(("public_welfare",), -1.0, ())
    table = net_effects.yearly_net_effects(pd.DataFrame(rows), "scenario=transition_continue",
                                           change).set_index("year")
    assert list(table.index) == [2021, 2022, 2023]
    y = table.loc[2022]
    assert y["direction"] == "scenario=transition_continue - scenario=transition_withdraw"
    assert y["net_job_months"] == pytest.approx(1_200 - 300)
    assert y["job_months_public_welfare_change"] == pytest.approx(1_200)
    assert y["job_months_out_of_province_change"] == pytest.approx(-300)
    assert y["wage_income_change"] == pytest.approx(120_000)
    assert y["cost_per_net_job_year"] == pytest.approx(120_000 / (900 / 12))
    assert y["seeds"] == 6 and "posterior draws" in y["interval"]
    assert np.isnan(table.loc[2021, "cost_per_net_job_year"])
    with pytest.raises(paired_effects.EffectError, match="reference setting"):
        net_effects.yearly_net_effects(pd.DataFrame(rows), "scenario=nothing", change)


def test_shapley_values_of_the_net_effect_order_by_order():
    """The Shapley table adds each lever's gross, displaced and net job-months (mean over
    orders, t-interval) and its cost per net job-year (per-order percentile)."""
    from sim.experiments import shapley

    rng = np.random.default_rng(5)
    rows = []
    per_order = []
    for k in range(6):
        posts, away = 900 + rng.normal(0, 50), -200 + rng.normal(0, 40)
        cost = 5e5 + rng.normal(0, 1e4)
        per_order.append((posts, away, cost))
        effects = {"in_work": 60.0, "worked_any_month": 70.0, "households_below_line": -5.0,
                   "cost_total": cost, "wage_income": 1e5, "job_months_public_welfare": posts,
                   "job_months_out_of_province": away, "job_months_in_province": 0.0,
                   "job_months_local_job": 0.0, "job_months_workshop": 0.0,
                   "job_months": posts + away}
        rows += [{"order": k, "lever": "public_welfare", "metric": m, "effect": v}
                 for m, v in effects.items()]
        rows += [{"order": k, "lever": "whole mix", "metric": m, "effect": v}
                 for m, v in effects.items()]
    table = shapley.shapley_table(pd.DataFrame(rows)).set_index(["lever", "metric"])
    posts = table.loc["public_welfare"]
    displaced = [-a for _, a, _ in per_order]
    half = stats.t.ppf(0.95, 5) * statistics.stdev(displaced) / math.sqrt(6)
    assert posts.loc["displaced_job_months", "shapley"] == pytest.approx(statistics.fmean(displaced))
    assert posts.loc["displaced_job_months", "high"] == pytest.approx(
        statistics.fmean(displaced) + half)
    assert posts.loc["gross_job_months", "shapley"] == pytest.approx(
        statistics.fmean(p for p, _, _ in per_order))
    ratios = [c / ((p + a) / 12) for p, a, c in per_order]
    low, high = percentiles(ratios)
    ratio = posts.loc["cost_per_net_job_year"]
    assert (ratio["low"], ratio["high"]) == pytest.approx((low, high))
    assert "per-pair ratio" in ratio["interval"] and ratio["interval"].startswith("orders")
    # the whole mix has no own status: its net effect by status only
    assert "displaced_job_months" not in table.loc["whole mix"].index
    assert "cost_per_net_job_year" in table.loc["whole mix"].index
    # marginal effects kept from before job-months by status were recorded: no net rows
    old = pd.DataFrame(rows)
    old = old[old.metric.isin(["in_work", "job_months", "cost_total"])]
    assert not shapley.net_rows(old)


def report_run(name: str, posts: bool, seeds: int, gain: float) -> object:
    from sim.experiments.report import Run

    reps = []
    for seed in range(seeds):
        months = {"public_welfare": 100.0 + (gain if posts else 0.0) + seed,
                  "out_of_province": 1_000.0 - (gain / 3 if posts else 0.0),
                  "in_province": 300.0, "local_job": 200.0, "workshop": 50.0}
        reps.append({**{f"job_months_{s}": v for s, v in months.items()},
                     "job_months": sum(months.values()), "in_work": 150.0 + (gain / 12 if posts else 0),
                     "wage_income": 1e6, "cost_total": 1e4 + (6e3 * gain if posts else 0),
                     "seed": seed, "posterior_draw": -1})
    summary = {k: statistics.fmean(r[k] for r in reps) for k in reps[0]}
    summary["replicate_metrics"] = reps
    config = {"seed": 0, "policy": {"public_welfare": {"enabled": posts, "scale": 1.0}}}
    return Run(Path(name), summary, config, pd.DataFrame(), None, name)


def test_the_report_gives_the_net_effect_in_the_direction_that_adds_the_lever():
    from sim.experiments.report import net_effect

    on, off = report_run("on", True, 3, 1_200.0), report_run("off", False, 3, 1_200.0)
    table, text = net_effect(on, off)
    rows = table.set_index("metric")
    assert rows.loc["gross_job_months", "change"] == pytest.approx(1_200)
    assert rows.loc["displaced_job_months", "change"] == pytest.approx(400)
    assert rows.loc["net_job_months", "change"] == pytest.approx(800)
    assert rows.loc["net_job_months", "unit"] == "person-months"
    assert rows.loc["job_months_out_of_province_change", "unit"] == "person-months"
    assert rows.loc["cost_per_net_job_year", "change"] == pytest.approx(6e3 * 1_200 / (800 / 12))
    assert set(rows["direction"]) == {"on - off"}
    assert "seeds (t-interval of the mean)" in rows.loc["net_job_months", "interval"]
    assert text.startswith("on - off (public_welfare), 2021: adds 1,200 job-months to "
                           "public-welfare posts")
    # the other way round, the same effect: what having posts adds
    back, _ = net_effect(off, on)
    assert set(back["direction"]) == {"on - off"}
    pd.testing.assert_series_equal(back["change"], table["change"])
    # runs that share no seed: the difference of the means, without an interval
    lone, _ = net_effect(report_run("on", True, 1, 1_200.0), report_run("off", False, 1, 1_200.0))
    assert lone.set_index("metric").loc["net_job_months", "change"] == pytest.approx(800)
    assert lone["low"].isna().all()


def test_a_study_writes_its_net_effects_as_a_table_and_in_words(tmp_path):
    from sim.experiments import studies

    frame = posts_sweep([(s, 0) for s in range(3)], fixed(
        {"public_welfare": 1_200, "out_of_province": -600}))
    paths = studies._net(frame, {POSTS: "0"}, tmp_path, "posts against none")
    assert [p.name for p in paths] == ["net_effects.csv", "net_effects.md"]
    table = pd.read_csv(tmp_path / "net_effects.csv")
    for column in ("net_job_months", "gross_job_months", "displaced_job_months",
                   "wage_income_change", "cost_per_net_job_year", "cost_per_net_job_year_low",
                   "job_months_public_welfare_change", "interval", "direction"):
        assert column in table, column
    text = (tmp_path / "net_effects.md").read_text(encoding="utf-8")
    assert text.startswith("# Net effects: posts against none")
    assert "adds 1,200 job-months to public-welfare posts" in text and "over 2021" in text
    # a sweep made before job-months by status were recorded: no net effects, no error
    assert studies._net(frame.drop(columns="job_months_workshop"), {POSTS: "0"}, tmp_path,
                        "old") == []


def test_the_decomposition_adds_the_parts_by_status_and_wage_income():
    from sim.experiments import studies

    rows = []
    for setting in ["decomposition=none", *(f"decomposition={d}" for d in studies.DRIVERS)]:
        for year in (2021, 2023):
            for metric in studies.DECOMPOSED_TABLE:
                value = 100.0 * (year - 2020) if setting == "decomposition=none" else 50.0
                rows.append({"setting": setting, "seed": 0, "posterior_draw": 0, "year": year,
                             "metric": metric, "value": value})
    table = studies.decomposition_table(pd.DataFrame(rows), 2021, 2023)
    parts = table.set_index(["driver", "metric"])["part"]
    for metric in (*net_effects.STATUS_MONTHS, "wage_income", "cost_total"):
        assert parts["change 2021-2023", metric] == pytest.approx(200.0), metric
        assert parts["demography", metric] == pytest.approx(200.0), metric
