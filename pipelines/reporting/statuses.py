"""The KR and objective statuses, once: their order, their icons and which ones need attention.

The order is the one readers see everywhere (overview counts, `summary.by_status` in
scorecard.json, the `okr run` summary line, exports): the ones in progress from good to bad, then
data problems, then the ones not begun, then the final ones of ended cycles.
"""

from __future__ import annotations

from typing import Literal, get_args

Status = Literal["on_track", "at_risk", "off_track", "stale", "no_data", "not_started", "achieved", "missed"]
STATUSES: tuple[str, ...] = get_args(Status)

# Shapes that carry the status next to its name, so colour is never the only signal.
STATUS_ICONS = {
    "on_track": "✔",
    "at_risk": "▲",
    "off_track": "✖",
    "stale": "◐",
    "no_data": "?",
    "not_started": "○",
    "achieved": "★",
    "missed": "✕",
}

# What the overview's "Needs attention" list takes, worst first (newly missed KRs join it too).
ATTENTION = ("off_track", "missed", "at_risk", "stale", "no_data")
