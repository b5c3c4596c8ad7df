"""The output formats, one entry each: which commands offer it, whether it streams, whether it
depends on ``--fail-on``, whether a dataset check writes it. The CLI's ``--format`` choices and
their ``--help`` text come from here, and :func:`exportcheck.formats.render` finds a check
report's renderer here, so a new format is one entry plus its module (and its tests)."""

from __future__ import annotations

from dataclasses import dataclass

from exportcheck.errors import InputError

CHECK = "check"
SCREEN = "screen"
CLASSIFY = "classify"
DIFF = "diff"
HISTORY = "history"
RULES = "rules"


@dataclass(frozen=True)
class Format:
    """One output format."""

    name: str
    commands: tuple[str, ...]
    summary: str
    # check writes it line by line as lines are judged, in constant memory
    streams: bool = False
    # its content depends on the --fail-on threshold (the renderer takes ``fail_on=``)
    gates: bool = False
    # a dataset check (a folder or glob of partitions, --engine) can write it
    dataset: bool = False
    # binary: written to --output only, never to stdout
    file_only: bool = False
    # the module of exportcheck.formats whose ``render(report)`` writes a check report
    module: str | None = None


FORMATS: tuple[Format, ...] = (
    Format(
        "table",
        (CHECK, SCREEN, CLASSIFY, DIFF, HISTORY, RULES),
        "for people (rich)",
        streams=True,
        module="table",
    ),
    Format(
        "json",
        (CHECK, SCREEN, CLASSIFY, DIFF, HISTORY, RULES),
        "one document, the contract's JSON shape",
        module="json",
    ),
    Format(
        "jsonl",
        (CHECK,),
        "one JSON object per line, then a summary object",
        streams=True,
        dataset=True,
        module="jsonl",
    ),
    Format("csv", (CHECK,), "one row per line, for spreadsheets", streams=True, module="csv"),
    Format("markdown", (CHECK, DIFF), "for pull-request comments", module="markdown"),
    Format("sarif", (CHECK,), "SARIF 2.1.0 for code scanning", module="sarif"),
    Format("junit", (CHECK,), "JUnit XML for CI test reports", gates=True, module="junit"),
    Format("github", (CHECK,), "GitHub Actions annotations", module="github"),
    Format("html", (CHECK,), "a self-contained page for people", module="html"),
    Format(
        "parquet",
        (CHECK,),
        "a dataset check's lines as one Parquet file (--output FILE; needs the dask extra)",
        dataset=True,
        file_only=True,
    ),
)

BY_NAME: dict[str, Format] = {f.name: f for f in FORMATS}

# ``--format auto`` for check: github inside GitHub Actions, else table.
AUTO = "auto"


def names(command: str) -> tuple[str, ...]:
    """The formats ``command`` offers, in registry order (``table`` first: the default)."""
    return tuple(f.name for f in FORMATS if command in f.commands)


def get(name: str, command: str = CHECK) -> Format:
    """The format called ``name`` for ``command``; InputError naming the choices if none."""
    found = BY_NAME.get(name)
    if found is None or command not in found.commands:
        choices = ", ".join(names(command))
        raise InputError(
            f"unknown format '{name}' for {command} (expected one of: {choices})",
            field="--format",
        )
    return found


def help_text(command: str) -> str:
    """``--help`` for ``--format``: each choice with its summary, then what streams."""
    offered = [BY_NAME[n] for n in names(command)]
    parts = [f"{f.name}: {f.summary}" for f in offered]
    if command == CHECK:
        parts.append(f"{AUTO}: github inside GitHub Actions, else table")
        parts.append("over 2,000 lines the table shows the flagged lines only, and says so")
        streaming = ", ".join(f.name for f in offered if f.streams)
        dataset = ", ".join(f.name for f in offered if f.dataset)
        parts.append(
            f"{streaming} stream (written as lines are judged, in constant memory); the others "
            f"hold the whole report first. A dataset check writes {dataset}"
        )
    return "Output format. " + "; ".join(parts) + "."
