"""The fast path's tables: what each stage looks a row up in (days, items' profiles,
destinations, item findings), filled on a miss and emptied when full (bounded memory)."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from exportcheck.engine.judge.findings import Judged, sort_key
from exportcheck.engine.judge.items import item_part_key
from exportcheck.engine.judge.judge import LineJudge
from exportcheck.engine.parties import PartyScreening
from exportcheck.formats.jsonl import LineEncoder, row_line_renderer
from exportcheck.model.fastline import LightLine
from exportcheck.model.fields import ITEM_FIELDS, LINE_ITEM_KEY_FIELDS
from exportcheck.model.manifest import is_country_column, party_cells
from exportcheck.model.params import PARAMS
from exportcheck.model.report import Finding
from exportcheck.model.status import Status, worst
from exportcheck.pipeline.parts import Core, Day, Dest, ItemEntry, Profile, cells_getter
from exportcheck.readers.manifest import FastLineBuilder

CACHE_LIMIT = 1 << 15  # entries per table; a full table is emptied (bounds the memory)
# Items and their profiles: a profile missed costs a classification, so these hold more.
ITEM_LIMIT = 1 << 17
# Characters of JSON text the merged cores may hold (a line's findings can be kilobytes).
_MERGED_TEXT_LIMIT = 1 << 24
# The cells of a row's item (their key): the item's fields, parameters and end use.
_ITEM_COLUMNS = (*ITEM_FIELDS, *PARAMS, *LINE_ITEM_KEY_FIELDS)


class Tables:
    """The tables of :class:`~exportcheck.pipeline.stream.CsvToJsonl` and how a miss fills
    them in (:meth:`_setup` makes them once the header is known)."""

    def __init__(self, judge: LineJudge, parties: PartyScreening | None) -> None:
        self.judge = judge
        self.parties = parties
        self.encoder = LineEncoder()

    # --- the caches ----------------------------------------------------------------------

    def _setup(self, columns: Sequence[str]) -> None:
        self.names = list(columns)
        self.builder = FastLineBuilder(columns)
        self.render = row_line_renderer(columns)
        at = {name: i for i, name in enumerate(columns)}
        # Cells that must hold a country (headquarters): a row with another value takes the
        # general path, which makes it a problem of the line (review), party rules or not.
        self.country_cells_at = [i for i, name in enumerate(columns) if is_country_column(name)]
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
        self._setup_party_rules(at)
        ruleset = self.judge.ruleset
        self.epochs = len(ruleset.change_dates()) + 1
        # Per rule-set epoch (and one for the stand-in day): raw destination → Dest.
        self.dest_tables: list[dict[str, Any]] = [{} for _ in range(self.epochs + 1)]
        # Per classification span (and the stand-in day's): item cells' key → Profile.
        self.profile_tables: dict[int, dict[Any, Any]] = {}
        # Per signature number, per item class and per item of a kind other than 'rules':
        # destination signature number → Core (see Profile).
        self.core_tables: dict[object, dict[int, Any]] = {}
        self.core_count = 0
        self.as_of_day = self._new_day(self.judge.as_of)
        self._numbers = itertools.count()
        # Stand-ins for a row left to the general path, so that every stage maps every row:
        # a bad ship date has an epoch of its own, whose profile is always the stand-in.
        self.no_day = Day(self.judge.as_of, self.epochs, 0, self.dest_tables[self.epochs], {})
        self.no_day.proles = [{} for _ in self.proles]
        self.profile_tables[-1] = self.no_day.profiles
        self.no_item = ItemEntry(None, (), None)  # type: ignore[arg-type]
        self.no_profile = Profile(self.no_item, "", {})
        self.no_dest = Dest("", -1)
        self.no_pset = (-1, None)  # a row with a bad party cell (a headquarters not a country)
        self.no_core = Core((), (), Status.REVIEW, self.encoder)
        self.no_core.severity = len(Status)  # the tally's last slot: not counted
        self._clear()

    def _setup_party_rules(self, at: dict[str, int]) -> None:
        """The tables of the party rule stage, and where its cells are (``at``: the column
        positions)."""
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
            self.pfields = cells_getter([at[c] for c in self.pnames])
            self.pname_at = {k: at[self.proles[k][0]] for k in named}

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
        self.cores_made: dict[tuple[object, ...], tuple[tuple[Finding, ...], Core]] = {}
        self.quiet: dict[str, bool] = {}
        # The raw party cells known (as in `quiet`), and those of them that are not quiet.
        self.known_names: set[str] = set()
        self.loud_names: set[str] = set()
        self.party: list[dict[tuple[str, str, int], tuple[Finding, ...]]] = [
            {} for _ in self.party_cells
        ]

    def _trim(self) -> None:
        """Empty each table that is full (memory stays bounded; see :meth:`_clear`)."""
        if len(self.items) >= ITEM_LIMIT:
            self.items.clear()
        tables: list[dict[Any, Any]] = [
            self.days, self.sigs, self.sig_numbers, self.dest_sigs,
            self.dest_sig_of, self.dest_numbers, self.merged, self.cores_made, self.country_cells,
            self.quiet, self.core_tables, *self.party,
        ]  # fmt: skip
        for table in tables:
            if len(table) >= CACHE_LIMIT:
                table.clear()
        if self.merged_text >= _MERGED_TEXT_LIMIT:  # a merged core holds its findings' text
            self.merged.clear()
            self.pmerged.clear()
        if len(self.pmerged) >= CACHE_LIMIT:
            self.pmerged.clear()
        if not self.merged:
            self.merged_text = 0
        # Tables shared by days and profiles are emptied in place (they keep using them).
        if sum(map(len, self.dest_tables)) >= CACHE_LIMIT:
            for dests in self.dest_tables:
                dests.clear()
        if sum(map(len, self.profile_tables.values())) >= ITEM_LIMIT:
            for profiles in self.profile_tables.values():
                profiles.clear()
        if self.core_count >= CACHE_LIMIT:
            for cores in self.core_tables.values():
                cores.clear()
            self.core_count = 0
        if sum(map(len, self.pset_tables.values())) >= CACHE_LIMIT:
            for psets in self.pset_tables.values():
                psets.clear()
        if sum(len(t) for tables in self.prole_tables.values() for t in tables) >= CACHE_LIMIT:
            for tables in self.prole_tables.values():
                for table in tables:
                    table.clear()
        if len(self.prules) >= ITEM_LIMIT:
            self.prules.clear()
        if not self.quiet:
            self.known_names.clear()
            self.loud_names.clear()

    def _new_day(self, on: date) -> Day:
        parties = self.parties
        party_epoch = parties.epoch(on) if parties is not None else 0
        epoch = self.judge.ruleset.epoch(on)
        profiles = self.profile_tables.setdefault(self.judge.span(on), {})
        pepoch = self.stage.party_epoch(on) if self.stage is not None else 0
        psets = self.pset_tables.setdefault(pepoch, {})
        day = Day(on, epoch, party_epoch, self.dest_tables[epoch], profiles, pepoch, psets)
        day.proles = self.prole_tables.setdefault(pepoch, [{} for _ in self.proles])
        return day

    def _day(self, raw: str) -> Day:
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

    def _item(self, row: list[str], cache_key: object) -> ItemEntry:
        """The parsed item cells of a row (``cache_key`` is their key), parsed once."""
        found: ItemEntry | None = self.items.get(cache_key)
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
            entry = ItemEntry(item, key, end_use)
        self.items[cache_key] = entry
        return entry

    def _light(self, entry: ItemEntry, day: Day, destination: str | None) -> LightLine:
        """A line standing for every row of this item, day and destination (for the judge:
        it reads the item, destination, date and end use only)."""
        return LightLine(0, None, "", {}, entry.item, entry.key, destination, day.on, entry.end_use)

    def _number(self, table: dict[tuple[object, ...], int], sig: tuple[object, ...]) -> int:
        number = table.get(sig)
        if number is None:
            number = table[sig] = next(self._numbers)
        return number

    def _profile(self, row: list[str], key: object, day: Day) -> Profile:
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
        profile = Profile(entry, json, shared, own)
        profile.item = item
        profile.fact_class = item_class[1]
        if own is not None:
            profile.own_by_destination = self.judge.own_by_destination(
                line, day.on, day.epoch, entry.key
            )
        day.profiles[key] = profile
        return profile

    def _dest(self, raw: str, day: Day) -> Dest:
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
        dest = day.dests[raw] = Dest(destination, number, pnumber)
        return dest

    def _core(self, day: Day, profile: Profile, dest: Dest) -> Core:
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

    def _shared_core(self, judged: Judged, depends: list[str] | None) -> Core:
        """The core of a shared judgement: one object for equal findings (from the engine,
        equal findings are one object) and rules that may apply, whatever the signatures
        (most judgements of other epochs and destinations find the same)."""
        found = judged.findings
        key = (*map(id, found), -1, *depends) if depends is not None else (*map(id, found), -2)
        hit = self.cores_made.get(key)
        if hit is not None and all(map(operator.is_, hit[0], found)):
            made: Core = hit[1]
            return made
        core = Core(judged.sorted, found, judged.status, self.encoder)
        core.depends = tuple(depends) if depends is not None else None
        self.cores_made[key] = (found, core)  # the findings keep their ids in use
        return core

    def _merged(self, core: Core, extra: tuple[Finding, ...]) -> Core:
        """The core with more findings of a line added after its own, as
        :meth:`LineJudge.judge` merges them (an item's own findings after its class's, party
        findings after the item's), sorted stably; ``unsorted`` keeps the judging order for
        a later merge. Cached by identity: a finding object serves many lines."""
        key = (id(core), *map(id, extra))
        hit = self.merged.get(key)
        if hit is not None and hit[0] is core and all(map(operator.is_, hit[1:-1], extra)):
            merged: Core = hit[-1]
            return merged
        unsorted = (*core.unsorted, *extra)
        merged = Core(
            tuple(sorted(unsorted, key=sort_key)),
            unsorted,
            worst([f.status for f in unsorted]),
            self.encoder,
        )
        self.merged[key] = (core, *extra, merged)  # the objects keep their ids in use
        self.merged_text += len(merged.text)
        return merged
