"""The contract JSON report: the report model as it is, two-space indented, UTF-8."""

from __future__ import annotations

import json

from exportcheck.model.report import Report


def render(report: Report) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
