"""Party screening inside ``check``: the consignee, end user and any named party column of a
line, screened against restricted-party lists on the line's date. Pure: the index is built
from entries the readers loaded; results are cached per (name, country, date)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from exportcheck.engine.screening import ScreeningIndex
from exportcheck.model.manifest import ManifestLine
from exportcheck.model.parties import ScreeningMatch, ScreenResult
from exportcheck.model.report import Because, Finding

DEFAULT_PARTY_COLUMNS: tuple[str, ...] = ("consignee", "end_user")


def _name_of(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _match_test(m: ScreeningMatch) -> str:
    e = m.explanation
    parts = [
        f"matches '{m.matched_name}' of {m.list_code} entry {m.entry_id} (score {m.score:.1f})"
    ]
    if e.legal_forms_ignored:
        parts.append("legal forms ignored: " + ", ".join(e.legal_forms_ignored))
    if e.country_signal == "same":
        parts.append(f"same country {m.country} (+{e.country_bonus:g})")
    elif e.country_signal == "different":
        parts.append(f"listed country {m.country} differs (signal only)")
    return "; ".join(parts)


def party_finding(column: str, name: str, m: ScreeningMatch) -> Finding:
    policy = f" Licence policy: {m.license_policy.rstrip('.')}." if m.license_policy else ""
    return Finding(
        rule_id=f"party:{m.list_code}:{m.entry_id}",
        rule_version=None,
        status=m.status,
        kind="party",
        title=f"{m.list}: {m.name}",
        message=(
            f"{column} '{name}' matches {m.list} entry '{m.name}' as '{m.matched_name}' "
            f"(score {m.score:.1f}): {m.status.value}.{policy}"
        ),
        citation=m.citation,
        confidence=m.confidence.value,
        review_policy=m.license_policy,
        because=(Because(field=column, value=name, test=_match_test(m)),),
    )


@dataclass
class PartyScreening:
    """Screens the party columns of lines; each distinct (name, country, date) once."""

    index: ScreeningIndex
    columns: tuple[str, ...] = DEFAULT_PARTY_COLUMNS
    _cache: dict[tuple[str, str | None, date], ScreenResult] = field(default_factory=dict)
    seen_columns: set[str] = field(default_factory=set)

    def screen(self, name: str, country: str | None, on: date) -> ScreenResult:
        key = (name, country, on)
        result = self._cache.get(key)
        if result is None:
            result = self._cache[key] = self.index.screen(name, country=country, on=on)
        return result

    def findings(self, line: ManifestLine, on: date) -> list[Finding]:
        out: list[Finding] = []
        for column in self.columns:
            if column in line.fields:
                self.seen_columns.add(column)
            name = _name_of(line.fields.get(column))
            if name is None:
                continue
            result = self.screen(name, line.destination, on)
            out.extend(party_finding(column, name, m) for m in result.matches)
        return out
