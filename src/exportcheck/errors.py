"""The one user-facing error type.

Readers raise :class:`InputError` for anything a user must fix in a file or an option; the CLI
catches it once, prints :meth:`InputError.render` to stderr and exits 2.
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input that stops a run: names the file, line (and column or field) and problem."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        sheet: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.hint = hint
        self.sheet = sheet  # a workbook's sheet: then ``line`` is its row, ``column`` its column

    def location(self) -> str:
        parts: list[str] = []
        if self.file and self.sheet is not None:
            where = f"{self.file}, sheet '{self.sheet}'"
            if self.line is not None:
                where += f", row {self.line}"
            if self.column is not None:
                where += f", column {column_letters(self.column)}"
            parts.append(where)
        elif self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def render(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __str__(self) -> str:
        return self.render()


def column_letters(column: int) -> str:
    """A spreadsheet's name for the 1-based ``column``: A, B, ... Z, AA, AB, ..."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
