"""Johnson's relative weights against hand-computed cases and two independent implementations."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from arvo.analytics.relative_weights import relative_weights, relative_weights_from_correlations


def _r_squared(x: np.ndarray, y: np.ndarray) -> float:
    """R^2 of an OLS fit with intercept (0 for the empty model)."""
    if x.shape[1] == 0:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    return 1.0 - residual @ residual / ((y - y.mean()) @ (y - y.mean()))


def _shapley_r_squared(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """General dominance / Shapley decomposition of R^2: average gain of each predictor over all orders."""
    p = x.shape[1]
    cache = {
        subset: _r_squared(x[:, list(subset)], y)
        for size in range(p + 1)
        for subset in itertools.combinations(range(p), size)
    }
    shares = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for size in range(p):
            weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            for subset in itertools.combinations(others, size):
                with_j = tuple(sorted((*subset, j)))
                shares[j] += weight * (cache[with_j] - cache[subset])
    return shares


def _johnson_by_svd(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson's (2000) original route from the data: Z = U V' (closest orthogonal matrix to X)."""
    xs = (x - x.mean(axis=0)) / x.std(axis=0)
    ys = (y - y.mean()) / y.std()
    u, _, vt = np.linalg.svd(xs, full_matrices=False)
    z = u @ vt * math.sqrt(len(y))
    beta = np.linalg.lstsq(z, ys, rcond=None)[0]
    lam = np.linalg.lstsq(z, xs, rcond=None)[0]  # rows: Z_k, columns: X_j
    return (lam.T**2) @ (beta**2)


def _survey_like(seed: int, n: int = 2000, rho: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """Ten moderately correlated drivers (like value types and ladder steps) and an outcome."""
    rng = np.random.default_rng(seed)
    cov = np.full((10, 10), rho) + np.eye(10) * (1 - rho)
    x = rng.multivariate_normal(np.zeros(10), cov, size=n)
    y = x @ np.array([0.6, 0.4, 0.2, 0.1, 0.05, 0.3, 0.0, 0.0, 0.1, 0.0]) + rng.normal(size=n)
    return x, y


def test_uncorrelated_predictors_get_their_squared_correlation():
    # Hand case: with orthogonal predictors R^2 = sum r_j^2 and every weight is r_j^2.
    r_xx = np.eye(3)
    r_xy = np.array([0.6, 0.3, 0.0])
    raw = relative_weights_from_correlations(r_xx, r_xy)
    np.testing.assert_allclose(raw, [0.36, 0.09, 0.0], atol=1e-12)


def test_two_equally_valid_correlated_predictors_split_evenly():
    # Hand case: r12 = 0.5, r1y = r2y = 0.5 -> R^2 = 2 * 0.25 / 1.5 = 1/3, split 50/50.
    raw = relative_weights_from_correlations(np.array([[1.0, 0.5], [0.5, 1.0]]), np.array([0.5, 0.5]))
    np.testing.assert_allclose(raw, [1 / 6, 1 / 6], atol=1e-12)


def test_two_predictors_hand_computed():
    # Two predictors: Lambda = [[a, b], [b, a]] with a, b from the eigenvalues 1 +- r.
    r, r1, r2 = 0.4, 0.6, 0.2
    a = (math.sqrt(1 + r) + math.sqrt(1 - r)) / 2
    b = (math.sqrt(1 + r) - math.sqrt(1 - r)) / 2
    det = a * a - b * b
    beta = np.array([(a * r1 - b * r2) / det, (a * r2 - b * r1) / det])
    expected = np.array([a * a * beta[0] ** 2 + b * b * beta[1] ** 2, b * b * beta[0] ** 2 + a * a * beta[1] ** 2])
    raw = relative_weights_from_correlations(np.array([[1, r], [r, 1]]), np.array([r1, r2]))
    np.testing.assert_allclose(raw, expected, atol=1e-12)
    r_squared = (r1**2 + r2**2 - 2 * r * r1 * r2) / (1 - r**2)
    assert raw.sum() == pytest.approx(r_squared, abs=1e-12)


def test_weights_sum_to_r_squared_and_percentages_to_100():
    x, y = _survey_like(seed=3)
    result = relative_weights(x, y, [f"d{i}" for i in range(10)])
    assert result.r_squared == pytest.approx(_r_squared(x, y), abs=1e-9)
    assert result.importance_pct.sum() == pytest.approx(100.0, abs=1e-9)
    assert result.n == len(y)


def test_equals_johnsons_original_svd_route():
    x, y = _survey_like(seed=5)
    result = relative_weights(x, y, [f"d{i}" for i in range(10)])
    np.testing.assert_allclose(result.raw_weights, _johnson_by_svd(x, y), atol=1e-9)


@pytest.mark.parametrize("seed", [11, 12])
def test_agrees_with_shapley_decomposition_within_one_point(seed):
    x, y = _survey_like(seed=seed)
    result = relative_weights(x, y, [f"d{i}" for i in range(10)])
    shapley = _shapley_r_squared(x, y)
    shapley_pct = shapley / shapley.sum() * 100
    assert np.abs(result.importance_pct - shapley_pct).max() < 1.0
    assert np.argmax(result.importance_pct) == np.argmax(shapley_pct) == 0


def test_missing_values_and_constant_drivers():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    x[:, 2] = 1.0  # no variance: explains nothing
    y = 2 * x[:, 0] + rng.normal(size=200)
    x[5, 1] = np.nan  # an unanswered question drops the response
    result = relative_weights(x, y, ["a", "b", "constant"])
    assert result.n == 199
    assert result.raw_weights[2] == 0.0
    assert math.isnan(result.correlations[2])
    assert result.importance_pct[0] > 90


def test_no_variance_in_outcome_gives_no_percentages():
    x = np.random.default_rng(0).normal(size=(50, 2))
    result = relative_weights(x, np.ones(50), ["a", "b"])
    assert np.isnan(result.importance_pct).all()
    assert result.r_squared == 0.0


def test_rejects_mismatched_shapes():
    with pytest.raises(ValueError):
        relative_weights(np.zeros((5, 2)), np.zeros(4), ["a", "b"])
