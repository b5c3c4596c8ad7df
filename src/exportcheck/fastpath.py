"""The fast path of a streaming ``check``: a CSV manifest straight to JSON Lines.

A million-line look-back check cannot afford, per line, a line object, a result object and a
whole JSON rendering, nor even a pass of Python statements per row. The reader hands over
rows in batches (:class:`RowBatch`: lists of cells), taken apart into columns once, and each
batch goes through a few stages, each one C-level ``map`` of a cache's ``get`` over all its
rows (no key built per row where a table can be reached through an object the row already
has); only the misses are filled in Python, one by one:

* the ship date, per raw value: its date, rule-set epoch and list epoch;
* per (raw item cells, classification span): the classified item (and its JSON text) and
  its :meth:`LineJudge.item_class` (in a table per span, reached through the day, keyed by
  the row's item cells joined: the cells are parsed by the reader's
  :class:`FastLineBuilder` only when the profile is not known, and once);
* the destination, per (raw cell, rule-set epoch): its code, JSON text and the number of its
  :meth:`LineJudge.destination_signature` (in a table per epoch, reached through the day);
* the item findings (sorted, their status and JSON text) per (item class, destination
  signature), in a table per class reached through the profile; computed by
  :class:`LineJudge` the first time per (:meth:`LineJudge.profile` signature, destination
  signature), since items of other classes may share a signature. An item of a kind other
  than 'rules' has a table of its own, which adds its 'unclassified' or 'classification'
  finding, if any, to its class's;
* the quantity and unit value cells of the whole batch, checked at once;
* the rules that test the parties (headquarters, ownership; see
  :mod:`exportcheck.engine.partyrules`): per item profile and epoch, its party signature
  (most items have none: no party rule can reach them, and their rows skip the rest); per
  party column and party epoch, each raw cell's fact; per day, the party set of the facts
  (and of which columns name the same party); then the findings per (party signature,
  destination, party set);
* per raw party cell, whether it can have findings at all (most names match nothing on any
  date for any country); if so, its findings per (column, raw name, destination, list
  epoch), by :class:`PartyScreening`.

The lines are then rendered all at once from those parts and the cells
(:func:`row_line_renderer`). Any row these caches cannot vouch for (an unknown destination,
a bad date, ECCN or number) takes the general path: :func:`build_line`,
:meth:`LineJudge.judge`, :meth:`LineEncoder.line`; so does every record the reader gives as
a record rather than in a batch (a short row, an unparsable one). The output is the same
bytes as the general path's for every line (``tests/scale`` proves it against
``--no-cache``). No I/O of its own: the caller hands in the reader's records and writes the
text it yields.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any, Protocol

from exportcheck.engine.judge.findings import Judged, sort_key
from exportcheck.engine.judge.items import item_part_key
from exportcheck.engine.judge.judge import LineJudge
from exportcheck.engine.parties import PartyScreening
from exportcheck.formats.jsonl import LineEncoder, fields_text, line_text, row_line_renderer
from exportcheck.model.fastline import LightLine
from exportcheck.model.manifest import Item, ManifestLine, is_country_column, party_cells
from exportcheck.model.params import PARAMS
from exportcheck.model.report import Finding
from exportcheck.model.status import Status, worst
from exportcheck.readers.csvchunk import RowBatch
from exportcheck.readers.manifest import FastLineBuilder, Record, build_line

_CACHE_LIMIT = 1 << 15  # entries per table; a full table is emptied (bounds the memory)
# Items and their profiles: a profile missed costs a classification, so these hold more.
_ITEM_LIMIT = 1 << 17
# Characters of JSON text the merged cores may hold (a line's findings can be kilobytes).
_MERGED_TEXT_LIMIT = 1 << 24
_BATCH = 512  # lines of the general path per text chunk handed to the writer
_STR: Callable[[str], str] = __import__("json").encoder.encode_basestring
# A character a JSON string must escape (json.dumps with ensure_ascii=False).
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]').search
_ITEM_COLUMNS = ("part_number", "eccn", "vendor", "category", "description", *PARAMS, "end_use")
_PROFILES = operator.attrgetter("profiles")
_SIG = operator.attrgetter("sig")
_DESTS = operator.attrgetter("dests")
_CORES = operator.attrgetter("cores")
_SEVERITY = operator.attrgetter("severity")
_PSETS = operator.attrgetter("psets")
_PROLES = operator.attrgetter("proles")
_NUMBER = operator.attrgetter("number")
_PSIGS = operator.attrgetter("psigs")
_EPOCH = operator.attrgetter("epoch")


def _live(sig: tuple[int, Any]) -> bool:
    """Whether a party signature has party rules that may apply."""
    return sig[0] >= 0


_FIRST = operator.itemgetter(0)
_NO_FINDINGS: tuple[Finding, ...] = ()


def _plain_numbers(values: Sequence[str]) -> bool:
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


def _positions(values: Sequence[Any], value: object) -> Iterator[int]:
    """The positions of ``value`` in ``values`` (by ``list.index``: C scans between them)."""
    i = -1
    try:
        while True:
            i = values.index(value, i + 1)
            yield i
    except ValueError:
        return


class _Day:
    """A ship date: the date, its rule-set and list epochs, its JSON text, and the
    destinations of its rule-set epoch (raw cell → :class:`_Dest`, shared by the epoch's
    days: looked up as ``dict.get(day.dests, raw)``, with no key to build), and the
    profiles of its classification span (the key of a row's item cells → :class:`_Profile`:
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
        self.json = _STR(on.isoformat())
        self.dests = dests
        self.profiles = profiles
        # The epoch of the party facts (list entries and ownership records), and its table:
        # a row's raw party cells → (number, PartySet) of the party rule stage.
        self.pepoch = pepoch
        self.psets: dict[Any, Any] = {} if psets is None else psets
        # Per party column (without attribute columns): raw name → (number, fact).
        self.proles: list[dict[str, Any]] = []


class _Item:
    """An item's raw cells parsed once: the item, its key and its end use (its profiles are
    in the tables of the epochs, reached through the days)."""

    __slots__ = ("end_use", "item", "key")

    def __init__(self, item: Item, key: tuple[object, ...], end_use: str | None):
        self.item = item
        self.key = key
        self.end_use = end_use


class _Profile:
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
        entry: _Item,
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


class _Core:
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


class _Dest:
    """A raw destination cell in one rule-set epoch: its country code, the JSON text of
    that code and the number of its destination signature."""

    __slots__ = ("code", "json", "number", "sig")

    def __init__(self, code: str, sig: int, number: int = -1) -> None:
        self.code = code
        self.json = _STR(code)
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


def _cells_getter(where: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """A getter of a row's cells at ``where``, as a tuple (also for one cell, or none)."""
    if not where:
        return lambda row: ()
    if len(where) == 1:
        one = operator.itemgetter(where[0])
        return lambda row: (one(row),)
    return operator.itemgetter(*where)


def _fill(found: list[Any], again: Callable[[int], Any], make: Callable[[int], Any]) -> None:
    """Fills in the misses (None) of a stage's looked-up list ``found``: row ``i`` from its
    table once more (``again(i)``: an earlier miss of the batch may have filled it), else
    ``make(i)`` (which adds it to the table)."""
    for i in _positions(found, None):
        hit = again(i)
        found[i] = hit if hit is not None else make(i)


class CsvToJsonl:
    """Judges the records of one CSV manifest and renders them as JSON Lines text.

    :meth:`chunks` yields the text; then :attr:`counts` holds the statuses seen and
    :attr:`judged` the number of lines written.
    """

    def __init__(self, source: RowSource, judge: LineJudge, parties: PartyScreening | None) -> None:
        self.source = source
        self.judge = judge
        self.parties = parties
        self.encoder = LineEncoder()
        self.judged = 0
        self.counts: dict[Status, int] = {}
        # Lines per status severity; the last slot counts rows left to the general path.
        self._tally = [0] * (len(Status) + 1)

    # --- the caches ----------------------------------------------------------------------

    def _setup(self, columns: Sequence[str]) -> None:
        self.names = list(columns)
        self.builder = FastLineBuilder(columns)
        self.render = row_line_renderer(columns)
        at = {name: i for i, name in enumerate(columns)}
        cells = [at[n] for n in _ITEM_COLUMNS if n in at]
        self.item_cells: Callable[[list[str]], Any] = operator.itemgetter(*cells)
        # Rows whose cells hold no line break key their item by the cells joined by one: a
        # string is hashed and compared faster than a tuple (and never equals a tuple key).
        self.join_cells = len(cells) > 1
        self.i_line_id = at.get("line_id")
        self.i_dest = at["destination"]
        self.i_date = at.get("ship_date")
        self.i_end_use = at.get("end_use")
        self.i_numbers = [at[n] for n in ("quantity", "unit_value") if n in at]
        parties = self.parties
        self.party_cells = (
            [(c, at[c]) for c in parties.columns if c in at] if parties is not None else []
        )
        # The party rules (headquarters, ownership) read the party columns and their
        # attribute columns.
        stage = self.judge.party_rules
        self.stage = stage if stage.active else None
        self.pset_tables: dict[int, dict[Any, Any]] = {}
        # (party signature number, destination number, party set number) → the party rules'
        # findings
        self.prules: dict[tuple[int, int, int], tuple[Finding, ...]] = {}
        self.prole_tables: dict[int, list[dict[Any, Any]]] = {}
        # Per party column present: its name, its cells' getter (its name and attribute
        # cells present, as a tuple; its name alone, as the string), where each of its four
        # cells (party_cells) is in that tuple (None: not in the manifest) and which of them
        # are countries.
        self.proles: list[tuple[str, Callable[[list[str]], Any], list[int | None], list[int]]] = []
        self.pnames: list[str] = []
        self.pshare: list[tuple[int, int]] = []
        self.pcountry_cells: list[int] = []
        self.country_cells: dict[str, bool] = {}  # raw headquarters cell → is a country
        if self.stage is not None:
            attributes = False
            for role in self.stage.resolver.columns:
                present = [c for c in party_cells(role) if c in at]
                if not present:
                    continue
                self.pnames += present
                attributes = attributes or present != [role]
                # A column's cells as its table's key: the name alone is the string itself.
                getter: Callable[[list[str]], Any] = operator.itemgetter(*(at[c] for c in present))
                where = [present.index(c) if c in present else None for c in party_cells(role)]
                countries = [k for k, c in enumerate(present) if is_country_column(c)]
                self.proles.append((role, getter, where, countries))
            # A party named in two columns is told what either says of it (see
            # PartyResolver.party_set): with attribute columns, which columns name the same
            # party is part of a row's party key.
            named = [k for k, (role, _, _, _) in enumerate(self.proles) if role in at]
            if attributes:
                self.pshare = [(a, b) for i, a in enumerate(named) for b in named[i + 1 :]]
            self.pfields = _cells_getter([at[c] for c in self.pnames])
            self.pcountry_cells = [at[c] for c in self.pnames if is_country_column(c)]
            self.pname_at = {k: at[self.proles[k][0]] for k in named}
        ruleset = self.judge.ruleset
        self.epochs = len(ruleset.change_dates()) + 1
        # Per rule-set epoch (and one for the stand-in day): raw destination → _Dest.
        self.dest_tables: list[dict[str, Any]] = [{} for _ in range(self.epochs + 1)]
        # Per classification span (and the stand-in day's): item cells' key → _Profile.
        self.profile_tables: dict[int, dict[Any, Any]] = {}
        # Per signature number, per item class and per item of a kind other than 'rules':
        # destination signature number → _Core (see _Profile).
        self.core_tables: dict[object, dict[int, Any]] = {}
        self.core_count = 0
        self.as_of_day = self._new_day(self.judge.as_of)
        self._numbers = itertools.count()
        # Stand-ins for a row left to the general path, so that every stage maps every row:
        # a bad ship date has an epoch of its own, whose profile is always the stand-in.
        self.no_day = _Day(self.judge.as_of, self.epochs, 0, self.dest_tables[self.epochs], {})
        self.no_day.proles = [{} for _ in self.proles]
        self.profile_tables[-1] = self.no_day.profiles
        self.no_item = _Item(None, (), None)  # type: ignore[arg-type]
        self.no_profile = _Profile(self.no_item, "", {})
        self.no_dest = _Dest("", -1)
        self.no_pset = (-1, None)  # a row with a bad party cell (a headquarters not a country)
        self.no_core = _Core((), (), Status.REVIEW, self.encoder)
        self.no_core.severity = len(Status)  # the tally's last slot: not counted
        self._clear()

    def _clear(self) -> None:
        self.items: dict[object, Any] = {}
        self.days: dict[str, Any] = {}
        # Signatures are numbered from ever-growing counters, so that emptying any table
        # never lets a number stand for another signature.
        self.sigs: dict[tuple[object, ...], int] = {}
        self.sig_numbers: dict[int, tuple[tuple[object, ...], int]] = {}
        self.dest_sigs: dict[tuple[object, ...], int] = {}
        self.dest_sig_of: dict[tuple[str, int], int] = {}
        # (country, geo epoch) → its number (the party rules' tables: spellings share it)
        self.dest_numbers: dict[tuple[str, int], int] = {}
        self.merged: dict[tuple[int, ...], tuple[Any, ...]] = {}
        self.merged_text = 0  # characters of the merged cores' JSON text (bounded too)
        # (id(core), id(party rules' findings)) → (core, findings, merged core)
        self.pmerged: dict[tuple[int, int], tuple[Any, Any, Any]] = {}
        self.cores_made: dict[tuple[object, ...], tuple[tuple[Finding, ...], _Core]] = {}
        self.quiet: dict[str, bool] = {}
        # The raw party cells known (as in `quiet`), and those of them that are not quiet.
        self.known_names: set[str] = set()
        self.loud_names: set[str] = set()
        self.party: list[dict[tuple[str, str, int], tuple[Finding, ...]]] = [
            {} for _ in self.party_cells
        ]

    def _trim(self) -> None:
        """Empty each table that is full (memory stays bounded; see :meth:`_clear`)."""
        if len(self.items) >= _ITEM_LIMIT:
            self.items.clear()
        tables: list[dict[Any, Any]] = [
            self.days, self.sigs, self.sig_numbers, self.dest_sigs,
            self.dest_sig_of, self.dest_numbers, self.merged, self.cores_made, self.country_cells,
            self.quiet, self.core_tables, *self.party,
        ]  # fmt: skip
        for table in tables:
            if len(table) >= _CACHE_LIMIT:
                table.clear()
        if self.merged_text >= _MERGED_TEXT_LIMIT:  # a merged core holds its findings' text
            self.merged.clear()
            self.pmerged.clear()
        if len(self.pmerged) >= _CACHE_LIMIT:
            self.pmerged.clear()
        if not self.merged:
            self.merged_text = 0
        # Tables shared by days and profiles are emptied in place (they keep using them).
        if sum(map(len, self.dest_tables)) >= _CACHE_LIMIT:
            for dests in self.dest_tables:
                dests.clear()
        if sum(map(len, self.profile_tables.values())) >= _ITEM_LIMIT:
            for profiles in self.profile_tables.values():
                profiles.clear()
        if self.core_count >= _CACHE_LIMIT:
            for cores in self.core_tables.values():
                cores.clear()
            self.core_count = 0
        if sum(map(len, self.pset_tables.values())) >= _CACHE_LIMIT:
            for psets in self.pset_tables.values():
                psets.clear()
        if sum(len(t) for tables in self.prole_tables.values() for t in tables) >= _CACHE_LIMIT:
            for tables in self.prole_tables.values():
                for table in tables:
                    table.clear()
        if len(self.prules) >= _ITEM_LIMIT:
            self.prules.clear()
        if not self.quiet:
            self.known_names.clear()
            self.loud_names.clear()

    def _new_day(self, on: date) -> _Day:
        parties = self.parties
        party_epoch = parties.epoch(on) if parties is not None else 0
        epoch = self.judge.ruleset.epoch(on)
        profiles = self.profile_tables.setdefault(self.judge.span(on), {})
        pepoch = self.stage.party_epoch(on) if self.stage is not None else 0
        psets = self.pset_tables.setdefault(pepoch, {})
        day = _Day(on, epoch, party_epoch, self.dest_tables[epoch], profiles, pepoch, psets)
        day.proles = self.prole_tables.setdefault(pepoch, [{} for _ in self.proles])
        return day

    def _day(self, raw: str) -> _Day:
        found = self.builder.ship_date(raw)
        if found is FastLineBuilder.BAD:
            day = self.no_day
        elif found == "":
            day = self.as_of_day
        else:
            assert isinstance(found, date)
            day = self._new_day(found)
        self.days[raw] = day
        return day

    def _item(self, row: list[str], cache_key: object) -> _Item:
        """The parsed item cells of a row (``cache_key`` is their key), parsed once."""
        found: _Item | None = self.items.get(cache_key)
        if found is not None:
            return found
        fields = dict(zip(self.names, row, strict=True))
        hit = self.builder.item_of(fields)
        if hit is FastLineBuilder.BAD:
            entry = self.no_item
        else:
            assert isinstance(hit, tuple)
            item, key = hit
            raw_end_use = row[self.i_end_use] if self.i_end_use is not None else None
            end_use = (raw_end_use.strip() or None) if raw_end_use is not None else None
            entry = _Item(item, key, end_use)
        self.items[cache_key] = entry
        return entry

    def _light(self, entry: _Item, day: _Day, destination: str | None) -> LightLine:
        """A line standing for every row of this item, day and destination (for the judge:
        it reads the item, destination, date and end use only)."""
        return LightLine(0, None, "", {}, entry.item, entry.key, destination, day.on, entry.end_use)

    def _number(self, table: dict[tuple[object, ...], int], sig: tuple[object, ...]) -> int:
        number = table.get(sig)
        if number is None:
            number = table[sig] = next(self._numbers)
        return number

    def _profile(self, row: list[str], key: object, day: _Day) -> _Profile:
        """The profile of a row's item (``key``: of its item cells) in the day's
        classification span."""
        entry = self._item(row, key)
        if entry is self.no_item or day is self.no_day:
            day.profiles[key] = self.no_profile
            return self.no_profile
        line = self._light(entry, day, None)
        item, item_class = self.judge.item_class(line, day.on, day.epoch, item_part_key(line))
        json = self.encoder.render(item)  # once per item and span: not kept apart
        shared = self.core_tables.get(item_class)
        if shared is None:
            shared = self.core_tables[item_class] = {}
        own = None
        if item_class[0] != "rules":  # a table of its own, emptied with the others
            own = self.core_tables[-1 - next(self._numbers)] = {}
        profile = _Profile(entry, json, shared, own)
        profile.item = item
        profile.fact_class = item_class[1]
        if own is not None:
            profile.own_by_destination = self.judge.own_by_destination(
                line, day.on, day.epoch, entry.key
            )
        day.profiles[key] = profile
        return profile

    def _dest(self, raw: str, day: _Day) -> _Dest:
        """The destination of a raw cell in the day's epoch (``no_dest`` if not a country)."""
        destination = self.builder.destination(raw)
        if destination is FastLineBuilder.BAD or day is self.no_day:
            day.dests[raw] = self.no_dest
            return self.no_dest
        assert isinstance(destination, str)
        number = self.dest_sig_of.get((destination, day.epoch))
        if number is None:
            sig = self.judge.destination_signature(destination, day.on, day.epoch)
            number = self.dest_sig_of[(destination, day.epoch)] = self._number(self.dest_sigs, sig)
        # The party rules' findings depend on the day through the party signature and the
        # span between country-group changes only (see PartyRuleStage.signature).
        geo = self.stage.geo_epoch(day.epoch, day.on) if self.stage is not None else 0
        pnumber = self.dest_numbers.get((destination, geo))
        if pnumber is None:
            pnumber = self.dest_numbers[(destination, geo)] = next(self._numbers)
        dest = day.dests[raw] = _Dest(destination, number, pnumber)
        return dest

    def _core(self, day: _Day, profile: _Profile, dest: _Dest) -> _Core:
        """The item findings of a line (``no_core`` for a row with a problem)."""
        if profile is self.no_profile or dest is self.no_dest:
            return self.no_core
        entry = profile.entry
        core = profile.shared.get(dest.sig)
        if core is None:
            # Items of other classes may have the same signature in this epoch.
            line = self._light(entry, day, dest.code)
            _, sig = self.judge.profile(line, day.on, day.epoch, entry.key)
            table = self._signature_table(sig)
            core = table.get(dest.sig)
            if core is None:
                judged, rules = self.judge.shared_judgement(line, day.on, day.epoch, entry.key)
                core = table[dest.sig] = self._shared_core(judged, rules)
                self.core_count += 1
            profile.shared[dest.sig] = core
            self.core_count += 1
        if profile.owns:  # add the item's own findings last, as judge_item does
            depends = core.depends
            assert depends is not None
            own = profile.own.get(depends)
            if own is None:
                line = self._light(entry, day, dest.code)
                own = self.judge.own_findings(line, day.on, day.epoch, entry.key, depends)
                if not profile.own_by_destination:
                    profile.own[depends] = own
            if own:
                core = self._merged(core, own)
            profile.cores[dest.sig] = core
            self.core_count += 1
        return core

    def _signature_table(self, sig: tuple[object, ...]) -> dict[int, Any]:
        """The cores of the items of a profile signature, per destination signature."""
        # The engine gives one tuple per signature: numbered by identity, not hashed whole.
        known = self.sig_numbers.get(id(sig))
        if known is not None and known[0] is sig:
            number = known[1]
        else:
            number = self._number(self.sigs, sig)
            self.sig_numbers[id(sig)] = (sig, number)  # the entry keeps the tuple alive
        table = self.core_tables.get(number)
        if table is None:
            table = self.core_tables[number] = {}
        return table

    def _shared_core(self, judged: Judged, depends: list[str] | None) -> _Core:
        """The core of a shared judgement: one object for equal findings (from the engine,
        equal findings are one object) and rules that may apply, whatever the signatures
        (most judgements of other epochs and destinations find the same)."""
        found = judged.findings
        key = (*map(id, found), -1, *depends) if depends is not None else (*map(id, found), -2)
        hit = self.cores_made.get(key)
        if hit is not None and all(map(operator.is_, hit[0], found)):
            made: _Core = hit[1]
            return made
        core = _Core(judged.sorted, found, judged.status, self.encoder)
        core.depends = tuple(depends) if depends is not None else None
        self.cores_made[key] = (found, core)  # the findings keep their ids in use
        return core

    def _merged(self, core: _Core, extra: tuple[Finding, ...]) -> _Core:
        """The core with more findings of a line added after its own, as
        :meth:`LineJudge.judge` merges them (an item's own findings after its class's, party
        findings after the item's), sorted stably; ``unsorted`` keeps the judging order for
        a later merge. Cached by identity: a finding object serves many lines."""
        key = (id(core), *map(id, extra))
        hit = self.merged.get(key)
        if hit is not None and hit[0] is core and all(map(operator.is_, hit[1:-1], extra)):
            merged: _Core = hit[-1]
            return merged
        unsorted = (*core.unsorted, *extra)
        merged = _Core(
            tuple(sorted(unsorted, key=sort_key)),
            unsorted,
            worst([f.status for f in unsorted]),
            self.encoder,
        )
        self.merged[key] = (core, *extra, merged)  # the objects keep their ids in use
        self.merged_text += len(merged.text)
        return merged

    def _party_findings(self, column: str, raw: str, destination: str, day: _Day) -> Any:
        name = raw.strip() or None
        if name is None:
            return ()
        assert self.parties is not None
        return self.parties.column_findings(column, name, destination, day.on, day.party_epoch)

    # --- the loop ------------------------------------------------------------------------

    def _general(self, record: Record | ManifestLine) -> str:
        """A record with a problem: the general path."""
        line = build_line(*record) if isinstance(record, tuple) else record
        result = self.judge.judge(line)
        self._tally[result.status.severity] += 1
        return self.encoder.line(result)

    def _general_row(self, index: int, start: int, row: list[str]) -> str:
        """A row the caches cannot vouch for: the general path."""
        return self._general(build_line(index, start, dict(zip(self.names, row, strict=True))))

    def chunks(self) -> Iterator[str]:
        """The JSON Lines text of every record, in order, in chunks of whole lines."""
        out: list[str] = []
        source = self.source
        setup = False
        for record in source.batches():
            if record.__class__ is not RowBatch:
                out.append(self._general(record))  # type: ignore[arg-type]
                if len(out) >= _BATCH:
                    self.judged += len(out)
                    yield "".join(out)
                    out.clear()
                continue
            assert isinstance(record, RowBatch)
            if out:
                self.judged += len(out)
                yield "".join(out)
                out.clear()
            if not setup:
                self._setup(source.columns)
                setup = True
            text = self._batch(record)
            self.judged += len(record.rows)
            self._trim()
            yield text
        self.judged += len(out)
        if out:
            yield "".join(out)
        tally = self._tally
        self.counts = {s: tally[s.severity] for s in Status if tally[s.severity]}

    def _batch(self, batch: RowBatch) -> str:
        """The text of a batch of rows: each stage maps every row through its cache at once
        (misses filled one by one); rows with a problem take the general path."""
        rows = batch.rows
        n = len(rows)
        cols = list(zip(*rows, strict=True))  # each column's cells: one pass, not one a stage
        if batch.one_line and self.join_cells:
            keys: list[Any] = list(map("\n".join, map(self.item_cells, rows)))
        else:
            keys = list(map(self.item_cells, rows))
        if self.i_date is None:
            days: list[Any] = [self.as_of_day] * n
        else:
            raw_dates = cols[self.i_date]
            known = self.days
            days = list(map(known.get, raw_dates))
            if None in days:
                _fill(days, lambda i: known.get(raw_dates[i]), lambda i: self._day(raw_dates[i]))
        profiles: list[Any] = list(map(dict.get, map(_PROFILES, days), keys))
        if None in profiles:
            _fill(
                profiles,
                lambda i: days[i].profiles.get(keys[i]),
                lambda i: self._profile(rows[i], keys[i], days[i]),
            )
        raw_dests = cols[self.i_dest]
        dests: list[Any] = list(map(dict.get, map(_DESTS, days), raw_dests))
        if None in dests:
            _fill(
                dests,
                lambda i: days[i].dests.get(raw_dests[i]),
                lambda i: self._dest(raw_dests[i], days[i]),
            )
        cores: list[Any] = list(map(dict.get, map(_CORES, profiles), map(_SIG, dests)))
        if None in cores:
            _fill(
                cores,
                lambda i: profiles[i].cores.get(dests[i].sig),
                lambda i: self._core(days[i], profiles[i], dests[i]),
            )
        no_core = self.no_core
        for k in self.i_numbers:
            for i in self._bad_numbers(cols[k]):
                cores[i] = no_core
        if self.stage is not None:
            self._batch_party_rules(rows, cores, days, dests, profiles)
        if self.party_cells:
            self._batch_parties(rows, cols, cores, days, dests)
        first = batch.first_index
        if self.i_line_id is None:
            ids = list(map(str, range(first, first + n)))
        else:
            ids = list(map(str.strip, cols[self.i_line_id]))
            if "" in ids:
                for i in _positions(ids, ""):
                    ids[i] = str(first + i)
        tally = self._tally
        for severity, count in Counter(map(_SEVERITY, cores)).items():
            tally[severity] += count
        starts = batch.starts
        lines = self.render(ids, cores, days, dests, rows, profiles, starts)
        for i in batch.dirty:
            core = cores[i]
            if core is not no_core and _NEEDS_ESCAPE("".join(rows[i])) is not None:
                lines[i] = line_text(
                    _STR(ids[i]),
                    core.value,
                    days[i].json,
                    dests[i].json,
                    core.text,
                    fields_text(dict(zip(self.names, rows[i], strict=True))),
                    profiles[i].json,
                    starts[i],
                )
        if no_core in cores:
            for i in _positions(cores, no_core):
                tally[-1] -= 1
                lines[i] = self._general_row(first + i, starts[i], rows[i])
        return "".join(lines)

    def _batch_party_rules(
        self,
        rows: list[list[str]],
        cores: list[Any],
        days: list[Any],
        dests: list[Any],
        profiles: list[Any],
    ) -> None:
        """Adds the findings of the rules that test the parties (headquarters, ownership):
        each party column's cells are looked up in its table of the day's party epoch (its
        fact), the facts (and which columns name the same party) in the day's party sets,
        then (destination, party set) in the table of the row's profile; only the rows with
        findings are merged (in the order :meth:`LineJudge.judge` merges them: after the
        item's findings, before the screening's). A row with a bad party cell (a
        headquarters that is not a country) takes the general path."""
        no_core = self.no_core
        for at in self.pcountry_cells:  # a headquarters that is not a country: general path
            ok = self.country_cells
            cells = [row[at] for row in rows]
            flags: list[Any] = list(map(ok.get, cells))
            for i in _positions(flags, None):
                flags[i] = ok[cells[i]] = self.builder.country_ok(cells[i])
            for i in _positions(flags, False):
                cores[i] = no_core
        epochs = list(map(_EPOCH, days))
        sigs: list[Any] = list(map(dict.get, map(_PSIGS, profiles), epochs))
        if None in sigs:
            _fill(
                sigs,
                lambda i: profiles[i].psigs.get(epochs[i]),
                lambda i: self._psig(profiles[i], days[i]),
            )
        # Only the rows whose items some party rule may apply to (most rows have none).
        live = list(itertools.compress(range(len(rows)), map(_live, sigs)))
        if not live:
            return
        live_days = list(map(days.__getitem__, live))
        psets = self._psets(list(map(rows.__getitem__, live)), live_days)
        pkeys = list(
            zip(
                map(_FIRST, map(sigs.__getitem__, live)),
                map(_NUMBER, map(dests.__getitem__, live)),
                map(_FIRST, psets),
                strict=True,
            )
        )
        table = self.prules
        found: list[Any] = list(map(table.get, pkeys))
        for j in _positions(found, None):
            hit = table.get(pkeys[j])
            if hit is None:
                i = live[j]
                hit = self._prules(profiles[i], days[i], dests[i], psets[j], sigs[i], pkeys[j])
            found[j] = hit
        # Merge the findings into the rows' cores: (core, findings) pairs looked up at once
        # (by identity: the findings tuples are the table's, kept alive by it).
        with_findings = list(itertools.compress(range(len(live)), found))
        if not with_findings:
            return
        rows_at = list(map(live.__getitem__, with_findings))
        pairs = list(
            zip(
                map(id, map(cores.__getitem__, rows_at)),
                map(id, map(found.__getitem__, with_findings)),
                strict=True,
            )
        )
        known = self.pmerged
        merged: list[Any] = list(map(known.get, pairs))
        for k in _positions(merged, None):
            core, extra = cores[rows_at[k]], found[with_findings[k]]
            entry = known.get(pairs[k])
            if entry is None or entry[0] is not core or entry[1] is not extra:
                entry = known[pairs[k]] = (core, extra, self._merged(core, extra))
            merged[k] = entry
        for k, i in enumerate(rows_at):
            if cores[i] is not no_core:
                cores[i] = merged[k][2]

    def _psets(self, rows: list[list[str]], days: list[Any]) -> list[Any]:
        """The rows' party sets, (number, PartySet), or ``no_pset`` for a bad party cell:
        keyed by the numbers of their party columns' facts and which columns name the same
        party (what the party set depends on; see :meth:`PartyResolver.party_set`)."""
        assert self.stage is not None
        stage = self.stage
        numbers: list[list[Any]] = []
        for k, (role, getter, where, countries) in enumerate(self.proles):
            cells = list(map(getter, rows))
            tables = list(map(operator.itemgetter(k), map(_PROLES, days)))
            facts: list[Any] = list(map(dict.get, tables, cells))
            for i in _positions(facts, None):
                hit = tables[i].get(cells[i])
                if hit is None:
                    hit = self._role(role, cells[i], where, countries, days[i])
                    tables[i][cells[i]] = hit
                facts[i] = hit
            numbers.append(list(map(_FIRST, facts)))
        for a, b in self.pshare:
            numbers.append(list(map(operator.eq, self._names(rows, a), self._names(rows, b))))
        keys = list(zip(*numbers, strict=True)) if numbers else [()] * len(rows)
        psets: list[Any] = list(map(dict.get, map(_PSETS, days), keys))
        width = len(self.proles)
        for i in _positions(psets, None):
            day = days[i]
            hit = day.psets.get(keys[i])
            if hit is None:
                if -2 in keys[i][:width] or day is self.no_day:
                    hit = self.no_pset
                else:
                    fields = dict(zip(self.pnames, self.pfields(rows[i]), strict=True))
                    hit = stage.party_set(fields, day.on, day.pepoch)
                day.psets[keys[i]] = hit
            psets[i] = hit
        return psets

    def _names(self, rows: list[list[str]], k: int) -> list[str]:
        """Party column ``k``'s names, stripped (as party sets compare them)."""
        return list(map(str.strip, map(operator.itemgetter(self.pname_at[k]), rows)))

    def _role(
        self,
        role: str,
        key: str | tuple[str, ...],
        where: list[int | None],
        countries: list[int],
        day: _Day,
    ) -> tuple[int, Any]:
        """(number, fact) of a party column's cells (its name alone, or a tuple with its
        attribute cells; number -2: a bad country cell)."""
        cells = key if isinstance(key, tuple) else (key,)
        if not all(self.builder.country_ok(cells[k]) for k in countries):
            return (-2, None)
        assert self.stage is not None
        four = tuple(cells[k] if k is not None else None for k in where)
        return self.stage.role_fact(role, four, day.on, day.pepoch)

    def _psig(self, profile: _Profile, day: _Day) -> Any:
        """The party signature of a profile's item in the day's epoch (see
        :meth:`PartyRuleStage.signature`; ``(-1, [])`` for a row left to the general path)."""
        if profile is self.no_profile or day is self.no_day:
            return (-1, [])
        assert self.stage is not None
        found = self.stage.signature(
            profile.item, profile.entry.end_use, day.on, day.epoch, profile.fact_class
        )
        profile.psigs[day.epoch] = found
        return found

    def _prules(
        self,
        profile: _Profile,
        day: _Day,
        dest: _Dest,
        pset: tuple[int, Any],
        sig: Any,
        key: Any,
    ) -> tuple[Finding, ...]:
        """The party rules' findings for a row's item (of party signature ``sig``) going to
        its destination with its party set (none for a row left to the general path)."""
        found = _NO_FINDINGS
        if sig[0] >= 0 and dest is not self.no_dest and pset is not self.no_pset:
            assert self.stage is not None
            found = self.stage.signed_findings(
                sig,
                profile.item,
                dest.code,
                profile.entry.end_use,
                day.on,
                day.epoch,
                profile.fact_class,
                pset,
            )
        self.prules[key] = found
        return found

    def _bad_numbers(self, values: Sequence[str]) -> list[int]:
        """The positions of the quantity / unit_value cells that are not valid numbers."""
        if _plain_numbers(values):
            return []
        ok = self.builder.number_ok
        return [i for i, raw in enumerate(values) if not ok(raw)]

    def _batch_parties(
        self,
        rows: list[list[str]],
        cols: list[tuple[str, ...]],
        cores: list[Any],
        days: list[Any],
        dests: list[Any],
    ) -> None:
        """Adds the party findings of the rows that can have some (most cannot): a column's
        names are looked up all at once among those known (and new ones screened), then the
        few that are not quiet are found in it."""
        known = self.known_names
        loud: set[int] = set()
        for _, i in self.party_cells:
            raw = cols[i]
            if not known.issuperset(raw):
                for name in set(raw).difference(known):
                    self._quiet(name)
            for name in self.loud_names.intersection(raw):
                loud.update(_positions(raw, name))
        no_core = self.no_core
        for k in sorted(loud):
            if cores[k] is not no_core:
                cores[k] = self._parties(rows[k], cores[k], days[k], dests[k].code)

    def _quiet(self, raw: str) -> bool:
        """Whether a raw party cell can never give a finding (blank, or a name that matches
        nothing on any date for any country); cached per raw cell."""
        name = raw.strip()
        assert self.parties is not None
        quiet = not name or self.parties.never_matches(name)
        self.quiet[raw] = quiet
        self.known_names.add(raw)
        if not quiet:
            self.loud_names.add(raw)
        return quiet

    def _parties(self, row: list[str], core: _Core, day: _Day, destination: str) -> _Core:
        """The core with the row's party findings added, if it has any."""
        found = None
        quiet = self.quiet
        for (column, i), table in zip(self.party_cells, self.party, strict=True):
            raw = row[i]
            try:
                if quiet[raw]:
                    continue
            except KeyError:
                if self._quiet(raw):
                    continue
            key = (raw, destination, day.party_epoch)
            try:
                hit = table[key]
            except KeyError:
                hit = table[key] = self._party_findings(column, row[i], destination, day)
            if hit:
                if found is None:
                    found = []
                found.append(hit)
        return core if found is None else self._merged(core, tuple(itertools.chain(*found)))
