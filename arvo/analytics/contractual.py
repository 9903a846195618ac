"""Shifted-beta-geometric (sBG) model of contract renewals, fitted by maximum likelihood with scipy.

Fader and Hardie (2007), "How to Project Customer Retention", Journal of Interactive Marketing 21(1).
Each customer renews every period with its own probability 1 - theta, theta ~ Beta(alpha, beta);
heterogeneity makes the pooled retention rate rise with tenure, which a single churn rate misses.

A customer observed for n periods (months with MRR, the first included) either churned after them
(lifetime T = n: P(T = n)) or is still active (T >= n: survival S(n - 1)). Identical (n, churned)
rows are fitted once with their count as weight.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from arvo.analytics.clv import Fit, _maximise, _weights, group_rows, monthly_discount_factors

# Remaining lifetime is summed over at most this many months (100 years): with alpha <= 1 the sBG
# expectation is infinite, so the figure is a truncated mean.
LIFETIME_CAP_MONTHS = 1200


def _log_beta_ratio(alpha: float, beta: float, numerator_alpha: ArrayLike, numerator_beta: ArrayLike):
    return special.betaln(numerator_alpha, numerator_beta) - special.betaln(alpha, beta)


def sbg_log_survival(alpha: float, beta: float, t: ArrayLike) -> NDArray[np.float64]:
    """log S(t) = log P(T > t) = log B(alpha, beta + t) - log B(alpha, beta)."""
    t = np.asarray(t, dtype=float)
    return _log_beta_ratio(alpha, beta, alpha, beta + t)


def sbg_log_likelihood(
    params: ArrayLike, lifetime: ArrayLike, churned: ArrayLike, weights: ArrayLike | None = None
) -> float:
    """Total (weighted) sBG log-likelihood for params (alpha, beta)."""
    alpha, beta = (float(v) for v in params)
    n = np.asarray(lifetime, dtype=float)
    churned = np.asarray(churned, dtype=bool)
    churn_ll = _log_beta_ratio(alpha, beta, alpha + 1.0, beta + n - 1.0)
    alive_ll = sbg_log_survival(alpha, beta, n - 1.0)
    terms = np.where(churned, churn_ll, alive_ll)
    return float(np.sum(_weights(weights, terms.size) * terms))


def fit_sbg(lifetime: ArrayLike, churned: ArrayLike, weights: ArrayLike | None = None) -> Fit:
    """Maximum-likelihood sBG on (lifetime in periods >= 1, churned) per customer."""
    n = np.asarray(lifetime, dtype=float)
    c = np.asarray(churned, dtype=float)
    if n.size == 0:
        raise ValueError("the sBG model needs at least one customer")
    if np.any(n < 1):
        raise ValueError("lifetimes are counted in periods and start at 1")
    w = _weights(weights, n.size)
    if weights is None:
        (n, c), w = group_rows(n, c)

    def negative_ll(log_params: NDArray[np.float64]) -> float:
        value = sbg_log_likelihood(np.exp(log_params), n, c.astype(bool), w)
        return -value if np.isfinite(value) else 1e300

    params, ll, converged = _maximise(negative_ll, np.log([1.0, 1.0]), float(w.sum()))
    return Fit(
        "shifted_beta_geometric",
        dict(zip(("alpha", "beta"), params.tolist(), strict=True)),
        ll,
        int(round(w.sum())),
        int(n.size),
        converged,
    )


def sbg_retention_ahead(params: dict[str, float], lifetime: ArrayLike, months: int) -> NDArray[np.float64]:
    """P(still active k periods from now | active for `lifetime` periods so far), k = 1..months.

    Shape (customers, months): S(n + k - 1) / S(n - 1), the product of the retention rates
    S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1) for t = n .. n + k - 1. Unlike a ratio
    of beta functions, the product stays exact when alpha and beta run off to infinity together (a
    cohort whose churn is the same for everyone: the geometric limit, retention beta / (alpha + beta)
    fixed), where the log-beta difference of two numbers near 1e17 came out infinite.
    """
    alpha, beta = params["alpha"], params["beta"]
    periods = np.asarray(lifetime, dtype=float)[:, None] + np.arange(months, dtype=float)[None, :]
    return np.cumprod((beta + periods - 1.0) / (alpha + beta + periods - 1.0), axis=1)


def sbg_expected_remaining_months(params: dict[str, float], lifetime: ArrayLike) -> NDArray[np.float64]:
    """Expected further months with MRR (truncated at LIFETIME_CAP_MONTHS), once per distinct lifetime."""
    distinct, inverse = np.unique(np.asarray(lifetime, dtype=float), return_inverse=True)
    return sbg_retention_ahead(params, distinct, LIFETIME_CAP_MONTHS).sum(axis=1)[inverse.ravel()]


def sbg_discounted_value(
    params: dict[str, float], lifetime: ArrayLike, mrr: ArrayLike, months: int, annual_rate: float
) -> NDArray[np.float64]:
    """Discounted expected MRR over the next `months` months for customers active now."""
    distinct, inverse = np.unique(np.asarray(lifetime, dtype=float), return_inverse=True)
    per_lifetime = sbg_retention_ahead(params, distinct, months) @ monthly_discount_factors(months, annual_rate)
    return per_lifetime[inverse.ravel()] * np.asarray(mrr, dtype=float)


def choose_sbg_params(fits: list[dict], segment: str, cohort: str) -> dict[str, float] | None:
    """The sBG parameters to value a customer with: its segment x cohort-year fit, else its segment's,
    else the pooled one; a fit that did not converge is passed over.

    A cohort too young to have shown churn drives the likelihood towards alpha, beta -> infinity; such
    a non-converged fit stopped at an arbitrary point on the way, so the broader fit stands in.
    `fits` are rows of int_clv_params: {segment, cohort, parameter, value, converged}.
    """
    for wanted_segment, wanted_cohort in ((segment, cohort), (segment, "all"), ("all", "all")):
        rows = [f for f in fits if f["segment"] == wanted_segment and f["cohort"] == wanted_cohort]
        if rows and all(bool(f["converged"]) for f in rows):
            return {f["parameter"]: float(f["value"]) for f in rows}
    return None
