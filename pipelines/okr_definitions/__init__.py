"""OKR definitions as code: parse `okrs/*.yml`, validate everything at once, store for dbt."""

from pipelines.okr_definitions.errors import DefinitionError, DefinitionErrors
from pipelines.okr_definitions.loader import OkrDefinitions, load_definitions

__all__ = ["DefinitionError", "DefinitionErrors", "OkrDefinitions", "load_definitions"]
