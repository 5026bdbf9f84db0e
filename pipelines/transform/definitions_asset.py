"""The `okr_definitions` asset: validate okrs/*.yml and write them where dbt reads them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.okr_definitions import DefinitionErrors, load_definitions
from pipelines.okr_definitions.store import store_definitions
from pipelines.resources import WarehouseResource, WorkspaceResource


@dg.asset(
    key="okr_definitions",
    group_name="definitions",
    description="Objectives, key results, initiatives and check-ins from okrs/, validated as a whole "
    "and stored in raw.okr_* tables. Any definition error stops the run before data is touched.",
)
def okr_definitions(
    context: dg.AssetExecutionContext, workspace: WorkspaceResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = workspace.settings()
    try:
        defs = load_definitions(settings.okrs_dir, display_root=settings.root)
    except DefinitionErrors as exc:
        raise dg.Failure(
            description=str(exc),
            metadata={"errors": dg.MetadataValue.json([str(e) for e in exc.errors])},
        ) from None
    seen_on = dt.datetime.now(ZoneInfo(settings.timezone)).date()
    counts = store_definitions(defs, warehouse.open(), seen_on=seen_on)
    context.log.info(f"stored {len(defs.objectives)} objectives and {len(defs.key_results)} key results")
    return dg.MaterializeResult(
        metadata={
            "objectives": len(defs.objectives),
            "key_results": len(defs.key_results),
            "checkins": len(defs.checkins),
            "cycles": ", ".join(defs.cycles),
            "files": dg.MetadataValue.json(defs.files),
            "rows_written": dg.MetadataValue.json(counts),
        }
    )
