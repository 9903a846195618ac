"""Unit tests of the lifetime-value statistics (arvo.analytics.clv and arvo.analytics.contractual).

Published figures: Fader and Hardie (2007), "How to Project Customer Retention", fit the sBG to the
"regular" and "high end" survivor curves of 1,000 customers over 7 years: alpha = 0.704, beta = 1.182
and alpha = 0.668, beta = 3.806. The BG/NBD and Gamma-Gamma figures are checked end to end on CDNOW
(tests/dbt/test_money_cdnow.py) and here on simulated data with known parameters.
"""

from __future__ import annotations

import numpy as np
import pytest

from arvo.analytics import clv, contractual


def _survivors_to_lifetimes(survivors: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lifetime, churned, count) rows from a survivor curve starting at the cohort size."""
    lifetimes, churned, counts = [], [], []
    for period in range(1, len(survivors)):
        lifetimes.append(period)
        churned.append(True)
        counts.append(survivors[period - 1] - survivors[period])
    lifetimes.append(len(survivors))  # still active after len - 1 renewals: T >= len
    churned.append(False)
    counts.append(survivors[-1])
    return np.array(lifetimes), np.array(churned), np.array(counts, dtype=float)


@pytest.mark.parametrize(
    ("survivors", "alpha", "beta"),
    [
        ([1000, 631, 468, 382, 326, 289, 262, 241], 0.704, 1.182),
        ([1000, 869, 743, 653, 593, 551, 517, 491], 0.668, 3.806),
    ],
)
def test_sbg_reproduces_fader_hardie_2007(survivors, alpha, beta):
    lifetimes, churned, counts = _survivors_to_lifetimes(survivors)
    fit = contractual.fit_sbg(lifetimes, churned, counts)
    assert fit.params["alpha"] == pytest.approx(alpha, abs=0.001)
    assert fit.params["beta"] == pytest.approx(beta, abs=0.001)
    assert fit.customers == 1000


def test_sbg_grouped_fit_equals_customer_by_customer_fit():
    lifetimes, churned, counts = _survivors_to_lifetimes([200, 150, 120, 100, 90])
    per_customer_n = np.repeat(lifetimes, counts.astype(int))
    per_customer_churned = np.repeat(churned, counts.astype(int))
    grouped = contractual.fit_sbg(per_customer_n, per_customer_churned)
    weighted = contractual.fit_sbg(lifetimes, churned, counts)
    assert grouped.groups == len(lifetimes)
    assert grouped.params == pytest.approx(weighted.params, rel=1e-5)
    ungrouped_ll = contractual.sbg_log_likelihood(list(grouped.params.values()), per_customer_n, per_customer_churned)
    assert ungrouped_ll == pytest.approx(grouped.log_likelihood, rel=1e-9)


def test_sbg_retention_rises_with_tenure_and_value_is_discounted():
    params = {"alpha": 0.704, "beta": 1.182}
    ahead = contractual.sbg_retention_ahead(params, np.array([1, 5]), 12)
    assert np.all(np.diff(ahead, axis=1) < 0)  # fewer survive further ahead
    assert ahead[1, 0] > ahead[0, 0]  # a customer who stayed longer is more likely to renew
    undiscounted = contractual.sbg_discounted_value(params, np.array([3]), np.array([100.0]), 12, 0.0)
    discounted = contractual.sbg_discounted_value(params, np.array([3]), np.array([100.0]), 12, 0.10)
    expected_months = contractual.sbg_retention_ahead(params, np.array([3]), 12).sum()
    assert undiscounted[0] == pytest.approx(100.0 * expected_months)
    assert 0 < discounted[0] < undiscounted[0]


def test_sbg_retention_ahead_is_the_survival_ratio_and_stays_finite_in_the_geometric_limit():
    """S(n + k - 1) / S(n - 1) from the beta functions where they are exact; with the parameters a
    2024 cohort without heterogeneity produced (alpha 1.24e15, beta 1.25e17: the fit runs off to
    infinity along the ridge of constant churn), the geometric retention, not inf (which had failed
    mart_customer_lifetime_value on a new day dated after the window)."""
    params = {"alpha": 0.704, "beta": 1.182}
    lifetimes = np.array([1.0, 3.0, 10.0])
    ahead = contractual.sbg_retention_ahead(params, lifetimes, 24)
    k = np.arange(1, 25)[None, :]
    survival = contractual.sbg_log_survival
    expected = np.exp(
        survival(0.704, 1.182, lifetimes[:, None] + k - 1.0) - survival(0.704, 1.182, lifetimes[:, None] - 1.0)
    )
    assert ahead == pytest.approx(expected, rel=1e-12)

    ridge = {"alpha": 1.242580e15, "beta": 1.247441e17}
    geometric = ridge["beta"] / (ridge["alpha"] + ridge["beta"])
    far_ahead = contractual.sbg_retention_ahead(ridge, np.array([24.0]), 36)
    assert far_ahead == pytest.approx(geometric ** np.arange(1, 37)[None, :], rel=1e-9)
    value = contractual.sbg_discounted_value(ridge, np.array([24.0]), np.array([1900.0]), 36, 0.10)
    assert np.isfinite(value).all() and 0 < value[0] < 36 * 1900.0


def _simulate_bgnbd(rng: np.random.Generator, n: int, r, alpha, a, b, horizon: float):
    """Draw (x, t_x, T) from the BG/NBD generative story (FHL 2005, section 3)."""
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    big_t = rng.uniform(horizon / 3, horizon, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1.0 / lam[i])
            if t > big_t[i]:
                break
            x[i] += 1
            t_x[i] = t
            if rng.random() < p[i]:
                break
    return x, np.round(t_x, 1), np.round(big_t, 1)


def test_bgnbd_recovers_simulated_parameters_and_grouping_changes_nothing():
    rng = np.random.default_rng(7)
    x, t_x, big_t = _simulate_bgnbd(rng, 4000, 0.5, 5.0, 0.8, 2.5, 52.0)
    grouped = clv.fit_bgnbd(x, t_x, big_t)
    ungrouped = clv.fit_bgnbd(x, t_x, big_t, group=False)
    assert grouped.groups < ungrouped.groups == 4000
    assert grouped.params == pytest.approx(ungrouped.params, rel=1e-3)
    assert grouped.log_likelihood == pytest.approx(ungrouped.log_likelihood, rel=1e-9)
    assert grouped.params["r"] == pytest.approx(0.5, rel=0.25)
    assert grouped.params["alpha"] == pytest.approx(5.0, rel=0.35)
    assert grouped.params["a"] == pytest.approx(0.8, rel=0.4)
    assert grouped.params["b"] == pytest.approx(2.5, rel=0.5)


CDNOW_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def _central_differences(log_likelihood, params: list[float]) -> list[float]:
    derivatives = []
    for i, step in enumerate(np.array(params) * 1e-6):
        up, down = np.array(params, dtype=float), np.array(params, dtype=float)
        up[i] += step
        down[i] -= step
        derivatives.append((log_likelihood(up) - log_likelihood(down)) / (2 * step))
    return derivatives


@pytest.mark.parametrize("params", [[0.243, 4.414, 0.793, 2.426], [1.17, 1.14, 0.43, 10.9], [3.0, 50.0, 2.0, 0.5]])
def test_bgnbd_gradient_is_the_derivative_of_the_log_likelihood(params):
    """The fits use the analytic gradient: it must match central differences of the likelihood."""
    rng = np.random.default_rng(11)
    x, t_x, big_t = _simulate_bgnbd(rng, 2000, 0.5, 5.0, 0.8, 2.5, 52.0)
    weights = rng.integers(1, 4, x.size).astype(float)
    analytic = clv.bgnbd_log_likelihood_gradient(params, x, t_x, big_t, weights)
    numeric = _central_differences(lambda p: clv.bgnbd_log_likelihood(p, x, t_x, big_t, weights), params)
    assert list(analytic) == pytest.approx(numeric, rel=1e-5, abs=1e-3)


@pytest.mark.parametrize("params", [[6.25, 3.74, 15.44], [4.5, 3.2, 24.6]])
def test_gamma_gamma_gradient_is_the_derivative_of_the_log_likelihood(params):
    rng = np.random.default_rng(12)
    x = rng.integers(1, 20, 2000).astype(float)
    spend = rng.gamma(4.0, 10.0, x.size)
    analytic = clv.gamma_gamma_log_likelihood_gradient(params, x, spend)
    numeric = _central_differences(lambda p: clv.gamma_gamma_log_likelihood(p, x, spend), params)
    assert list(analytic) == pytest.approx(numeric, rel=1e-5, abs=1e-3)


def test_bgnbd_conditional_expectation_agrees_with_simulation():
    """FHL (2005) eq. 10 against the generative story: simulate CDNOW-parameter customers over a
    calibration and a holdout period, keep those with the calibration history (x=2 repeats), and
    compare their mean holdout count with the closed form."""
    rng = np.random.default_rng(11)
    n = 200_000
    lam = rng.gamma(CDNOW_BGNBD["r"], 1.0 / CDNOW_BGNBD["alpha"], n)
    p = rng.beta(CDNOW_BGNBD["a"], CDNOW_BGNBD["b"], n)
    calibration, holdout = 39.0, 39.0
    x = np.zeros(n)
    t_x = np.zeros(n)
    future = np.zeros(n)
    t = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        t[alive] += rng.exponential(1.0 / lam[alive])
        in_cal = alive & (t <= calibration)
        in_hold = alive & (t > calibration) & (t <= calibration + holdout)
        x[in_cal] += 1
        t_x[in_cal] = t[in_cal]
        future[in_hold] += 1
        alive &= t <= calibration + holdout
        alive &= rng.random(n) >= p  # drop out after a purchase
    chosen = x == 2
    predicted = clv.bgnbd_expected_purchases(CDNOW_BGNBD, holdout, x[chosen], t_x[chosen], calibration)
    assert future[chosen].mean() == pytest.approx(predicted.mean(), rel=0.05)


def test_probability_alive_is_one_without_repeats_and_falls_with_inactivity():
    alive = clv.bgnbd_probability_alive(CDNOW_BGNBD, [0, 3, 3], [0.0, 30.0, 5.0], [38.0, 38.0, 38.0])
    assert alive[0] == 1.0
    assert 0 < alive[2] < alive[1] < 1


def test_gamma_gamma_expected_value_shrinks_towards_the_population_mean():
    params = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    population_mean = params["p"] * params["gamma"] / (params["q"] - 1)
    value = clv.gamma_gamma_expected_value(params, [0, 1, 20], [np.nan, 100.0, 100.0])
    assert value[0] == pytest.approx(population_mean)
    assert population_mean < value[1] < value[2] < 100.0


def test_gamma_gamma_expected_value_of_a_non_positive_repeat_mean_is_that_of_zero_spend():
    """A repeat day whose credit note outweighs its sales (100 on day one; 10 bought and 60 refunded on a
    later day: x = 1, mean repeat value -50) is outside Gamma-Gamma's support (spend > 0; the fit leaves
    such customers out). Its expected value is that of a mean repeat spend of 0, never negative.
    CDNOW parameters: 6.25 * 15.44 / (6.25 + 3.74 - 1) = 10.734; the formula on -50 gave
    6.25 * (15.44 - 50) / 8.99 = -24.03, a negative CLV that failed the mart's data tests."""
    params = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    value = clv.gamma_gamma_expected_value(params, [1, 1, 2], [-50.0, 0.0, -10.0])
    assert value[0] == pytest.approx(6.25 * 15.44 / 8.99)
    assert value[1] == pytest.approx(value[0])
    assert value[2] == pytest.approx(6.25 * 15.44 / (2 * 6.25 + 2.74))


