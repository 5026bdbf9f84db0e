"""Definitions in, scores out: the OKR definitions asset and the dbt models as Dagster assets."""
