"""exportcheck: date-aware export-control checks for shipment manifests.

The public API is re-exported from :mod:`exportcheck.api`.
"""

# The one place the version is written: pyproject.toml reads it from here (hatch), so that
# starting the CLI need not look it up in the installed metadata (~60 ms).
__version__ = "0.1.0"

from exportcheck.api import (
    check,
    check_stream,
    classify,
    diff,
    history,
    load_rules,
    screen,
    to_json,
)

__all__ = [
    "__version__",
    "check",
    "check_stream",
    "classify",
    "diff",
    "history",
    "load_rules",
    "screen",
    "to_json",
]
