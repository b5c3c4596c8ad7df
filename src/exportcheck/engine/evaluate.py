"""Judge manifest lines against the rules in force on their date. Pure: no I/O.

The code lives in :mod:`exportcheck.engine.judge`, split by seam; this module re-exports it
under its former names (private ones included, e.g. ``_sort_key`` is
:func:`~exportcheck.engine.judge.findings.sort_key`), so that existing imports keep working.
Setting one of these names here (as a test's ``monkeypatch.setattr(evaluate, ...)`` does)
sets it in the modules of the package that use it too, as it did when the code was here.
"""

from __future__ import annotations

import sys
from types import ModuleType

from exportcheck.engine.judge import findings as _findings
from exportcheck.engine.judge import items as _items
from exportcheck.engine.judge import judge as _judge
from exportcheck.engine.judge import memo as _memo
from exportcheck.engine.judge import nodes as _nodes
from exportcheck.engine.judge.findings import CLASSIFICATION_ID as CLASSIFICATION_ID
from exportcheck.engine.judge.findings import INPUT_ID as INPUT_ID
from exportcheck.engine.judge.findings import UNCLASSIFIED_ID as UNCLASSIFIED_ID
from exportcheck.engine.judge.findings import Judged as Judged
from exportcheck.engine.judge.findings import classification_findings as _classification_findings
from exportcheck.engine.judge.findings import findings_for as findings_for
from exportcheck.engine.judge.findings import input_finding as _input_finding
from exportcheck.engine.judge.findings import input_findings as _input_findings
from exportcheck.engine.judge.findings import sort_key as _sort_key
from exportcheck.engine.judge.findings import unclassified_finding as _unclassified_finding
from exportcheck.engine.judge.findings import unclassified_message as unclassified_message
from exportcheck.engine.judge.items import ItemEntry as _ItemEntry
from exportcheck.engine.judge.items import ItemKey as ItemKey
from exportcheck.engine.judge.items import classify_item as classify_item
from exportcheck.engine.judge.items import contradicted as _contradicted
from exportcheck.engine.judge.items import item_facts as item_facts
from exportcheck.engine.judge.items import item_key as item_key
from exportcheck.engine.judge.items import item_part_key as item_part_key
from exportcheck.engine.judge.items import resolve as _resolve
from exportcheck.engine.judge.items import resolve_item as resolve_item
from exportcheck.engine.judge.judge import LineJudge as LineJudge
from exportcheck.engine.judge.judge import judge_item as judge_item
from exportcheck.engine.judge.judge import judge_line as judge_line
from exportcheck.engine.judge.judge import judge_lines as judge_lines
from exportcheck.engine.judge.judge import line_result as _line_result
from exportcheck.engine.judge.memo import CACHE_LIMIT as _CACHE_LIMIT
from exportcheck.engine.judge.memo import JudgeMemo as JudgeMemo
from exportcheck.engine.judge.nodes import LEAF_KEYS as _LEAF_KEYS
from exportcheck.engine.judge.nodes import Node as _Node
from exportcheck.engine.judge.nodes import Plan as _Plan
from exportcheck.engine.judge.nodes import Survivors as _Survivors
from exportcheck.engine.judge.nodes import condition_fields as _condition_fields
from exportcheck.engine.judge.nodes import project as _project
from exportcheck.engine.judge.nodes import shown as _shown

__all__ = [  # the former names, private ones included (others import them)
    "CLASSIFICATION_ID",
    "INPUT_ID",
    "UNCLASSIFIED_ID",
    "_CACHE_LIMIT",
    "_LEAF_KEYS",
    "ItemKey",
    "JudgeMemo",
    "Judged",
    "LineJudge",
    "_ItemEntry",
    "_Node",
    "_Plan",
    "_Survivors",
    "_classification_findings",
    "_condition_fields",
    "_contradicted",
    "_input_finding",
    "_input_findings",
    "_line_result",
    "_project",
    "_resolve",
    "_shown",
    "_sort_key",
    "_unclassified_finding",
    "classify_item",
    "findings_for",
    "item_facts",
    "item_key",
    "item_part_key",
    "judge_item",
    "judge_line",
    "judge_lines",
    "resolve_item",
    "unclassified_message",
]

_HOMES = (_items, _nodes, _memo, _findings, _judge)


class _Forwarding(ModuleType):
    """This module, setting a name also in the package's modules that hold the same object
    under that name or its public one (``_CACHE_LIMIT``: ``CACHE_LIMIT``)."""

    def __setattr__(self, name: str, value: object) -> None:
        old = self.__dict__.get(name)
        super().__setattr__(name, value)
        if old is None:
            return
        public = name.lstrip("_")
        for home in _HOMES:
            for there in {name, public}:
                if vars(home).get(there, None) is old:
                    setattr(home, there, value)


sys.modules[__name__].__class__ = _Forwarding
