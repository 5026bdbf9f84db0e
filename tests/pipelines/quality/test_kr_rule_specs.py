"""The KR suite is defined without Great Expectations (a warm night whose judgements are all
reused never imports it), and its row conditions become GX's own when GX validates."""

import os
import subprocess
import sys

from pipelines.quality.krs import KR_RULES, kr_rule_specs
from pipelines.quality.specs import ColumnEquals, to_gx


def test_defining_the_kr_suite_does_not_import_great_expectations() -> None:
    script = (
        "import sys; from pipelines.quality.krs import kr_rule_specs; kr_rule_specs(); "
        "print('great_expectations' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=os.getcwd()
    )
    assert run.stdout.strip() == "False"


def test_each_rule_becomes_a_gx_expectation_on_its_phase() -> None:
    from great_expectations.expectations.row_conditions import Column

    for index, spec in enumerate(kr_rule_specs()):
        phase = KR_RULES[spec.check][2]
        assert spec.kwargs["row_condition"] == ColumnEquals("kr_phase", phase)
        expectation = to_gx(spec, index)
        assert expectation.row_condition == (Column("kr_phase") == phase)
        assert expectation.meta["okr_check"] == spec.check
