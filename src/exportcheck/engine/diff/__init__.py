"""What changed between two dates (or two rule-set versions), and which manifest lines flip.

Pure: no I/O, no printing, no exit. ``from`` and ``to`` are read in that order: ``before`` is
the state on ``from`` and ``after`` the state on ``to``, so ``--from 2025-08-01 --to
2025-06-15`` (a reversed window) lists the EDA rule as *added*. The ``reason`` of a change is
always what happened in calendar order inside the window (``entered-force``, ``ended``,
``rescinded``, ``listed``, ``delisted``, ...), whichever way the window is read.

Two modes:

* **dates** — one rule set, judged on ``from`` and on ``to``;
* **rule-sets** — ``before`` rule set on ``from`` against the ``after`` rule set on ``to``
  (usually the same date), for reviewing an edit of the rule files. This mode also lists every
  version whose content was edited (``what: rule-version``) and every edited country group or
  treatment record, whether or not it is in force on the date.

With a manifest, :func:`manifest_impact` judges every line on both sides with the same engine
as ``check`` (:func:`exportcheck.engine.judge.judge.judge_lines`) and keeps the lines whose status
differs, with the ids of the rules and list entries whose findings differ as ``because``.

The package is split by section of the report: :mod:`.words` (conditions in words),
:mod:`.versions` (two versions compared), :mod:`.rules` (rules in force and their events),
:mod:`.groups` (classifications, country groups, treatments), :mod:`.entries` (list entries),
:mod:`.impact` (manifest lines that flip) and :mod:`.report` (the whole diff). The report types
live in :mod:`exportcheck.model.diff`.
"""

from __future__ import annotations

from exportcheck.engine.diff.entries import entry_id, entry_snapshot, list_changes
from exportcheck.engine.diff.impact import compare_results, line_impact, manifest_impact
from exportcheck.engine.diff.report import build_diff, change_sort_key, diff_rulesets
from exportcheck.engine.diff.rules import rule_events
from exportcheck.engine.diff.versions import compare_versions, version_snapshot
from exportcheck.engine.diff.words import condition_text, param_text, party_text
from exportcheck.model.diff import (
    Change,
    DiffReport,
    Impact,
    Kind,
    Mode,
    Snapshot,
    SnapValue,
    What,
)

__all__ = [
    "Change",
    "DiffReport",
    "Impact",
    "Kind",
    "Mode",
    "SnapValue",
    "Snapshot",
    "What",
    "build_diff",
    "change_sort_key",
    "compare_results",
    "compare_versions",
    "condition_text",
    "diff_rulesets",
    "entry_id",
    "entry_snapshot",
    "line_impact",
    "list_changes",
    "manifest_impact",
    "param_text",
    "party_text",
    "rule_events",
    "version_snapshot",
]
