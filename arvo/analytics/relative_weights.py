"""Johnson's relative weights: how much of R^2 each correlated driver accounts for.

Survey drivers (value types, ladder steps) correlate with each other, so regression coefficients and
raw correlations both mislead about importance. Johnson (2000, Multivariate Behavioral Research 35:1)
replaces the predictors by their closest orthogonal counterparts Z, regresses the outcome on Z and
maps the explained variance back to the original predictors. The raw weights sum to the model R^2;
as percentages of R^2 they sum to 100 and agree closely with Shapley/dominance analysis at a
fraction of its cost (Tonidandel & LeBreton 2011).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Eigenvalues below this (relative to the largest) are treated as 0: perfectly collinear drivers.
_EIGEN_TOLERANCE = 1e-10


@dataclass(frozen=True)
class RelativeWeights:
    """Result for one outcome: per-driver raw weights (sum = R^2), percentages and correlations."""

    drivers: tuple[str, ...]
    raw_weights: np.ndarray
    importance_pct: np.ndarray
    correlations: np.ndarray
    r_squared: float
    n: int


def _correlations(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Correlation matrix of the predictors and their correlations with the outcome."""
    data = np.column_stack([x, y])
    corr = np.corrcoef(data, rowvar=False)
    return corr[:-1, :-1], corr[:-1, -1]


def relative_weights_from_correlations(r_xx: np.ndarray, r_xy: np.ndarray) -> np.ndarray:
    """Raw relative weights (they sum to R^2) from a predictor correlation matrix and validities."""
    r_xx = np.asarray(r_xx, dtype=float)
    r_xy = np.asarray(r_xy, dtype=float)
    eigenvalues, eigenvectors = np.linalg.eigh(r_xx)
    keep = eigenvalues > _EIGEN_TOLERANCE * max(eigenvalues.max(), 1.0)
    # Lambda: correlations between the original predictors and their orthogonal counterparts Z.
    sqrt_eigen = np.where(keep, np.sqrt(np.clip(eigenvalues, 0.0, None)), 0.0)
    lam = eigenvectors @ np.diag(sqrt_eigen) @ eigenvectors.T
    inv_sqrt = np.where(keep, 1.0 / np.where(keep, sqrt_eigen, 1.0), 0.0)
    lam_inv = eigenvectors @ np.diag(inv_sqrt) @ eigenvectors.T
    beta = lam_inv @ r_xy  # regression of the outcome on Z
    return (lam**2) @ (beta**2)


def relative_weights(x: np.ndarray, y: np.ndarray, drivers: Sequence[str]) -> RelativeWeights:
    """Relative weights of the columns of `x` for `y` over the rows without missing values.

    A driver without variance (or an outcome without variance) explains nothing: its weight is 0 and
    its correlation NaN. With no explained variance at all the percentages are NaN, not a division by 0.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or x.shape[1] != len(drivers) or y.shape != (x.shape[0],):
        raise ValueError(f"x must be n x {len(drivers)} and y of length n; got {x.shape} and {y.shape}")
    complete = np.isfinite(x).all(axis=1) & np.isfinite(y)
    x, y = x[complete], y[complete]
    n, p = x.shape
    raw = np.zeros(p)
    correlations = np.full(p, np.nan)
    if n >= 3 and np.std(y) > 0:
        varying = np.std(x, axis=0) > 0
        if varying.any():
            r_xx, r_xy = _correlations(x[:, varying], y)
            raw[varying] = relative_weights_from_correlations(r_xx, r_xy)
            correlations[varying] = r_xy
    r_squared = float(raw.sum())
    pct = raw / r_squared * 100.0 if r_squared > 0 else np.full(p, np.nan)
    return RelativeWeights(tuple(drivers), raw, pct, correlations, r_squared, int(n))
