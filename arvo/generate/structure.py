"""The causal structure built into the sample data, exported as data.

Every customer has a latent value perception: five value types (`VALUE_TYPES`), each a standard
normal with a common factor (customers who like one thing tend to like the others), and a latent
value-ladder score driven by the segment's value index. The observed survey answers are noisy
readings of these latents; the outcomes (NPS, 12-month retention, 12-month expansion) are driven by
them with the weights below. Tests elsewhere compare what the marts find with `TRUE_DRIVERS`.
"""

from __future__ import annotations

import numpy as np

from ingestion.contract import LADDER_STEPS, SEGMENTS, VALUE_TYPES

OUTCOMES = ("nps", "retention_12m", "expansion_12m")

# Value types share a common factor: corr(v_j, v_k) = COMMON_FACTOR_LOADING**2 for j != k.
COMMON_FACTOR_LOADING = 0.35

# Segment value index (same default weights as the dbt var `value_weights`); it drives the ladder.
VALUE_INDEX_WEIGHTS: dict[str, dict[str, float]] = {
    "B2B": {"economic": 0.35, "functional": 0.35, "emotional": 0.10, "social": 0.10, "symbolic": 0.10},
    "B2C": {"economic": 0.10, "functional": 0.15, "emotional": 0.30, "social": 0.25, "symbolic": 0.20},
}

# Direct effect of each latent value type on each outcome's latent score (standardised units).
# B2B outcomes lean on economic and functional value, B2C outcomes on emotional, social and symbolic.
VALUE_WEIGHTS: dict[str, dict[str, dict[str, float]]] = {
    "B2B": {
        "nps": {"economic": 1.0, "functional": 0.6, "emotional": 0.3, "social": 0.1, "symbolic": 0.0},
        "retention_12m": {
            "functional": 1.0,
            "economic": 0.45,
            "emotional": 0.25,
            "social": 0.1,
            "symbolic": 0.0,
        },
        "expansion_12m": {
            "economic": 1.0,
            "functional": 0.4,
            "social": 0.25,
            "emotional": 0.05,
            "symbolic": 0.0,
        },
    },
    "B2C": {
        "nps": {"emotional": 1.0, "social": 0.6, "symbolic": 0.35, "functional": 0.1, "economic": 0.0},
        "retention_12m": {
            "emotional": 1.0,
            "symbolic": 0.55,
            "social": 0.25,
            "functional": 0.1,
            "economic": 0.0,
        },
        "expansion_12m": {
            "symbolic": 1.0,
            "social": 0.4,
            "emotional": 0.15,
            "functional": 0.05,
            "economic": 0.0,
        },
    },
}

# Effect of the (standardised) latent ladder score on each outcome: higher steps retain better.
LADDER_WEIGHTS: dict[str, dict[str, float]] = {
    "B2B": {"nps": 0.45, "retention_12m": 0.55, "expansion_12m": 0.35},
    "B2C": {"nps": 0.45, "retention_12m": 0.55, "expansion_12m": 0.35},
}

# The latent ladder score is LADDER_VALUE_LOADING * (standardised value index) + independent noise
# of unit variance, then standardised; a step is reached when the score (plus a little step noise)
# passes the step's threshold and every lower step is reached.
LADDER_VALUE_LOADING = 1.2
LADDER_THRESHOLDS = (-1.1, -0.5, 0.0, 0.55, 1.1)  # awareness .. fulfilment, on the standardised score

# How strongly the outcome latents translate into behaviour.
B2B_MONTHLY_CHURN_BASE = 0.008  # monthly churn hazard at an average latent
B2B_CHURN_SENSITIVITY = 1.8  # hazard = base * exp(-sensitivity * retention latent)
B2B_MONTHLY_UPGRADE_BASE = 0.012
B2B_UPGRADE_SENSITIVITY = 1.6
B2B_MONTHLY_UPGRADE_CAP = 0.15
B2B_MONTHLY_DOWNGRADE_BASE = 0.006
B2B_DOWNGRADE_SENSITIVITY = 0.6  # downgrades = base * exp(-sensitivity * expansion latent)
B2B_MONTHLY_WINBACK_BASE = 0.03  # a churned account comes back (after >= 2 months away)
B2B_WINBACK_SENSITIVITY = 0.6  # win-backs = base * exp(sensitivity * retention latent)
B2C_FREQUENCY_SENSITIVITY = 0.3  # lambda * exp(sensitivity * retention latent)
B2C_DROPOUT_SENSITIVITY = 1.8  # p * exp(-sensitivity * retention latent)
B2C_SPEND_GROWTH_PER_YEAR = 0.6  # basket value drifts by exp(this * tanh(expansion latent) * years)
B2C_SPEND_GROWTH_YEARS = 2.0  # ... for at most this many years after the first order

