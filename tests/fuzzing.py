"""How hard the property tests search. `make test` runs each with its full example count;
`make test-quick` sets OKR_QUICK_FUZZ=1 and runs a quarter of it (at least 10), so the subset meant
for every change stays quick while the full suite (and CI) keeps the depth."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

QUICK = os.environ.get("OKR_QUICK_FUZZ") == "1"


def fuzz(max_examples: int, **kwargs: Any) -> settings:
    """Hypothesis settings for a property test: `max_examples` in the full suite, no deadline
    (a loaded machine must not fail a test for being slow)."""
    examples = max(10, max_examples // 4) if QUICK else max_examples
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow], **kwargs
    )
