"""A registered module is imported in the background by start() and ready after finish()."""

import sys
import threading
from pathlib import Path

import pytest

from pipelines import preload


def test_start_imports_in_another_thread_and_finish_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "okr_slow_module.py").write_text(
        "import threading\nLOADED_IN = threading.current_thread().name\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(preload, "_wanted", {})
    warmed: list[str] = []
    preload.register("okr_slow_module", lambda: warmed.append(threading.current_thread().name))
    try:
        preload.start()
        preload.finish()
        module = sys.modules["okr_slow_module"]
        assert module.LOADED_IN == "okr-preload" and warmed == ["okr-preload"]
        preload.start()  # already imported: nothing runs again
        preload.finish()
        assert warmed == ["okr-preload"]
    finally:
        sys.modules.pop("okr_slow_module", None)


def test_a_failed_background_import_leaves_the_real_error_to_the_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(preload, "_wanted", {})
    preload.register("okr_module_that_does_not_exist")
    preload.start()
    preload.finish()
    with pytest.raises(ModuleNotFoundError, match="okr_module_that_does_not_exist"):
        __import__("okr_module_that_does_not_exist")


def test_great_expectations_is_registered_by_the_quality_code() -> None:
    import pipelines.quality.gx_validation  # noqa: F401  (registers GX at import)

    assert "great_expectations.expectations" in preload._wanted