def test_gamma_gamma_grouped_equals_ungrouped():
    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, 600).astype(float)
    m = np.round(rng.gamma(6.0, 5.0, 600), 0)
    grouped = clv.fit_gamma_gamma(x, m)
    ungrouped = clv.fit_gamma_gamma(x, m, group=False)
    assert grouped.groups < 600
    assert grouped.params == pytest.approx(ungrouped.params, rel=1e-3)


@pytest.mark.parametrize("rows", [0, 1, 500])
def test_group_rows_are_the_distinct_rows_in_order_with_their_counts(rows):
    """The grouping the fits and predictions use equals numpy's row-wise unique (ties in the first
    columns, differences only in the last, negative zero)."""
    rng = np.random.default_rng(5)
    x = rng.integers(0, 3, rows).astype(float)
    t_x = rng.integers(0, 4, rows) / 7.0
    T = np.where(rng.random(rows) < 0.5, 0.0, -0.0) + rng.integers(0, 2, rows)
    (ux, ut_x, uT), weights = clv.group_rows(x, t_x, T)
    expected, counts = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
    assert np.array_equal(np.column_stack([ux, ut_x, uT]), expected.reshape(-1, 3))
    assert np.array_equal(weights, counts)
    if rows > 1:
        assert len(ux) < rows


