"""The `okr_definitions` multi-asset: validate okrs/ and write the raw.okr_* tables dbt reads."""

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import dagster as dg
from dagster import AssetExecutionContext

from pipelines.okr_definitions import DefinitionErrors, load_definitions
from pipelines.okr_definitions.store import DEFINITION_TABLES, store_definitions
from pipelines.resources import WarehouseResource, WorkspaceResource


@dg.multi_asset(
    name="okr_definitions",
    group_name="definitions",
    specs=[
        dg.AssetSpec(["raw", table], description=description, group_name="definitions")
        for table, description in DEFINITION_TABLES.items()
    ],
    description="Objectives, key results, initiatives and check-ins from okrs/, validated as a whole and "
    "stored in raw.okr_* tables. Any definition error stops the run before data is touched.",
)
def okr_definitions(
    context: AssetExecutionContext, workspace: WorkspaceResource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
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
    context.log.info(
        f"stored {len(defs.objectives)} objectives and {len(defs.key_results)} key results "
        f"of cycles {', '.join(defs.cycles)} from {', '.join(defs.files)}"
    )
    for table in DEFINITION_TABLES:
        yield dg.MaterializeResult(asset_key=["raw", table], metadata={"rows": counts[table]})
