"""GX Data Docs: a static site of every suite and its latest validation, built from stored results.

The results are rebuilt from their GX JSON in a fresh context, so the site can be written by a
later step (the scorecard publisher) than the ones that validated.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipelines.quality.gx_validation import SuiteRun
from pipelines.quality.offline import make_offline

SITE_NAME = "okr_quality"


def build_data_docs(results: Iterable[SuiteRun | Mapping[str, Any]], out_dir: Path) -> Path:
    """Write the Data Docs site for these suite results into out_dir (replaced); return index.html."""
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    from pipelines.quality.gx_validation import gx_context

    gx_context()  # same quiet settings (no analytics) before a second context is made
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    ctx = gx.get_context(mode="ephemeral")
    ctx.add_data_docs_site(
        SITE_NAME,
        {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    schema = ExpectationSuiteValidationResultSchema()
    for i, item in enumerate(results):
        data = item.result_json if isinstance(item, SuiteRun) else dict(item)
        result = schema.load(data)
        name = result.suite_name
        configs = [r.expectation_config for r in result.results]
        suite = gx.ExpectationSuite(
            name=name,
            expectations=[
                ExpectationConfiguration(
                    type=c.type, kwargs={k: v for k, v in c.kwargs.items() if k != "batch_id"}, meta=c.meta
                ).to_domain_obj()
                for c in configs
            ],
        )
        with contextlib.suppress(Exception):  # first time this suite name is seen
            ctx.suites.delete(name)
        ctx.suites.add(suite)
        run_id = result.meta.get("run_id")
        run = run_id if isinstance(run_id, RunIdentifier) else RunIdentifier(run_name=f"okr-{i}")
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=name),
            run_id=run,
            batch_identifier=str(
                (result.meta.get("active_batch_definition") or {}).get("data_asset_name") or name
            ),
        )
        ctx.validation_results_store.set(key, result)
    ctx.build_data_docs(site_names=[SITE_NAME])
    make_offline(out_dir)
    return out_dir / "index.html"
