"""Dagster code location: definitions, assets, resources, schedules, and the `okr` command."""
