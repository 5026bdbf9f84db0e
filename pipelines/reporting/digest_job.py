"""The `weekly_digest` job: one op that sends every team's digest for the newest scored day.
Its schedule (Monday 08:00 in the workspace time zone by default) is in pipelines/schedules.py."""

import dagster as dg
from dagster import OpExecutionContext

from pipelines.resources import WarehouseResource, WorkspaceResource


@dg.op(description="Send every team's weekly digest for the newest scored day (once per team and week).")
def send_weekly_digest(
    context: OpExecutionContext, workspace: WorkspaceResource, warehouse: WarehouseResource
) -> dg.Output:
    from pipelines.reporting.digest_run import DigestError, run_digest

    try:
        result = run_digest(workspace.settings(), warehouse=warehouse.open())
    except DigestError as exc:
        context.log.warning(f"weekly digest: not sent: {exc}")
        return dg.Output(None, metadata={"sent": 0, "reason": str(exc)})
    context.log.info(
        f"weekly digest: sent {result.posted}, already sent {result.already_posted}, failed {result.failed}"
    )
    return dg.Output(
        None,
        metadata={
            "teams": len(result.digests),
            "sent": len(result.posted),
            "already_sent": len(result.already_posted),
            "failed": len(result.failed),
        },
    )


@dg.job(description="The weekly digest per team to Slack, Teams, webhooks and e-mail.")
def weekly_digest() -> None:
    send_weekly_digest()
