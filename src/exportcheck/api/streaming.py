"""``check_stream``: a manifest judged line by line, in constant memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date as Date

from exportcheck.api.loading import (
    PathLike,
    Prepared,
    check_party_columns,
    content_hash,
    prepare,
    scope_notices,
    tool_version,
)
from exportcheck.api.report import judge_held
from exportcheck.engine.judge.judge import LineJudge
from exportcheck.engine.screening import ScreeningConfig
from exportcheck.model.fastline import ResultLike
from exportcheck.model.report import (
    LineResult,
    Source,
    Summary,
    summary_of_counts,
)
from exportcheck.model.status import Status
from exportcheck.readers.manifest import ReadOptions, ReadStats


class CheckStream:
    """The lines of a check, judged one at a time as they are read (see :func:`check_stream`).

    Iterate once for the results, in input order; then :attr:`summary` (and :attr:`notices`)
    are known. Iterating raises :class:`InputError` for input that turns out unreadable, and
    ``RuntimeError`` if the number of records read differs from the number of lines judged
    (the guarantee :func:`build_report` gives; a streaming caller has output by then).
    """

    def __init__(self, prepared: Prepared, cache: bool) -> None:
        self.prepared = prepared
        self.cache = cache
        self.exportcheck = tool_version()
        self.as_of = prepared.as_of.isoformat()
        self.sources: tuple[Source, ...] = tuple(prepared.sources)
        self.rules_sha256 = content_hash(prepared.sources)
        self.stats = ReadStats()
        self.counts: dict[Status, int] = {}
        self.judged = 0
        self._summary: Summary | None = None
        self._used = False
        self.fastpath: object | None = None  # the fast path's judge, once jsonl_lines ran

    @property
    def notices(self) -> tuple[str, ...]:
        """What the reader noticed, then what the data used leaves out (see
        :func:`scope_notices`)."""
        p = self.prepared
        scope = scope_notices(p.ruleset, len(p.parties.index.entries), p.sources)
        return (*self.stats.notices, *scope)

    @property
    def columns(self) -> list[str] | None:
        """The manifest's CSV header (normalised) once the first line was read, else None."""
        return self.stats.columns

    @property
    def summary(self) -> Summary:
        if self._summary is None:
            raise RuntimeError("the summary is known only once every line was read")
        return self._summary

    def _results(self) -> Iterator[ResultLike]:
        from exportcheck.readers.manifest import iter_lines, iter_manifest

        p = self.prepared
        stats = self.stats
        if p.licences is not None or p.waivers is not None or not self.cache:
            # Licences and waivers read every field of a full ManifestLine.
            yield from judge_held(
                iter_manifest(p.manifest, p.display, stats=stats, options=p.read_options),
                p.ruleset, p.as_of, p.catalog, p.parties, p.licences, p.waivers,
                cache=self.cache,
            )  # fmt: skip
            return
        lines = iter_lines(p.manifest, p.display, stats=stats, options=p.read_options)
        judge = LineJudge(p.ruleset, p.as_of, p.catalog, p.parties).judge
        for line in lines:
            yield judge(line)

    def jsonl_lines(self) -> Iterator[str] | None:
        """The JSON Lines text of the line objects (not the summary object), in chunks of
        whole lines, by the fast path (:mod:`exportcheck.pipeline`) when this check can take
        it — a CSV manifest, caches on, no licences or waivers — else None. Iterate it
        *instead of* this stream (then :attr:`summary` is known as usual); the text is the
        same as rendering each result with :func:`exportcheck.formats.jsonl.stream`."""
        from exportcheck.readers.manifest import detect_format

        p = self.prepared
        if not self.cache or p.licences is not None or p.waivers is not None:
            return None
        if not p.read_options.plain_values or detect_format(p.manifest, p.display) != "csv":
            return None
        if self._used:
            raise RuntimeError("a CheckStream can be iterated once")
        self._used = True
        return self._jsonl_lines()

    def _jsonl_lines(self) -> Iterator[str]:
        from exportcheck.pipeline import CsvToJsonl
        from exportcheck.readers.manifest import CsvRecords

        p = self.prepared
        self.stats.format = "csv"
        source = CsvRecords(p.manifest, p.display, self.stats, options=p.read_options)
        fast = CsvToJsonl(source, LineJudge(p.ruleset, p.as_of, p.catalog, p.parties), p.parties)
        self.fastpath = fast  # kept with the stream (its caches go when the stream goes)
        checked_columns = False
        for chunk in fast.chunks():
            if not checked_columns:
                check_party_columns(p.parties, self.stats.columns)
                checked_columns = True
            self.judged = fast.judged
            yield chunk
        self.judged = fast.judged
        self.counts = fast.counts
        self._finish(seen_columns=False)  # a CSV header names every column: checked above

    def __iter__(self) -> Iterator[ResultLike]:
        if self._used:
            raise RuntimeError("a CheckStream can be iterated once")
        self._used = True
        counts = self.counts
        parties = self.prepared.parties
        checked_columns = False
        for result in self._results():
            if not checked_columns:
                check_party_columns(parties, self.stats.columns)
                checked_columns = True
            status = result.status
            counts[status] = counts.get(status, 0) + 1
            self.judged += 1
            yield result
        self._finish(seen_columns=True)

    def _finish(self, seen_columns: bool) -> None:
        """Every record read was judged (else an internal error); ``seen_columns``: check the
        party columns against those the lines had; then the summary."""
        if self.stats.records != self.judged:
            raise RuntimeError(
                f"read {self.stats.records} manifest records but judged {self.judged} lines"
            )
        if seen_columns and self.judged:
            check_party_columns(self.prepared.parties, None)
        counts = self.counts
        self._summary = summary_of_counts(counts, lines=self.judged, lines_read=self.stats.records)

    def models(self) -> Iterator[LineResult]:
        """The results as :class:`LineResult` models (what :func:`check` puts in its report)."""
        for result in self:
            yield result if isinstance(result, LineResult) else result.to_model()


def check_stream(
    manifest: PathLike,
    *,
    date: str | Date | None = None,
    rules: Sequence[PathLike] | None = None,
    catalog: PathLike | None = None,
    lists: Sequence[PathLike] | None = None,
    party_columns: Iterable[str] | None = None,
    screening: ScreeningConfig | None = None,
    licenses: PathLike | None = None,
    waivers: PathLike | None = None,
    cache: bool = True,
    ownership: PathLike | None = None,
    read_options: ReadOptions | None = None,
) -> CheckStream:
    """Like :func:`check`, but the lines are read, judged and handed out one at a time, in
    constant memory: iterate the returned :class:`CheckStream` for the results (light
    :class:`~exportcheck.model.fastline.LightResult` objects, or :class:`LineResult`; call
    ``.models()`` for models only), then read its ``summary``. The rules, lists, catalog,
    licences and waivers are loaded (and the manifest hashed) before this returns, so their
    errors come first. With the same arguments, the results equal ``check(...).lines``.
    """
    prepared = prepare(
        manifest,
        date,
        rules,
        catalog,
        lists,
        party_columns,
        screening,
        licenses,
        waivers,
        cache,
        ownership,
        read_options,
    )
    return CheckStream(prepared, cache)
