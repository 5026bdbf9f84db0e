"""How a failed dbt build is named to the user (pipelines/transform/dbt_resource.py)."""

from __future__ import annotations

from pipelines.transform.dbt_resource import dbt_error_summary

_DBT_FAILURE = """The dbt CLI process with command

`dbt build --select fqn:okr_scorer.staging --vars {"metric_models": ["leads"]}`

failed with exit code `1`. Check the stdout in the Dagster compute logs for the full information.

Errors parsed from dbt logs:

12 of 35 ERROR not_null_stg_ga4__daily_reports_sessions ........................ [ERROR in 0.02s]

\x1b[31mFailure in test not_null_stg_ga4__daily_reports_sessions (models/staging/ga4/_ga4.yml)\x1b[0m

  Runtime Error in test not_null_stg_ga4__daily_reports_sessions (models/staging/ga4/_ga4.yml)
  Conversion Error: Could not convert string 'lots' to INT64

14 of 35 ERROR int_metric_rows ................................................. [ERROR in 0.05s]

\x1b[31mFailure in model int_metric_rows (models/intermediate/int_metric_rows.sql)\x1b[0m
  Binder Error: column "x" not found
"""


def test_a_dbt_failure_is_named_by_what_failed_and_why_without_dbts_command_line() -> None:
    assert dbt_error_summary(_DBT_FAILURE) == (
        "dbt: test not_null_stg_ga4__daily_reports_sessions (models/staging/ga4/_ga4.yml): "
        "Conversion Error: Could not convert string 'lots' to INT64; "
        'model int_metric_rows (models/intermediate/int_metric_rows.sql): Binder Error: column "x" not found'
    )
    # No dbt error listed (dbt itself failed): dagster-dbt's message is kept.
    assert dbt_error_summary("The dbt CLI process with command ... failed with exit code `2`.") is None
