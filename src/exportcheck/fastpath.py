"""The fast path of a streaming ``check``: a CSV manifest straight to JSON Lines.

A million-line look-back check cannot afford, per line, a line object, a result object and a
whole JSON rendering. Here each CSV row (a list of cells from the reader) is judged through
caches keyed by its raw cells, and its JSON Lines text is assembled from pre-rendered parts:

* the item, per its raw item cells (part number, ECCN, vendor, category, description,
  parameters, end use), parsed once by the reader's :class:`FastLineBuilder`;
* the ship date, per raw value: its date, rule-set epoch and list epoch;
* per (item, rule-set epoch): the classified item (and its JSON text) and the
  :meth:`LineJudge.profile` *signature*; items with equal signatures share verdicts;
* the item findings (sorted, their status and JSON text) per (item signature, destination
  signature — :meth:`LineJudge.destination_signature`), computed by :class:`LineJudge` the
  first time; and per (item signature, raw destination) the verdict that a line's text uses;
* per raw party cell, whether it can have findings at all (most names match nothing on any
  date for any country); if so, its findings per (column, raw name, destination, list
  epoch), by :class:`PartyScreening`.

Any row these caches cannot vouch for (an unknown destination, a bad date, ECCN or number, a
row the reader flagged) takes the general path: :func:`build_line`, :meth:`LineJudge.judge`,
:meth:`LineEncoder.line`. The output is the same bytes as the general path's for every line
(``tests/scale`` proves it against ``--no-cache``). No I/O of its own: the caller hands in the
reader's records and writes the text it yields.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any, Protocol

from exportcheck.engine.evaluate import LineJudge, _sort_key, item_part_key
from exportcheck.engine.parties import PartyScreening
from exportcheck.formats.jsonl import LineEncoder, fields_text, line_text, row_line_template
from exportcheck.model.fastline import LightLine
from exportcheck.model.manifest import Item, ManifestLine
from exportcheck.model.params import PARAMS
from exportcheck.model.report import Finding, ResolvedItem
from exportcheck.model.status import Status, worst
from exportcheck.readers.manifest import FastLineBuilder, Record, build_line

_CACHE_LIMIT = 1 << 14  # entries per table; a full table is emptied (bounds the memory)
_BATCH = 512  # lines per text chunk handed to the writer
_BAD: Any = object()  # cached: this raw value sends the row to the general path
_STR: Callable[[str], str] = __import__("json").encoder.encode_basestring
# A character a JSON string must escape (json.dumps with ensure_ascii=False).
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]').search
_ITEM_COLUMNS = ("part_number", "eccn", "vendor", "category", "description", *PARAMS, "end_use")


class _Day:
    """A ship date: the date, its rule-set and list epochs, and its JSON text."""

    __slots__ = ("epoch", "json", "on", "party_epoch")

    def __init__(self, on: date, epoch: int, party_epoch: int) -> None:
        self.on = on
        self.epoch = epoch
        self.party_epoch = party_epoch
        self.json = _STR(on.isoformat())


class _Item:
    """An item's raw cells parsed once: the item, its key, its end use, and per rule-set
    epoch its :class:`_Profile` (filled as needed)."""

    __slots__ = ("end_use", "item", "key", "profiles")

    def __init__(self, item: Item, key: tuple[object, ...], end_use: str | None, epochs: int):
        self.item = item
        self.key = key
        self.end_use = end_use
        self.profiles: list[_Profile | None] = [None] * epochs


class _Profile:
    """An item in one rule-set epoch: the classified item, its JSON text, its signature."""

    __slots__ = ("item", "json", "sig")

    def __init__(self, item: ResolvedItem, json: str, sig: int) -> None:
        self.item = item
        self.json = json
        self.sig = sig


class _Core:
    """Item findings shared by every line whose item and destination signatures are equal:
    sorted as reported, in judging order (for merging party findings), the status, and the
    JSON text of the sorted findings."""

    __slots__ = ("findings", "status", "text", "unsorted")

    def __init__(
        self,
        findings: tuple[Finding, ...],
        unsorted: tuple[Finding, ...],
        status: Status,
        encoder: LineEncoder,
    ) -> None:
        self.findings = findings
        self.unsorted = unsorted
        self.status = status
        self.text = encoder.findings(findings) if findings else ""


class _Verdict:
    """A core for one destination: what a line's text needs, at hand."""

    __slots__ = ("core", "dest_json", "destination", "severity", "status", "text")

    def __init__(self, core: _Core, destination: str) -> None:
        self.core = core
        self.destination = destination
        self.dest_json = _STR(destination)
        self.status = core.status.value
        self.severity = core.status.severity
        self.text = core.text