# BG/NBD and Gamma-Gamma population parameters for B2C orders (time unit: week; money: EUR).
BG_NBD = {"r": 3.0, "alpha": 2.6, "a": 3.0, "b": 160.0}
GAMMA_GAMMA = {"p": 6.0, "q": 4.0, "gamma": 20.0}


def _value_covariance() -> np.ndarray:
    k = len(VALUE_TYPES)
    load2 = COMMON_FACTOR_LOADING**2
    return np.full((k, k), load2) + np.eye(k) * (1.0 - load2)


def _vector(weights: dict[str, float]) -> np.ndarray:
    return np.array([weights.get(v, 0.0) for v in VALUE_TYPES])


def ladder_loadings(segment: str) -> np.ndarray:
    """d(standardised ladder score) / d(value type): the path value -> ladder."""
    cov = _value_covariance()
    w = _vector(VALUE_INDEX_WEIGHTS[segment])
    index_sd = float(np.sqrt(w @ cov @ w))
    raw_sd = float(np.sqrt(LADDER_VALUE_LOADING**2 + 1.0))
    return LADDER_VALUE_LOADING * w / index_sd / raw_sd


def total_effects(segment: str, outcome: str) -> dict[str, float]:
    """Total effect of each value type on an outcome latent: direct weight plus the path via the ladder."""
    total = _vector(VALUE_WEIGHTS[segment][outcome]) + LADDER_WEIGHTS[segment][outcome] * ladder_loadings(segment)
    return {v: round(float(t), 4) for v, t in zip(VALUE_TYPES, total, strict=True)}


def _ranked(segment: str, outcome: str) -> list[str]:
    effects = total_effects(segment, outcome)
    return [f"value_{v}" for v in sorted(effects, key=lambda v: -effects[v])]


# segment -> outcome -> value type -> total effect (direct + via the ladder), standardised units.
DRIVER_WEIGHTS: dict[str, dict[str, dict[str, float]]] = {
    s: {o: total_effects(s, o) for o in OUTCOMES} for s in SEGMENTS
}

# segment -> outcome -> value-type drivers (named as the survey constructs), strongest first.
TRUE_DRIVERS: dict[str, dict[str, list[str]]] = {s: {o: _ranked(s, o) for o in OUTCOMES} for s in SEGMENTS}

# The ladder steps in order; a customer reaching a higher step has all the lower ones.
LADDER_ORDER: tuple[str, ...] = tuple(f"ladder_{s}" for s in LADDER_STEPS)


def outcome_latent(values: np.ndarray, ladder: np.ndarray, segment_is_b2b: np.ndarray, outcome: str) -> np.ndarray:
    """Standardised latent score of an outcome (before outcome noise) per customer.

    `values` is (n, 5) latent value types, `ladder` the standardised ladder score.
    """
    out = np.empty(len(ladder))
    cov = _value_covariance()
    for segment, mask in (("B2B", segment_is_b2b), ("B2C", ~segment_is_b2b)):
        w = _vector(VALUE_WEIGHTS[segment][outcome])
        g = LADDER_WEIGHTS[segment][outcome]
        # Exact variance of w.v + g*L, where L = c.v + e (c = ladder loadings, e independent).
        c = ladder_loadings(segment)
        total = w + g * c
        var = total @ cov @ total + g**2 * (1.0 - c @ cov @ c)
        out[mask] = (values[mask] @ w + g * ladder[mask]) / np.sqrt(var)
    return out


def draw_latents(rng: np.random.Generator, segment_is_b2b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Latent value types (n, 5) and standardised ladder score (n,) for each customer."""
    n = len(segment_is_b2b)
    common = rng.standard_normal(n)[:, None]
    specific = rng.standard_normal((n, len(VALUE_TYPES)))
    values = COMMON_FACTOR_LOADING * common + np.sqrt(1 - COMMON_FACTOR_LOADING**2) * specific
    ladder = np.empty(n)
    cov = _value_covariance()
    noise = rng.standard_normal(n)
    for segment, mask in (("B2B", segment_is_b2b), ("B2C", ~segment_is_b2b)):
        w = _vector(VALUE_INDEX_WEIGHTS[segment])
        index = values[mask] @ w / np.sqrt(w @ cov @ w)
        ladder[mask] = (LADDER_VALUE_LOADING * index + noise[mask]) / np.sqrt(LADDER_VALUE_LOADING**2 + 1)
    return values, ladder


def ladder_depth(score: np.ndarray, rng: np.random.Generator, step_noise: float = 0.25) -> np.ndarray:
    """Highest step reached (0..5): a step counts only when every lower step is reached too."""
    reached = np.ones(len(score), dtype=bool)
    depth = np.zeros(len(score), dtype=np.int8)
    for threshold in LADDER_THRESHOLDS:
        reached &= score + step_noise * rng.standard_normal(len(score)) > threshold
        depth += reached
    return depth
