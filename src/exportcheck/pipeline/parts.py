"""The parts the fast path's tables hold (a day, an item's cells, a profile, a core, a
destination), what it reads (:class:`RowSource`) and the helpers its stages share: C-level
passes over a batch's values."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any, Protocol

from exportcheck.formats.jsonl import LineEncoder
from exportcheck.model.manifest import Item, ManifestLine
from exportcheck.model.report import Finding
from exportcheck.model.status import Status
from exportcheck.readers.csvchunk import RowBatch
from exportcheck.readers.manifest import Record

STR: Callable[[str], str] = __import__("json").encoder.encode_basestring


def plain_numbers(values: Sequence[str]) -> bool:
    """True if every value is blank or a plain decimal (ASCII digits, at most one point, not
    a point alone, under 300 characters), which :func:`parse_number` accepts; checked for all
    values at once by a few C passes over their bytes."""
    data = "\n".join(values).encode()
    if data.count(b"\n") != len(values) - 1 or max(map(len, values), default=0) >= 300:
        return False  # a value spans lines, or is long
    rest = data.translate(None, b"0123456789")  # only points and line ends may be left
    return (
        not rest.translate(None, b".\n")
        and b".." not in rest  # two points in one value
        and b"\n.\n" not in b"\n" + data + b"\n"  # a point alone
    )


def positions(values: Sequence[Any], value: object) -> Iterator[int]:
    """The positions of ``value`` in ``values`` (by ``list.index``: C scans between them)."""
    i = -1
    try:
        while True:
            i = values.index(value, i + 1)
            yield i
    except ValueError:
        return


def cells_getter(where: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """A getter of a row's cells at ``where``, as a tuple (also for one cell, or none)."""
    if not where:
        return lambda row: ()
    if len(where) == 1:
        one = operator.itemgetter(where[0])
        return lambda row: (one(row),)
    return operator.itemgetter(*where)


def fill(found: list[Any], again: Callable[[int], Any], make: Callable[[int], Any]) -> None:
    """Fills in the misses (None) of a stage's looked-up list ``found``: row ``i`` from its
    table once more (``again(i)``: an earlier miss of the batch may have filled it), else
    ``make(i)`` (which adds it to the table)."""
    for i in positions(found, None):
        hit = again(i)
        found[i] = hit if hit is not None else make(i)


class Day:
    """A ship date: the date, its rule-set and list epochs, its JSON text, and the
    destinations of its rule-set epoch (raw cell → :class:`Dest`, shared by the epoch's
    days: looked up as ``dict.get(day.dests, raw)``, with no key to build), and the
    profiles of its classification span (the key of a row's item cells → :class:`Profile`:
    a row's item is looked up only when its profile is not known)."""

    __slots__ = (
        "dests", "epoch", "json", "on", "party_epoch", "pepoch", "profiles", "proles", "psets",
    )  # fmt: skip

    def __init__(
        self,
        on: date,
        epoch: int,
        party_epoch: int,
        dests: dict[str, Any],
        profiles: dict[Any, Any],
        pepoch: int = 0,
        psets: dict[Any, Any] | None = None,
    ) -> None:
        self.on = on
        self.epoch = epoch
        self.party_epoch = party_epoch
        self.json = STR(on.isoformat())
        self.dests = dests
        self.profiles = profiles
        # The epoch of the party facts (list entries and ownership records), and its table:
        # a row's raw party cells → (number, PartySet) of the party rule stage.
        self.pepoch = pepoch
        self.psets: dict[Any, Any] = {} if psets is None else psets
        # Per party column (without attribute columns): raw name → (number, fact).
        self.proles: list[dict[str, Any]] = []


class ItemEntry:
    """An item's raw cells parsed once: the item, its key and its end use (its profiles are
    in the tables of the epochs, reached through the days)."""

    __slots__ = ("end_use", "item", "key")

    def __init__(self, item: Item, key: tuple[object, ...], end_use: str | None):
        self.item = item
        self.key = key
        self.end_use = end_use


class Profile:
    """An item in one classification span (see :meth:`LineJudge.span`): its parsed cells
    (``entry``), the JSON text of the classified item, the item findings of its class
    (:meth:`LineJudge.item_class`) per destination signature number (``shared`` by the
    profiles of a class: a destination signature belongs to one epoch) and the findings of
    its lines per destination signature number (``cores``). They are the same table, but for
    an item of a kind other than 'rules': its class's findings lack the findings of its own
    (see :meth:`LineJudge.shared_judgement`), which its own table adds (``owns``)."""

    __slots__ = (
        "cores", "entry", "fact_class", "item", "json", "own", "own_by_destination", "owns",
        "psigs", "shared",
    )  # fmt: skip

    def __init__(
        self,
        entry: ItemEntry,
        json: str,
        shared: dict[int, Any],
        cores: dict[int, Any] | None = None,
    ) -> None:
        self.entry = entry
        self.json = json
        self.shared = shared
        self.owns = cores is not None
        # The own findings per rules that may apply (see LineJudge.own_findings), unless
        # they depend on the destination too.
        self.own: dict[tuple[str, ...], tuple[Finding, ...]] = {}
        self.own_by_destination = False
        self.cores = shared if cores is None else cores
        # The classified item and its fact class (for the party rules), and its party
        # signature per rule-set epoch (see PartyRuleStage.signature).
        self.item: Any = None
        self.fact_class = -1
        self.psigs: dict[int, Any] = {}


class Core:
    """Item findings shared by every line whose item and destination signatures are equal:
    in judging order (for merging party findings), the status's value and severity, and the
    JSON text of the findings sorted as reported. For the items of a signature of a kind
    other than 'rules', ``depends`` is what :meth:`LineJudge.shared_judgement` gave (each
    line's item then adds its own findings); else it is None."""

    __slots__ = ("depends", "severity", "text", "unsorted", "value")

    def __init__(
        self,
        findings: tuple[Finding, ...],
        unsorted: tuple[Finding, ...],
        status: Status,
        encoder: LineEncoder,
    ) -> None:
        self.unsorted = unsorted
        self.value = status.value
        self.severity = status.severity
        self.text = encoder.findings(findings) if findings else ""
        self.depends: tuple[str, ...] | None = None


class Dest:
    """A raw destination cell in one rule-set epoch: its country code, the JSON text of
    that code and the number of its destination signature."""

    __slots__ = ("code", "json", "number", "sig")

    def __init__(self, code: str, sig: int, number: int = -1) -> None:
        self.code = code
        self.json = STR(code)
        self.sig = sig
        self.number = number  # the number of (country, geo epoch), for the party rules' tables


class RowSource(Protocol):
    """The reader's records of one CSV manifest (:class:`~exportcheck.readers.manifest.
    CsvRecords`): :meth:`batches` yields, per record in order, rows without problems gathered
    in a :class:`RowBatch`, and a :data:`Record` / :class:`ManifestLine` for anything else;
    ``columns`` is the header (known once the first record is pulled)."""

    @property
    def columns(self) -> list[str]: ...

    def batches(self) -> Iterator[RowBatch | Record | ManifestLine]: ...
