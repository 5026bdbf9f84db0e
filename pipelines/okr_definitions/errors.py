"""Definition errors that say what is wrong and where: file, line, path inside the document."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class DefinitionError:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class DefinitionErrors(Exception):
    """Every error found in the definitions, reported together."""

    def __init__(self, errors: list[DefinitionError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.file, e.line or 0, e.path, e.message))
        noun = "error" if len(self.errors) == 1 else "errors"
        super().__init__(
            f"{len(self.errors)} {noun} in the OKR definitions:\n" + "\n".join(f"  {e}" for e in self.errors)
        )
