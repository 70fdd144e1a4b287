"""The Bayesian calibration: it recovers parameters it is given from data the model made, runs
unchanged on a Dask cluster, and writes the posterior the runs use."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiments import calibration, posterior, preregistration
from sim.experiments.compose import load

TINY = ["scenario.burn_in_months=12"]
WORKERS = 4000
PARTICLES = 100  # the regression adjustment spends 14 coefficients: enough accepted particles


def _three() -> list[posterior.Parameter]:
    """Three parameters, each pinned by its own figures: the migrant constants (T2, T3) and this
    population's relative pay (N6a)."""
    by_name = {p.name: p for p in posterior.priors()}
    return [by_name[n] for n in ("asc_out_of_province", "asc_in_province", "relative_pay")]


@pytest.mark.long
def test_the_calibration_recovers_parameters_from_data_the_model_made(tmp_path):
    """Data made at known values (the mean of eight other seeds); ABC-SMC from
    the priors at sim-calibrate's quantile over five populations, then the regression adjustment
    of the last population (as sim-calibrate does): each posterior 90% interval covers the known
    value and is much narrower than the prior's (measured: at most 0.14 of the prior's width with
    five populations, 0.04 with six, 0.40 with four)."""
    import pyabc

    base = load(TINY)
    params = _three()
    truth = {"asc_out_of_province": 0.4, "asc_in_province": -0.3, "relative_pay": 0.9}
    # the data are a population's figures, as the article's are: the mean of eight seeds at a
    # particle's size, so that they carry little seed noise of their own (the particles carry theirs)
    data = calibration.model_data(base, params, truth, WORKERS)
    history = calibration.calibrate(
        calibration.with_values(base, params, truth), params, tmp_path / "abc.db", particles=PARTICLES,
        populations=5, walltime_minutes=10, minimum_epsilon=0.0, data=data, workers=WORKERS,
        sampler=pyabc.sampler.MulticoreEvalParallelSampler(n_procs=2), seed=1, quantile=0.2)
    table = calibration.identification(history, params, data=data).table.set_index("parameter")
    for name, value in truth.items():
        row = table.loc[name]
        assert row.posterior_low <= value <= row.posterior_high, (name, row.to_dict())
        assert row.width_ratio < 0.5, (name, row.width_ratio)


@pytest.mark.long
def test_the_calibration_runs_on_a_local_dask_cluster_of_two_workers(tmp_path):
    """pyabc's Dask sampler, unchanged, on a local cluster: the cluster path of sim-calibrate."""
    import pyabc
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        sampler = pyabc.sampler.DaskDistributedSampler(dask_client=client)
        history = calibration.calibrate(load(TINY), _three(), tmp_path / "abc.db", particles=20,
                                         populations=2, walltime_minutes=5, minimum_epsilon=0.0,
                                         sampler=sampler, workers=WORKERS)
        ran_on = set(client.run(lambda: 1))
    assert history.n_populations == 2 and len(ran_on) == 2
    draws = calibration.posterior(history, _three(), 30)
    assert len(draws) == 30 and draws.notna().all().all()


def test_the_shipped_posterior_has_at_least_200_draws_inside_the_priors():
    draws = posterior.load_draws()
    assert len(draws) >= 200
    for p in posterior.priors():
        assert draws[p.name].between(p.low, p.high).all(), p.name
    ident = pd.read_csv("conf/calibration/identification.csv")
    assert set(ident.parameter) == {p.name for p in posterior.priors()}


def test_a_draw_sets_every_key_of_its_parameters():
    draws = posterior.load_draws()
    cfg = posterior.apply_draw(load([]), 7, draws=draws)
    row = draws.iloc[7]
    for p in posterior.priors():
        for key in p.keys:
            node = cfg
            for part in key.split("."):
                node = getattr(node, part)
            assert node == pytest.approx(row[p.name], rel=1e-6, abs=0.5 if p.integer else 1e-9)
    assert np.isfinite(row.to_numpy(float)).all()


