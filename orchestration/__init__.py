"""Dagster definitions for Arvo: sources -> raw -> staging -> marts -> serving."""
