"""Definition errors that say what is wrong and where: file, line, path inside the document."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_LISTED = 200  # beyond this the list stops helping: the rest are counted, not printed


@dataclass(frozen=True, order=True)
class DefinitionError:
    file: str
    line: int | None
    path: str
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class DefinitionErrors(Exception):
    """Every error found in the definitions, reported together (the first MAX_LISTED in full)."""

    def __init__(self, errors: list[DefinitionError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.file, e.line or 0, e.column or 0, e.path, e.message))
        noun = "error" if len(self.errors) == 1 else "errors"
        listed = [f"  {e}" for e in self.errors[:MAX_LISTED]]
        rest = len(self.errors) - MAX_LISTED
        if rest > 0:
            listed.append(f"  and {rest} more {'error' if rest == 1 else 'errors'} not listed")
        super().__init__(f"{len(self.errors)} {noun} in the OKR definitions:\n" + "\n".join(listed))


class FileProblem(Exception):
    """A file that cannot be read as a whole: a sentence with its line and column (1-based)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def read_text(path: Path, max_bytes: int, hint: str = "") -> str:
    """A definitions file's text, refused (FileProblem) when it is too large or not UTF-8."""
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileProblem(f"is larger than {max_bytes // 1_000_000} MB, far more than definitions need")
    return decode_utf8(data, hint)


def decode_utf8(data: bytes, hint: str = "") -> str:
    """UTF-8 text (a BOM is allowed); FileProblem naming the line and column of a bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise FileProblem(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} here); save the file as UTF-8{hint}",
            line,
            column,
        ) from None
