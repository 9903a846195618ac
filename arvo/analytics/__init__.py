"""Statistics that SQL cannot do well, as plain functions that dbt Python models and tests call."""