def test_discounted_value_sums_monthly_increments():
    params = CDNOW_BGNBD
    value = np.array([10.0])
    undiscounted = clv.bgnbd_discounted_value(params, value, [2], [30.43], [38.86], 12, "week", 0.0)
    cumulative = clv.bgnbd_expected_purchases(params, 12 * clv.periods_per_month("week"), [2], [30.43], [38.86])
    assert undiscounted[0] == pytest.approx(10.0 * cumulative[0])
    discounted = clv.bgnbd_discounted_value(params, value, [2], [30.43], [38.86], 12, "week", 0.10)
    assert undiscounted[0] * 1.1**-1 < discounted[0] < undiscounted[0]
    with pytest.raises(ValueError, match="clv_period"):
        clv.periods_per_month("fortnight")


def test_a_non_converged_cohort_fit_falls_back_to_the_segment_then_the_pooled_fit():
    """A young cohort's runaway sBG fit (alpha, beta -> 1e15) must not value anyone: it overflowed to 1e226 EUR."""
    from arvo.analytics.contractual import choose_sbg_params, sbg_discounted_value

    def fit(segment, cohort, alpha, beta, converged):
        return [
            {"segment": segment, "cohort": cohort, "parameter": "alpha", "value": alpha, "converged": converged},
            {"segment": segment, "cohort": cohort, "parameter": "beta", "value": beta, "converged": converged},
        ]

    fits = (
        fit("B2B", "2026", 8.9e14, 3.4e16, False)
        + fit("B2B", "all", 1.31, 108.0, True)
        + fit("all", "all", 1.2, 90.0, True)
    )
    assert choose_sbg_params(fits, "B2B", "2026") == {"alpha": 1.31, "beta": 108.0}
    assert choose_sbg_params(fits, "B2C", "2024") == {"alpha": 1.2, "beta": 90.0}
    assert choose_sbg_params(fit("all", "all", 1e15, 1e16, False), "B2B", "2026") is None
    value = sbg_discounted_value(choose_sbg_params(fits, "B2B", "2026"), [3.0], [1900.0], 12, 0.10)
    assert np.isfinite(value).all() and 0 < value[0] <= 12 * 1900.0
