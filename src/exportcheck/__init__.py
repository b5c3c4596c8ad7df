"""exportcheck: date-aware export-control checks for shipment manifests.

The public API is re-exported from :mod:`exportcheck.api`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("exportcheck")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

from exportcheck.api import check, load_rules

__all__ = ["__version__", "check", "load_rules"]
