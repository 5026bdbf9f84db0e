"""A sensor that notices new or changed files in the export folder and asks for an
`ingest_exports` run. The cursor holds each file's size and modification time; the loader itself
decides by content hash, so a touched-but-identical file costs one cheap run that changes nothing."""

import hashlib
import json

import dagster as dg
from dagster import SensorEvaluationContext

from connectors.exports import folder_fingerprint
from pipelines.ingest.resources import IngestWorkspaceResource

EXPORTS_JOB = "ingest_exports"


def build_export_sensor(
    job: "dg.UnresolvedAssetJobDefinition | dg.JobDefinition", minimum_interval_seconds: int = 60
) -> dg.SensorDefinition:
    @dg.sensor(
        name="export_folder_sensor",
        job=job,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Loads new or changed files dropped into the export folder (sources.yml exports.folder).",
    )
    def export_folder_sensor(context: SensorEvaluationContext, ingest_workspace: IngestWorkspaceResource):
        ws = ingest_workspace
        folder = ws.sources().exports.folder
        if not folder.is_dir():
            return dg.SkipReason(f"export folder {folder} does not exist")
        current = folder_fingerprint(folder)
        previous = json.loads(context.cursor) if context.cursor else {}
        changed = sorted(name for name, stamp in current.items() if previous.get(name) != stamp)
        if not changed:
            return dg.SkipReason(f"no new or changed files in {folder}")
        digest = hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16]
        context.update_cursor(json.dumps(current, sort_keys=True))
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        context.log.info(f"new or changed export files: {shown}")
        return dg.RunRequest(run_key=f"exports-{digest}", tags={"okr/export_files": str(len(changed))})

    return export_folder_sensor
