"""The fast path's party stages: the rules that test the parties (headquarters, ownership)
and the screening of the party columns against the lists."""

from __future__ import annotations

import itertools
import operator
from typing import Any

from exportcheck.model.report import Finding
from exportcheck.pipeline.parts import Core, Day, Dest, Profile, fill, positions
from exportcheck.pipeline.tables import Tables

_PSETS = operator.attrgetter("psets")
_PROLES = operator.attrgetter("proles")
_NUMBER = operator.attrgetter("number")
_PSIGS = operator.attrgetter("psigs")
_EPOCH = operator.attrgetter("epoch")
_FIRST = operator.itemgetter(0)
_NO_FINDINGS: tuple[Finding, ...] = ()


def _live(sig: tuple[int, Any]) -> bool:
    """Whether a party signature has party rules that may apply."""
    return sig[0] >= 0


class PartyStages(Tables):
    """The party stages of a batch (see :meth:`_batch_party_rules`, :meth:`_batch_parties`)."""

    def _bad_countries(self, rows: list[list[str]], cores: list[Any]) -> None:
        """A row whose headquarters cell is not a country takes the general path (which
        reports the cell as the line's problem: review), whether or not party rules apply."""
        no_core = self.no_core
        ok = self.country_cells
        for at in self.country_cells_at:
            cells = [row[at] for row in rows]
            flags: list[Any] = list(map(ok.get, cells))
            for i in positions(flags, None):
                flags[i] = ok[cells[i]] = self.builder.country_ok(cells[i])
            for i in positions(flags, False):
                cores[i] = no_core

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
        item's findings, before the screening's). A row with a headquarters that is not a
        country took the general path before (:meth:`_bad_countries`)."""
        no_core = self.no_core
        epochs = list(map(_EPOCH, days))
        sigs: list[Any] = list(map(dict.get, map(_PSIGS, profiles), epochs))
        if None in sigs:
            fill(
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
        for j in positions(found, None):
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
        for k in positions(merged, None):
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
            for i in positions(facts, None):
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
        for i in positions(psets, None):
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
        day: Day,
    ) -> tuple[int, Any]:
        """(number, fact) of a party column's cells (its name alone, or a tuple with its
        attribute cells; number -2: a bad country cell)."""
        cells = key if isinstance(key, tuple) else (key,)
        if not all(self.builder.country_ok(cells[k]) for k in countries):
            return (-2, None)
        assert self.stage is not None
        four = tuple(cells[k] if k is not None else None for k in where)
        return self.stage.role_fact(role, four, day.on, day.pepoch)

    def _psig(self, profile: Profile, day: Day) -> Any:
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
        profile: Profile,
        day: Day,
        dest: Dest,
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
                loud.update(positions(raw, name))
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

    def _parties(self, row: list[str], core: Core, day: Day, destination: str) -> Core:
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

    def _party_findings(self, column: str, raw: str, destination: str, day: Day) -> Any:
        name = raw.strip() or None
        if name is None:
            return ()
        assert self.parties is not None
        return self.parties.column_findings(column, name, destination, day.on, day.party_epoch)
