"""GX loads without running altair and scipy.stats (pipelines/quality/gx_import.py), validates as
before, and a module made lazy is the real one on first use."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from pipelines.settings import REPO_ROOT

# A fresh interpreter: this test process may have imported altair or scipy already.
SCRIPT = textwrap.dedent(
    """
    import sys
    import pandas as pd
    from pipelines.quality.gx_validation import validate_frame
    from pipelines.quality.specs import CheckSpec, Severity
    import great_expectations.expectations

    def ran(name):
        module = sys.modules.get(name)
        return module is not None and type(module).__name__ == "module"

    assert "altair" in sys.modules and not ran("altair"), "altair ran at GX's import"
    assert not ran("scipy.stats"), "scipy.stats ran at GX's import"
    spec = CheckSpec("c", "column_values_to_not_be_null", {"column": "id"}, Severity.ERROR)
    run = validate_frame(pd.DataFrame({"id": ["1", None]}), "analytics.t", [spec], node="t")
    assert not ran("altair") and not ran("scipy.stats"), "a validation needed them"
    print(run.success)
    import altair, scipy.stats
    print(scipy.stats.norm.cdf(0), hasattr(altair, "Chart"), ran("altair"), ran("scipy.stats"))
    """
)


def test_gx_imports_without_running_altair_and_scipy_stats() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["False", "0.5", "True", "True", "True"]
