"""`okr backtest` and `okr explain`: the CLI side (output and exit codes) of the analysis modules.

Kept out of pipelines/cli.py so that the command line stays a thin dispatcher. Errors are one plain
sentence on stderr (exit 1); nothing here changes published scores.
"""

from __future__ import annotations

import argparse
import json
import sys

from pipelines.okr_definitions.loader import OkrDefinitions
from pipelines.settings import Settings

EXIT_OK, EXIT_ERRORS = 0, 1


def run_analysis_command(args: argparse.Namespace, settings: Settings, defs: OkrDefinitions) -> int:
    from pipelines.explain import ExplainError, explain_kr, render_text
    from pipelines.forecast_backtest import BacktestError, run_backtest
    from pipelines.transform.dbt_setup import DbtRunError

    try:
        if args.command == "backtest":
            result = run_backtest(settings, defs, args.cycle, args.at)
            print(json.dumps(result.to_json(), indent=2) if args.json else result.to_table())
        else:
            explanation = explain_kr(settings, defs, args.kr_id, args.as_of)
            print(json.dumps(explanation, indent=2, default=str) if args.json else render_text(explanation))
    except (BacktestError, ExplainError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except DbtRunError as exc:
        print(f"error: replaying the cycle in dbt failed: {str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_ERRORS
    return EXIT_OK