class RowSource(Protocol):
    """The reader's records of one CSV manifest (:class:`~exportcheck.readers.manifest.
    CsvRecords`): iterating yields, per record in order, the raw row (a ``list`` of cells,
    full width, no reader problem) or a :data:`Record` / :class:`ManifestLine` for anything
    else. After a raw row, ``index`` is its record number, ``start`` its first physical line
    and ``clean`` whether none of its cells needs JSON escaping; ``columns`` is the header."""

    index: int
    start: int
    clean: bool

    @property
    def columns(self) -> list[str]: ...

    def __iter__(self) -> Iterator[list[str] | Record | ManifestLine]: ...


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
        self._tally = [0] * len(Status)

    # --- the caches ----------------------------------------------------------------------

    def _setup(self, columns: Sequence[str]) -> None:
        self.ncols = len(columns)
        self.names = list(columns)
        self.builder = FastLineBuilder(columns)
        self.template = row_line_template(columns)
        at = {name: i for i, name in enumerate(columns)}
        self.at = at
        cells = [at[n] for n in _ITEM_COLUMNS if n in at]
        getter = operator.itemgetter(*cells)
        self.item_cells: Callable[[list[str]], object] = getter
        self.i_line_id = at.get("line_id")
        self.i_dest = at["destination"]
        self.i_date = at.get("ship_date")
        self.i_end_use = at.get("end_use")
        self.number_cells = [at[n] for n in ("quantity", "unit_value") if n in at]
        self.number_values: Callable[[list[str]], tuple[str, ...]] = (
            operator.itemgetter(*self.number_cells * 2)
            if len(self.number_cells) == 1
            else operator.itemgetter(*self.number_cells)
            if self.number_cells
            else tuple
        )
        parties = self.parties
        self.party_cells = (
            [(c, at[c]) for c in parties.columns if c in at] if parties is not None else []
        )
        # The party cells of a row, as a tuple (an itemgetter of one index gives no tuple).
        cells = [i for _, i in self.party_cells]
        self.party_values: Callable[[list[str]], tuple[str, ...]] = (
            operator.itemgetter(*cells, *cells[:1]) if cells else tuple
        )
        ruleset = self.judge.ruleset
        self.epochs = len(ruleset.change_dates()) + 1
        self.as_of_day = self._new_day(self.judge.as_of)
        self._numbers = itertools.count()
        self._clear()

    def _clear(self) -> None:
        self.items: dict[object, Any] = {}
        self.days: dict[str, Any] = {}
        # Signatures are numbered from ever-growing counters, so that emptying any table
        # never lets a number stand for another signature.
        self.sigs: dict[tuple[object, ...], int] = {}
        self.dest_sigs: dict[tuple[object, ...], int] = {}
        self.dest_sig_of: dict[tuple[str, int], int] = {}
        self.cores: dict[tuple[int, int], _Core] = {}
        self.verdicts: dict[tuple[int, str], Any] = {}
        self.merged: dict[tuple[int, ...], tuple[Any, ...]] = {}
        self.quiet: dict[str, bool] = {}
        # The JSON text of each classified item, by identity (the entry keeps it alive).
        self._item_json: dict[int, tuple[ResolvedItem, str]] = {}
        self.party: list[dict[tuple[str, str, int], tuple[Finding, ...]]] = [
            {} for _ in self.party_cells
        ]

    def _trim(self) -> None:
        """Empty each table that is full (memory stays bounded; see :meth:`_clear`)."""
        tables: list[dict[Any, Any]] = [
            self.items, self.days, self.sigs, self.dest_sigs, self.dest_sig_of, self.cores,
            self.verdicts, self.merged, self.quiet, self._item_json, *self.party,
        ]  # fmt: skip
        for table in tables:
            if len(table) >= _CACHE_LIMIT:
                table.clear()

    def _new_day(self, on: date) -> _Day:
        parties = self.parties
        party_epoch = parties.epoch(on) if parties is not None else 0
        return _Day(on, self.judge.ruleset.epoch(on), party_epoch)

    def _day(self, raw: str) -> Any:
        found = self.builder.ship_date(raw)
        if found is FastLineBuilder.BAD:
            day: Any = _BAD
        elif found == "":
            day = self.as_of_day
        else:
            assert isinstance(found, date)
            day = self._new_day(found)
        self.days[raw] = day
        return day

    def _item(self, row: list[str]) -> Any:
        fields = dict(zip(self.names, row, strict=True))
        hit = self.builder.item_of(fields)
        if hit is FastLineBuilder.BAD:
            entry: Any = _BAD
        else:
            assert isinstance(hit, tuple)
            item, key = hit
            raw_end_use = row[self.i_end_use] if self.i_end_use is not None else None
            end_use = (raw_end_use.strip() or None) if raw_end_use is not None else None
            entry = _Item(item, key, end_use, self.epochs)
        self.items[self.item_cells(row)] = entry
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

    def _profile(self, entry: _Item, day: _Day) -> _Profile:
        line = self._light(entry, day, None)
        item, sig = self.judge.profile(line, day.on, day.epoch, item_part_key(line))
        json = self._item_json.get(id(item))
        if json is None or json[0] is not item:
            json = self._item_json[id(item)] = (item, self.encoder.render(item))
        profile = _Profile(item, json[1], self._number(self.sigs, sig))
        entry.profiles[day.epoch] = profile
        return profile

    def _verdict(self, entry: _Item, day: _Day, profile: _Profile, raw_dest: str) -> Any:
        destination = self.builder.destination(raw_dest)
        if destination is FastLineBuilder.BAD:
            self.verdicts[(profile.sig, raw_dest)] = _BAD
            return _BAD
        assert isinstance(destination, str)
        dest_sig = self.dest_sig_of.get((destination, day.epoch))
        if dest_sig is None:
            sig = self.judge.destination_signature(destination, day.on, day.epoch)
            dest_sig = self.dest_sig_of[(destination, day.epoch)] = self._number(
                self.dest_sigs, sig
            )
        core = self.cores.get((profile.sig, dest_sig))
        if core is None:
            line = self._light(entry, day, destination)
            judged = self.judge.item_judgement(line, day.on, day.epoch, entry.key)
            core = _Core(judged.sorted, judged.findings, judged.status, self.encoder)
            self.cores[(profile.sig, dest_sig)] = core
        verdict = _Verdict(core, destination)
        self.verdicts[(profile.sig, raw_dest)] = verdict
        return verdict

    def _with_parties(self, verdict: _Verdict, found: list[tuple[Finding, ...]]) -> _Verdict:
        """The verdict with the party findings of a line added (as :meth:`LineJudge.judge`
        merges them: item findings, then party findings, sorted stably); cached."""
        key = (id(verdict), *[id(f) for f in found])
        hit = self.merged.get(key)
        if (
            hit is not None
            and hit[0] is verdict
            and all(a is b for a, b in zip(hit[1:-1], found, strict=True))
        ):
            merged: _Verdict = hit[-1]
            return merged
        findings = [*verdict.core.unsorted]
        for f in found:
            findings.extend(f)
        findings.sort(key=_sort_key)
        status = worst([f.status for f in findings])
        core = _Core(tuple(findings), tuple(findings), status, self.encoder)
        merged = _Verdict(core, verdict.destination)
        self.merged[key] = (verdict, *found, merged)  # the objects keep their ids in use
        return merged

    def _party_findings(self, column: str, raw: str, destination: str, day: _Day) -> Any:
        name = raw.strip() or None
        if name is None:
            return ()
        assert self.parties is not None
        return self.parties.column_findings(column, name, destination, day.on, day.party_epoch)

    # --- the loop ------------------------------------------------------------------------

    def _general(self, record: Record | ManifestLine | list[str]) -> str:
        """A record the caches cannot vouch for: the general path."""
        if isinstance(record, list):
            source = self.source
            line: Any = build_line(
                source.index, source.start, dict(zip(self.names, record, strict=True))
            )
        elif isinstance(record, tuple):
            line = build_line(*record)
        else:
            line = record
        result = self.judge.judge(line)
        self._tally[result.status.severity] += 1
        return self.encoder.line(result)

    def chunks(self) -> Iterator[str]:
        """The JSON Lines text of every record, in order, in chunks of whole lines."""
        out: list[str] = []
        append = out.append
        tally = self._tally
        source = self.source
        setup = False
        general = self._general
        # The hot loop: one pass per row through the caches, locals only (see module doc).
        for record in source:
            if record.__class__ is not list:
                append(general(record))
                continue
            row: list[str] = record
            if not setup:
                self._setup(source.columns)
                setup = True
                items, days, verdicts = self.items, self.days, self.verdicts
                item_cells, i_date, i_dest = self.item_cells, self.i_date, self.i_dest
                i_line_id = self.i_line_id
                number_values, number_ok = self.number_values, self.builder.number_ok
                party_cells, as_of_day, template = self.party_cells, self.as_of_day, self.template
                quiet_get, party_values = self.quiet.get, self.party_values
            try:
                entry = items[item_cells(row)]
            except KeyError:
                entry = self._item(row)
            if entry is _BAD:
                append(general(row))
                continue
            if i_date is None:
                day = as_of_day
            else:
                try:
                    day = days[row[i_date]]
                except KeyError:
                    day = self._day(row[i_date])
                if day is _BAD:
                    append(general(row))
                    continue
            profile = entry.profiles[day.epoch]
            if profile is None:
                profile = self._profile(entry, day)
            raw_dest = row[i_dest]
            try:
                verdict = verdicts[profile.sig, raw_dest]
            except KeyError:
                verdict = self._verdict(entry, day, profile, raw_dest)
            if verdict is _BAD:
                append(general(row))
                continue
            bad_number = False
            for raw in number_values(row):
                # Plain ASCII digits with at most one point: valid; others checked in full.
                if not (
                    raw.isascii() and len(raw) < 300 and raw.replace(".", "", 1).isdigit()
                ) and not number_ok(raw):
                    bad_number = True
            if bad_number:
                append(general(row))
                continue
            if party_cells and not all(map(quiet_get, party_values(row))):
                verdict = self._parties(row, verdict, day)
            line_id = row[i_line_id].strip() if i_line_id is not None else ""
            if not line_id:
                line_id = str(source.index)
            tally[verdict.severity] += 1
            if source.clean or _NEEDS_ESCAPE("".join(row)) is None:
                append(
                    template
                    % (
                        line_id,
                        verdict.status,
                        day.json,
                        verdict.dest_json,
                        verdict.text,
                        *row,
                        profile.json,
                        source.start,
                    )
                )
            else:
                append(
                    line_text(
                        _STR(line_id),
                        verdict.status,
                        day.json,
                        verdict.dest_json,
                        verdict.text,
                        fields_text(dict(zip(self.names, row, strict=True))),
                        profile.json,
                        source.start,
                    )
                )
            if len(out) >= _BATCH:
                self.judged += len(out)
                yield "".join(out)
                out.clear()
                self._trim()
        self.judged += len(out)
        if out:
            yield "".join(out)
        self.counts = {s: tally[s.severity] for s in Status if tally[s.severity]}

    def _quiet(self, raw: str) -> bool:
        """Whether a raw party cell can never give a finding (blank, or a name that matches
        nothing on any date for any country); cached per raw cell."""
        name = raw.strip()
        assert self.parties is not None
        quiet = not name or self.parties.never_matches(name)
        self.quiet[raw] = quiet
        return quiet

    def _parties(self, row: list[str], verdict: _Verdict, day: _Day) -> _Verdict:
        """The verdict with the row's party findings, if it has any."""
        found = None
        destination = verdict.destination
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
        return verdict if found is None else self._with_parties(verdict, found)
