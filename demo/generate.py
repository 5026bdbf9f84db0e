"""Regenerate the demo workspace's export files: `python -m demo.generate [--out DIR]`.

Deterministic: one fixed seed, separate random streams per part (so tuning the funnel does not
reshuffle the web traffic), and writers that format every value themselves. Two runs write
byte-identical files.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np

from demo import calendar, writers
from demo.funnel import FunnelSimulator
from demo.traffic import TrafficSimulator

SEED = 20261126
EXPORTS_DIR = Path(__file__).resolve().parent / "exports"
_STREAM_TRAFFIC, _STREAM_FUNNEL = 1, 2


def generate(out_dir: Path = EXPORTS_DIR) -> list[Path]:
    """Write all export files under `out_dir` (its ga4/, hubspot/ and ads/ folders are replaced)."""
    traffic = TrafficSimulator(np.random.default_rng([SEED, _STREAM_TRAFFIC])).run()
    funnel = FunnelSimulator(np.random.default_rng([SEED, _STREAM_FUNNEL])).run(traffic.leads)

    for sub in ("ga4", "hubspot", "ads"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    stamp = calendar.EXPORT_DAY.isoformat()
    paths = writers.write_ga4_months(traffic.ga4, out_dir / "ga4")
    paths.append(
        writers.write_contacts(
            funnel.contacts, out_dir / "hubspot" / f"hubspot-crm-exports-all-contacts-{stamp}.csv"
        )
    )
    paths.append(
        writers.write_deals(
            funnel.deals,
            funnel.company_ids,
            out_dir / "hubspot" / f"hubspot-crm-exports-all-deals-{stamp}.csv",
        )
    )
    paths += writers.write_ad_spend_years(traffic.ads, out_dir / "ads")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=EXPORTS_DIR, help="export folder (default: demo/exports)")
    args = parser.parse_args(argv)
    paths = generate(args.out)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files, {total / 1e6:.1f} MB, under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
