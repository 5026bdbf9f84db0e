"""Which source tables and staging models each metric reads, from the dbt manifest.

Node names: a dbt source becomes `<schema>.<table>` (e.g. `raw.hubspot_contacts`), a model its
name (`stg_hubspot__contacts`, `leads`). A failing ERROR check on any node upstream of a metric
blocks the KRs on that metric.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

METRICS_PATH = "models/metrics/"


def _node_name(unique_id: str, manifest: dict[str, Any]) -> str | None:
    if unique_id in manifest.get("sources", {}):
        src = manifest["sources"][unique_id]
        return f"{src.get('schema') or src['source_name']}.{src.get('identifier') or src['name']}"
    node = manifest.get("nodes", {}).get(unique_id)
    if node and node.get("resource_type") in ("model", "seed", "snapshot"):
        return str(node["name"])
    return None


def metric_lineage(manifest: dict[str, Any]) -> dict[str, set[str]]:
    """metric model name -> every upstream node name (models and sources), the metric included."""
    parents: dict[str, list[str]] = manifest.get("parent_map") or {
        uid: list((n.get("depends_on") or {}).get("nodes", []))
        for uid, n in manifest.get("nodes", {}).items()
    }
    out: dict[str, set[str]] = {}
    for uid, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") != "model":
            continue
        if not str(node.get("original_file_path", "")).replace("\\", "/").startswith(METRICS_PATH):
            continue
        seen: set[str] = set()
        stack = [uid]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(parents.get(current, []))
        out[str(node["name"])] = {n for n in (_node_name(u, manifest) for u in seen) if n}
    return out


def load_lineage(manifest_path: Path) -> dict[str, set[str]]:
    return metric_lineage(json.loads(Path(manifest_path).read_text(encoding="utf-8")))


def metrics_fed_by(lineage: dict[str, set[str]], node: str) -> list[str]:
    return sorted(m for m, nodes in lineage.items() if node in nodes)
