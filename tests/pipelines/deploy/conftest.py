"""The deploy tests need the throwaway PostgreSQL server (Dagster's run/event/schedule storage)."""

from tests.postgres_server import postgres_server  # noqa: F401  (session fixture, shared server)
