"""The loop of the fast path: records in, JSON Lines text out (see :mod:`exportcheck.pipeline`)."""

from __future__ import annotations

import operator
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from exportcheck.engine.judge.judge import LineJudge
from exportcheck.engine.parties import PartyScreening
from exportcheck.formats.jsonl import fields_text, line_text
from exportcheck.model.manifest import ManifestLine, default_line_id
from exportcheck.model.status import Status
from exportcheck.pipeline.parties import PartyStages
from exportcheck.pipeline.parts import STR, RowSource, fill, plain_numbers, positions
from exportcheck.readers.csvchunk import RowBatch
from exportcheck.readers.manifest import Record, build_line

BATCH = 512  # lines of the general path per text chunk handed to the writer
# A character a JSON string must escape (json.dumps with ensure_ascii=False).
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]').search
_PROFILES = operator.attrgetter("profiles")
_SIG = operator.attrgetter("sig")
_DESTS = operator.attrgetter("dests")
_CORES = operator.attrgetter("cores")
_SEVERITY = operator.attrgetter("severity")


class CsvToJsonl(PartyStages):
    """Judges the records of one CSV manifest and renders them as JSON Lines text.

    :meth:`chunks` yields the text; then :attr:`counts` holds the statuses seen and
    :attr:`judged` the number of lines written.
    """

    def __init__(self, source: RowSource, judge: LineJudge, parties: PartyScreening | None) -> None:
        super().__init__(judge, parties)
        self.source = source
        self.judged = 0
        self.counts: dict[Status, int] = {}
        # Lines per status severity; the last slot counts rows left to the general path.
        self._tally = [0] * (len(Status) + 1)

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
                if len(out) >= BATCH:
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
                fill(days, lambda i: known.get(raw_dates[i]), lambda i: self._day(raw_dates[i]))
        profiles: list[Any] = list(map(dict.get, map(_PROFILES, days), keys))
        if None in profiles:
            fill(
                profiles,
                lambda i: days[i].profiles.get(keys[i]),
                lambda i: self._profile(rows[i], keys[i], days[i]),
            )
        raw_dests = cols[self.i_dest]
        dests: list[Any] = list(map(dict.get, map(_DESTS, days), raw_dests))
        if None in dests:
            fill(
                dests,
                lambda i: days[i].dests.get(raw_dests[i]),
                lambda i: self._dest(raw_dests[i], days[i]),
            )
        cores: list[Any] = list(map(dict.get, map(_CORES, profiles), map(_SIG, dests)))
        if None in cores:
            fill(
                cores,
                lambda i: profiles[i].cores.get(dests[i].sig),
                lambda i: self._core(days[i], profiles[i], dests[i]),
            )
        self._bad_cells(rows, cols, cores)
        no_core = self.no_core
        if self.stage is not None:
            self._batch_party_rules(rows, cores, days, dests, profiles)
        if self.party_cells:
            self._batch_parties(rows, cols, cores, days, dests)
        first = batch.first_index
        if self.i_line_id is None:
            ids = list(map(default_line_id, range(first, first + n)))
        else:
            ids = list(map(str.strip, cols[self.i_line_id]))
            if "" in ids:
                for i in positions(ids, ""):
                    ids[i] = default_line_id(first + i)
        tally = self._tally
        for severity, count in Counter(map(_SEVERITY, cores)).items():
            tally[severity] += count
        starts = batch.starts
        lines = self.render(ids, cores, days, dests, rows, profiles, starts)
        for i in batch.dirty:
            core = cores[i]
            if core is not no_core and _NEEDS_ESCAPE("".join(rows[i])) is not None:
                lines[i] = line_text(
                    STR(ids[i]),
                    core.value,
                    days[i].json,
                    dests[i].json,
                    core.text,
                    fields_text(dict(zip(self.names, rows[i], strict=True))),
                    profiles[i].json,
                    starts[i],
                )
        if no_core in cores:
            for i in positions(cores, no_core):
                tally[-1] -= 1
                lines[i] = self._general_row(first + i, starts[i], rows[i])
        return "".join(lines)

    def _bad_cells(self, rows: list[list[str]], cols: list[Any], cores: list[Any]) -> None:
        """Rows with a number or a headquarters that does not parse take the general path,
        which makes the cell the line's problem (review)."""
        no_core = self.no_core
        for k in self.i_numbers:
            for i in self._bad_numbers(cols[k]):
                cores[i] = no_core
        if self.country_cells_at:
            self._bad_countries(rows, cores)

    def _bad_numbers(self, values: Sequence[str]) -> list[int]:
        """The positions of the quantity / unit_value cells that are not valid numbers."""
        if plain_numbers(values):
            return []
        ok = self.builder.number_ok
        return [i for i, raw in enumerate(values) if not ok(raw)]
