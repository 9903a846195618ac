"""Plain-Python loaders for the landing contract (no Dagster import: callable and testable alone)."""