def test_the_prior_s_cut_gives_particles_outside_it_no_weight_and_narrows_the_prior():
    """A constraint of the prior (a ratio of two parameters at most a bound) zeroes the weight of
    the particles outside it, and the prior intervals identification compares with are the cut
    prior's marginals: narrower than the box's where the cut bites."""
    a = posterior.Parameter("a", ("a",), 0.0, 2.0)
    b = posterior.Parameter("b", ("b",), 0.5, 1.5)
    cut = posterior.Constraint("a_over_b", "a", "b", 1.0)

    class History:
        max_t = 0

        def get_population_extended(self, t):
            return pd.DataFrame({"par_a": [0.2, 1.8, 0.9, 1.4], "par_b": [1.0, 1.0, 1.0, 1.5],
                                 "w": [0.25] * 4})

    frame, weights = calibration.last_population(History(), [a, b], adjust=False, bounds=[cut])
    assert list(weights > 0) == [True, False, True, True]
    box = calibration.prior_intervals([a, b], [])
    cut_prior = calibration.prior_intervals([a, b], [cut])
    assert box["a"] == pytest.approx((0.1, 1.9))
    assert cut_prior["a"][1] < 1.5 < box["a"][1]  # a <= b <= 1.5 under the cut


def test_the_adjustment_widens_residuals_by_the_coefficients_it_spent():
    """sqrt(n / (n - k)) with n the weights' effective sample size; refused when the particles
    are too few for the figures."""
    assert calibration.degrees_of_freedom_factor(np.ones(100), 12) == pytest.approx((100 / 88) ** 0.5)
    uneven = np.r_[np.ones(50), np.zeros(50)]  # effective sample 50
    assert calibration.degrees_of_freedom_factor(uneven, 12) == pytest.approx((50 / 38) ** 0.5)
    with pytest.raises(ValueError, match="more accepted particles"):
        calibration.degrees_of_freedom_factor(np.ones(12), 12)


def test_too_few_particles_for_the_figures_are_used_as_accepted_and_said_so():
    """With fewer accepted particles than the regression needs, the adjustment is not made: the
    population comes back as accepted, with a warning."""
    a = posterior.Parameter("a", ("a",), 0.0, 2.0)
    data = calibration.observed()
    rng = np.random.default_rng(0)

    class History:
        max_t = 0

        def get_population_extended(self, t):
            frame = {"par_a": [0.5, 1.0, 1.5, 0.7, 1.2], "w": [0.2] * 5}
            for f in calibration.distance_figures():
                frame[f"sumstat_{f['id']}"] = data[f["id"]] * (1 + 0.01 * rng.normal(size=5))
            return pd.DataFrame(frame)

    with pytest.warns(UserWarning, match="too few particles"):
        frame, weights = calibration.last_population(History(), [a], bounds=[])
    assert list(frame["a"]) == [0.5, 1.0, 1.5, 0.7, 1.2] and (weights == 0.2).all()


def test_a_new_calibration_sets_an_existing_database_aside_and_says_so(tmp_path):
    """sim-calibrate without --resume: the earlier database is renamed with the time, never
    deleted, and the command says where it went. Beside the posterior it writes the checks'
    record as it was at the fit (conf/calibration/preregistration_at_fit.yaml)."""
    from .hostile import command

    db = tmp_path / "abc.db"
    db.write_bytes(b"an earlier calibration\n")
    proc = command("sim-calibrate", "--method", "smc", "--particles", "10", "--populations", "1",
                   "--workers", "500", "--procs", "1", "--db", str(db), "--output-dir", "out",
                   "--report", "report.md", "scenario.burn_in_months=12", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    kept = list(tmp_path.glob("abc.db.*"))
    assert len(kept) == 1 and kept[0].read_bytes() == b"an earlier calibration\n"
    assert f"kept as {kept[0]}" in proc.stderr
    assert db.read_bytes()[:16] == b"SQLite format 3\x00"  # the new run's own
    assert {"posterior.csv", "fitted.yaml", "identification.csv",
            "preregistration_at_fit.yaml"} <= {p.name for p in (tmp_path / "out").iterdir()}
    # the checks' record as declared when the fit started, copied verbatim beside the posterior;
    # --from-db, which rewrites the files of the run in the database, copies it too
    record = preregistration.source().read_bytes()
    assert (tmp_path / "out" / "preregistration_at_fit.yaml").read_bytes() == record
    proc = command("sim-calibrate", "--method", "smc", "--from-db", "--db", str(db),
                   "--output-dir", "again", "--report", "again.md", "scenario.burn_in_months=12",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "again" / "preregistration_at_fit.yaml").read_bytes() == record
    assert not list((tmp_path / "again").glob(".*.tmp"))  # written under a temporary name, renamed
