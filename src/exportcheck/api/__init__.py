"""The public Python API. The CLI is a thin layer over these functions: its JSON output is
``formats.json.render(check(...))``, i.e. exactly ``check(...).model_dump(mode="json")``.

>>> import exportcheck
>>> report = exportcheck.check("examples/manifest-2025.csv", date="2025-06-15")  # doctest: +SKIP
>>> report.summary.worst  # doctest: +SKIP
"""

from __future__ import annotations

from exportcheck.api.commands import classify, diff, history, screen, to_json
from exportcheck.api.loading import (
    SCOPE_NOTICE,
    PathLike,
    Prepared,
    check_party_columns,
    content_hash,
    file_source,
    load_ownership,
    load_rules,
    load_screening,
    parse_date,
    party_columns_option,
    prepare,
    scope_notices,
    tool_version,
)
from exportcheck.api.report import build_report, check, flagged_timelines, judge_held
from exportcheck.api.streaming import CheckStream, check_stream

__all__ = [
    "SCOPE_NOTICE",
    "CheckStream",
    "PathLike",
    "Prepared",
    "build_report",
    "check",
    "check_party_columns",
    "check_stream",
    "classify",
    "content_hash",
    "diff",
    "file_source",
    "flagged_timelines",
    "history",
    "judge_held",
    "load_ownership",
    "load_rules",
    "load_screening",
    "parse_date",
    "party_columns_option",
    "prepare",
    "scope_notices",
    "screen",
    "to_json",
    "tool_version",
]
