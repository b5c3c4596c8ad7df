"""Judge manifest lines against the rules in force on their date: one line
(:func:`judge_line`), a stream (:func:`judge_lines`) and the line judge with every cache
(:class:`LineJudge`). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from exportcheck.engine.conditions import Facts
from exportcheck.engine.inforce import rules_in_force
from exportcheck.engine.judge.findings import (
    Judged,
    classification_findings,
    findings_for,
    input_finding,
    input_findings,
    sort_key,
    unclassified_finding,
    unclassified_message,
)
from exportcheck.engine.judge.items import (
    ItemEntry,
    ItemKey,
    classify_item,
    contradicted,
    item_facts,
    item_part_key,
    line_item_key,
    line_key,
    resolve_item,
)
from exportcheck.engine.judge.memo import CACHE_LIMIT, JudgeMemo
from exportcheck.engine.parties import PartyScreening
from exportcheck.engine.partyrules import (
    PartyRuleStage,
    party_rule_findings,
    resolver_for,
    split_in_force,
)
from exportcheck.model.fastline import LightResult, LineLike
from exportcheck.model.manifest import Catalog
from exportcheck.model.report import Finding, LineResult, ResolvedItem
from exportcheck.model.rules import Rule, RuleSet, RuleVersion
from exportcheck.model.status import worst


def judge_item(
    line: LineLike,
    ruleset: RuleSet,
    on: date,
    catalog: Catalog | None,
    in_force: list[tuple[Rule, RuleVersion]],
    memo: JudgeMemo | None = None,
    key: ItemKey | None = None,
) -> tuple[ResolvedItem, tuple[Finding, ...]]:
    """What the rules say about the line's item going to its destination on ``on``: the
    resolved item and the rule, classification and 'unclassified' findings. Depends only on
    the line's :func:`~.items.item_part_key` and :func:`~.items.line_key` and the rule-set
    epoch of ``on``.

    ``memo`` (with ``key``, the line's :func:`~.items.item_part_key`) caches the parts of the
    judgement; the result is the same. Rules of ``in_force`` that test the line's parties are
    not judged here (see :mod:`exportcheck.engine.partyrules`)."""
    in_force = split_in_force(ruleset, in_force)[0]
    if memo is None:
        epoch = 0
        item, derivation = classify_item(resolve_item(line, catalog), ruleset, on)
    else:
        assert key is not None
        epoch = memo.epoch(on)
        item, derivation = memo.classified(line.item, key, epoch, on)
    facts = item_facts(item, on, line.destination, line.end_use)
    unclassified = item.eccn is None
    findings, depends = findings_for(facts, ruleset, in_force, unclassified, memo)
    if derivation is not None:
        findings.extend(classification_findings(item, derivation, facts, ruleset, in_force, memo))
    if unclassified:
        message = unclassified_message(item, depends, derivation)
        findings.append(
            unclassified_finding(message) if memo is None else memo.unclassified_finding(message)
        )
    return item, tuple(findings)


def line_result(
    line: LineLike, on: date, item: ResolvedItem, findings: list[Finding]
) -> LineResult:
    findings.sort(key=sort_key)
    return LineResult(
        line_id=line.line_id,
        status=worst([f.status for f in findings]),
        date=on.isoformat(),
        destination=line.destination,
        findings=tuple(findings),
        fields=line.fields,
        item=item,
        source_line=line.source_line,
    )


def judge_line(
    line: LineLike,
    ruleset: RuleSet,
    as_of: date,
    catalog: Catalog | None = None,
    in_force: list[tuple[Rule, RuleVersion]] | None = None,
    parties: PartyScreening | None = None,
) -> LineResult:
    """Judge one line. Its date is its own ``ship_date`` when given, else ``as_of``."""
    on = line.ship_date or as_of
    if in_force is None:
        in_force = rules_in_force(ruleset, on)
    item_rules, party_rules = split_in_force(ruleset, in_force)
    item, item_findings = judge_item(line, ruleset, on, catalog, item_rules)
    findings = input_findings(line)
    findings.extend(item_findings)
    if party_rules:
        resolver = parties.resolver(ruleset) if parties is not None else resolver_for(ruleset, None)
        party_set = resolver.party_set(line.fields, on)
        facts = item_facts(item, on, line.destination, line.end_use, party_set)
        findings.extend(party_rule_findings(facts, ruleset, party_rules))
    if parties is not None:
        findings.extend(parties.findings(line, on))
    return line_result(line, on, item, findings)


class LineJudge:
    """Judges lines one at a time, in order, with every cache (see :func:`judge_lines`).

    :meth:`judge` gives a :class:`LightResult` (no per-line validation); its ``to_model()`` is
    the :class:`LineResult` that :func:`judge_line` gives for the same line.
    """

    def __init__(
        self,
        ruleset: RuleSet,
        as_of: date,
        catalog: Catalog | None = None,
        parties: PartyScreening | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.as_of = as_of
        self.as_of_iso = as_of.isoformat()
        self.catalog = catalog
        self.parties = parties
        self.memo = JudgeMemo(ruleset, catalog)
        self.party_rules = PartyRuleStage(ruleset, self.memo, parties)
        self._in_force: dict[int, list[tuple[Rule, RuleVersion]]] = {}
        self._judged: dict[ItemKey, Judged] = {}
        self._items: dict[ItemKey, ItemEntry] = {}
        self._sigs: dict[tuple[str, int, int], tuple[object, ...]] = {}
        self._days: dict[date, tuple[int, str]] = {}
        self._inputs: dict[tuple[str, str], Finding] = {}

    def _rules_in_force(self, epoch: int, on: date) -> list[tuple[Rule, RuleVersion]]:
        in_force = self._in_force.get(epoch)
        if in_force is None:
            in_force = self._in_force[epoch] = split_in_force(
                self.ruleset, rules_in_force(self.ruleset, on)
            )[0]
        return in_force

    def _entry(self, line: LineLike, on: date, epoch: int, part: ItemKey) -> ItemEntry:
        whole = (*part, *line_item_key(line), self.memo.span(on))
        entry = self._items.get(whole)
        if entry is None:
            item, derivation = self.memo.classified(line.item, part, epoch, on)
            entry = ItemEntry(item, derivation)
            if len(self._items) >= CACHE_LIMIT:
                self._items.clear()
            self._items[whole] = entry
        return entry

    def _fact_class(self, entry: ItemEntry, on: date, end_use: str | None) -> int:
        if entry.fact_class is None:
            facts = item_facts(entry.item, on, None, end_use)
            entry.fact_class = self.memo.fact_class(facts)
        return entry.fact_class

    def profile(
        self, line: LineLike, on: date, epoch: int, part: ItemKey
    ) -> tuple[ResolvedItem, tuple[object, ...]]:
        """The line's classified item on ``on`` (``epoch`` is its rule-set epoch, ``part``
        its :func:`item_part_key`) and a *signature*: two lines with equal signatures and
        equal destinations get the same findings from :meth:`shared_judgement`, even when
        their items differ. The rules' findings depend on the item only through the rules
        that may apply to it (:meth:`JudgeMemo.survivors`) and the outcomes of their tests
        that do not read the destination (:meth:`JudgeMemo.outcomes`), so the signature is
        those, marked with the item's kind (see :class:`ItemEntry`: the shared findings of
        an item of any kind but 'rules' lack its own finding, see :meth:`own_findings`).
        Both are found once per kind, epoch and :meth:`JudgeMemo.fact_class`, and the same
        tuple is given for all its items."""
        entry = self._entry(line, on, epoch, part)
        sig = entry.sigs.get(epoch)
        if sig is None:
            fact_class = self._fact_class(entry, on, line.end_use)
            key = (entry.kind, epoch, fact_class)
            sig = self._sigs.get(key)
            if sig is None:
                facts = item_facts(entry.item, on, None, line.end_use)
                in_force = self._rules_in_force(epoch, on)
                survivors = self.memo.survivors(facts, in_force, epoch, fact_class)
                found: list[object] = [entry.kind, epoch]
                for _, version, _ in survivors:
                    assert version.when is not None  # validated
                    found.append(id(version))
                    self.memo.outcomes(version.when, facts, epoch, found, destination=False)
                sig = tuple(found)
                if len(self._sigs) >= CACHE_LIMIT:
                    self._sigs.clear()
                self._sigs[key] = sig
            entry.sigs[epoch] = sig
        return entry.item, sig

    def span(self, on: date) -> int:
        """The number of the classification span of ``on``: items are classified alike on
        every date of a span (see :meth:`JudgeMemo.classified`); a span holds whole epochs."""
        return self.memo.span(on)

    def item_class(
        self, line: LineLike, on: date, epoch: int, part: ItemKey
    ) -> tuple[ResolvedItem, tuple[str, int]]:
        """The line's classified item on ``on`` and its *class*: its kind and
        :meth:`JudgeMemo.fact_class`. Both hold on every date of the classification span of
        ``on`` (:meth:`span`). Items of equal class have equal :meth:`profile` signatures in
        every epoch, so they get the same :meth:`shared_judgement` for destinations of equal
        signatures."""
        entry = self._entry(line, on, epoch, part)
        return entry.item, (entry.kind, self._fact_class(entry, on, line.end_use))

    def destination_signature(
        self, destination: str | None, on: date, epoch: int
    ) -> tuple[object, ...]:
        """A signature of ``destination`` on ``on`` (``epoch`` its rule-set epoch): two
        destinations with equal signatures give every item the same item findings (:meth:`
        item_judgement`). The engine reads the destination only through the destination tests
        of the rules in force, so the signature is their outcomes (as in :meth:`JudgeMemo.
        outcomes`: a FALSE not under a ``not`` counts as just FALSE; other outcomes name
        the destination, so only that destination has them)."""
        facts = Facts(on=on, destination=destination)
        sig: list[object] = [epoch]
        for _, version in self._rules_in_force(epoch, on):
            assert version.when is not None  # validated
            sig.append(id(version))
            self.memo.outcomes(version.when, facts, epoch, sig, destination=True)
        return tuple(sig)

    def item_judgement(self, line: LineLike, on: date, epoch: int, part: ItemKey) -> Judged:
        """What the rules say about the line's item going to its destination on ``on``
        (``epoch`` is its rule-set epoch, ``part`` its :func:`item_part_key`), before party
        screening and input problems; not cached here (the caller caches)."""
        return self._new(line, on, epoch, part)

    def shared_judgement(
        self, line: LineLike, on: date, epoch: int, part: ItemKey
    ) -> tuple[Judged, list[str] | None]:
        """:meth:`item_judgement`, but for an item of a kind other than 'rules' (see
        :class:`ItemEntry`) without the finding of its own, and the rules that may apply
        once it is classified (for a classified one: none): the same for every item with an
        equal :meth:`profile` signature going to a destination with an equal signature. Add
        :meth:`own_findings` last to get :meth:`item_judgement`. For an item of kind 'rules':
        :meth:`item_judgement` and None."""
        entry = self._entry(line, on, epoch, part)
        if entry.kind == "rules":
            return self._new(line, on, epoch, part), None
        item = entry.item
        facts = item_facts(item, on, line.destination, line.end_use)
        in_force = self._rules_in_force(epoch, on)
        fact_class = self._fact_class(entry, on, line.end_use)
        unclassified = entry.kind == "unclassified"
        found, depends = findings_for(
            facts, self.ruleset, in_force, unclassified, self.memo, fact_class
        )
        return Judged(item, tuple(found)), depends

    def own_by_destination(self, line: LineLike, on: date, epoch: int, part: ItemKey) -> bool:
        """Whether :meth:`own_findings` for the line's item depends on the destination (else
        on ``depends`` only): for a declared ECCN its specifications contradict."""
        entry = self._entry(line, on, epoch, part)
        return entry.derivation is not None and contradicted(entry.item, entry.derivation)

    def own_findings(
        self, line: LineLike, on: date, epoch: int, part: ItemKey, depends: Sequence[str]
    ) -> tuple[Finding, ...]:
        """The findings of its own that an item of a kind other than 'rules' adds to its
        :meth:`shared_judgement` (``depends`` as that gave), as :func:`judge_item` adds them:
        the 'classification' finding of a derived ECCN, or of a declared one the
        specifications contradict (which depends on the destination), and the 'unclassified'
        finding of an item without an ECCN."""
        entry = self._entry(line, on, epoch, part)
        item = entry.item
        found: list[Finding] = []
        derivation = entry.derivation
        if entry.own is not None:
            found = [*entry.own]
        elif derivation is not None:
            facts = item_facts(item, on, line.destination, line.end_use)
            in_force = self._rules_in_force(epoch, on)
            found = classification_findings(
                item, derivation, facts, self.ruleset, in_force, self.memo, entry.made
            )
            if not contradicted(item, derivation):  # the same for every destination
                entry.own = tuple(found)
        if entry.kind == "unclassified":
            key = tuple(depends)
            unclassified = entry.unclassified.get(key)
            if unclassified is None:
                message = unclassified_message(item, depends, derivation)
                unclassified = entry.unclassified[key] = self.memo.unclassified_finding(message)
            found.append(unclassified)
        return tuple(found)

    def _new(self, line: LineLike, on: date, epoch: int, part: ItemKey) -> Judged:
        """The judgement of an (item, destination, end use, epoch) not cached. For an item
        of kind 'rules' the findings are the rules' findings only, and when there are none one
        shared judgement per item serves every destination; any other item's findings are its
        :meth:`shared_judgement` and :meth:`own_findings`."""
        in_force = self._rules_in_force(epoch, on)
        entry = self._entry(line, on, epoch, part)
        if entry.kind == "rules":
            fact_class = self._fact_class(entry, on, line.end_use)
            if entry.empty is not None and self.memo.known_empty(
                fact_class, line.destination, epoch
            ):
                return entry.empty
            item = entry.item
            facts = item_facts(item, on, line.destination, line.end_use)
            # What judge_item does for such an item, without the parts that do not apply.
            found, _ = findings_for(facts, self.ruleset, in_force, False, self.memo, fact_class)
            if found:
                return Judged(item, tuple(found))
            if entry.empty is None:
                entry.empty = Judged(item, ())
            return entry.empty
        # What judge_item gives, from the parts the fast path caches too.
        shared, depends = self.shared_judgement(line, on, epoch, part)
        assert depends is not None  # not of kind 'rules'
        own = self.own_findings(line, on, epoch, part, depends)
        return Judged(entry.item, (*shared.findings, *own))

    def party_findings(
        self, line: LineLike, on: date, epoch: int, part: ItemKey
    ) -> tuple[Finding, ...]:
        """The findings of the rules that test the line's parties (``epoch`` is the rule-set
        epoch of ``on``, ``part`` the line's :func:`item_part_key`), as :func:`judge_line`
        adds them after the item's."""
        stage = self.party_rules
        if not stage.in_force(epoch, on):
            return ()
        entry = self._entry(line, on, epoch, part)
        fact_class = self._fact_class(entry, on, line.end_use)
        party_set = stage.party_set(line.fields, on)
        return stage.findings(
            entry.item, line.destination, line.end_use, on, epoch, fact_class, party_set
        )

    def _input_findings(self, line: LineLike) -> list[Finding]:
        """:func:`input_findings`, one shared object per distinct problem (so that writers
        can render each once)."""
        out: list[Finding] = []
        for p in line.problems:
            key = (p.field, p.message)
            found = self._inputs.get(key)
            if found is None:
                if len(self._inputs) >= CACHE_LIMIT:
                    self._inputs.clear()
                found = self._inputs[key] = input_finding(p.field, p.message)
            out.append(found)
        return out

    def judge(self, line: LineLike) -> LightResult:
        on = line.ship_date or self.as_of
        day = self._days.get(on)
        if day is None:
            if len(self._days) >= CACHE_LIMIT:
                self._days.clear()
            day = self._days[on] = (self.ruleset.epoch(on), on.isoformat())
        epoch = day[0]
        part = item_part_key(line)
        key = (*part, *line_key(line), epoch)
        hit = self._judged.get(key)
        if hit is None:
            hit = self._new(line, on, epoch, part)
            if len(self._judged) >= CACHE_LIMIT:
                self._judged.clear()
            self._judged[key] = hit
        extra: list[Finding] = self._input_findings(line) if line.problems else []
        if self.party_rules.active:
            extra.extend(self.party_findings(line, on, epoch, part))
        if self.parties is not None:
            extra.extend(self.parties.findings(line, on))
        if not extra:
            findings_out = hit.sorted
            status = hit.status
        else:
            # The order judge_line uses (input, item, parties), sorted stably by the same key.
            merged = [*extra[: len(line.problems)], *hit.findings, *extra[len(line.problems) :]]
            merged.sort(key=sort_key)
            findings_out = tuple(merged)
            status = worst([f.status for f in merged])
        return LightResult(
            line.line_id,
            status,
            day[1],
            line.destination,
            findings_out,
            line.fields,
            hit.item,
            line.source_line,
        )


def judge_lines(
    lines: Iterable[LineLike],
    ruleset: RuleSet,
    as_of: date,
    catalog: Catalog | None = None,
    parties: PartyScreening | None = None,
    *,
    cache: bool = True,
) -> Iterator[LineResult]:
    """Judge lines in input order (streaming).

    With ``cache`` (the default) each distinct item judgement — same item, destination and
    end use (:func:`~.items.item_part_key`, :func:`~.items.line_key`) and epoch — is
    computed once (while it stays in a bounded cache) and reused, and its parts are cached
    too (see :class:`JudgeMemo`); the results are the same as with ``cache=False``, which
    judges every line from scratch.
    """
    if not cache:
        for line in lines:
            yield judge_line(line, ruleset, as_of, catalog, None, parties)
        return
    judge = LineJudge(ruleset, as_of, catalog, parties)
    for line in lines:
        yield judge.judge(line).to_model()
