"""Matching behaviour on small hand-made lists, and the labelled corpus."""

from __future__ import annotations

from datetime import date

import pytest
from _screening_data import CORPUS_DATE, read_corpus

from exportcheck.engine.screening import ScreeningConfig, ScreeningIndex, screen_parties
from exportcheck.model.parties import ListEntry, PartyType
from exportcheck.model.status import Status

DAY = date(2025, 1, 1)


def entry(name: str, code: str = "EL", eid: str | None = None, **kw: object) -> ListEntry:
    source = {
        "EL": "Entity List (EL) - Bureau of Industry and Security",
        "SDN": "Specially Designated Nationals (SDN) - Treasury Department",
        "DPL": "Denied Persons List (DPL) - Bureau of Industry and Security",
        "UVL": "Unverified List (UVL) - Bureau of Industry and Security",
        "MEU": "Military End User (MEU) List - Bureau of Industry and Security",
        "SSI": "Sectoral Sanctions Identifications List (SSI) - Treasury Department",
    }[code]
    return ListEntry.model_validate(
        {"source": source, "list_code": code, "entry_id": eid or name, "name": name, **kw}
    )


FILLER = [
    entry(n, eid=f"f{i}")
    for i, n in enumerate(
        [
            "Beijing Advanced Technology Co., Ltd.",
            "Shanghai International Trading Co.",
            "Shenzhen Electronics Industry Co., Ltd.",
            "China Technology Development Group",
            "Global Trading International Ltd",
            "Tianjin Information Industry Co.",
            "Moscow Engineering Industry JSC",
        ]
    )
]


@pytest.fixture()
def index() -> ScreeningIndex:
    entries = [
        *FILLER,
        entry("Huawei Technologies Co., Ltd.", aliases=["Huawei"], country="CN"),
        entry("Shanghai Biren Intelligent Technology Co., Ltd.", country="CN"),
        entry("Müller Maschinenbau GmbH", country="DE", eid="mueller"),
        entry("KHUSYAYNOVA, Elena Alekseevna", "SDN", type=PartyType.INDIVIDUAL),
        entry("Acme Widgets", "DPL", start_date="2020-01-01", end_date="2024-01-01"),
        entry("Atlas Sanatgaran", "UVL"),
        entry("ABC", "SSI"),
        entry("Zeta Components", "EL", status=Status.PROHIBITED),
    ]
    return ScreeningIndex.build(entries)


def top(index: ScreeningIndex, name: str, **kw: object) -> tuple[str, float, Status] | None:
    r = index.screen(name, on=kw.pop("on", DAY), **kw)  # type: ignore[arg-type]
    if not r.matches:
        return None
    m = r.matches[0]
    return m.entry_id, m.score, m.status


def test_exact_and_legal_forms(index: ScreeningIndex) -> None:
    for q in [
        "Huawei Technologies Co., Ltd.",
        "HUAWEI TECHNOLOGIES COMPANY LIMITED",
        "Huawei Technologies Corp",
        "Huawei Technologies",
    ]:
        hit = top(index, q)
        assert hit is not None and hit[0] == "Huawei Technologies Co., Ltd.", q
        assert hit[1] == 100.0 and hit[2] is Status.LICENSE_REQUIRED, q


def test_word_order_does_not_matter(index: ScreeningIndex) -> None:
    a = index.screen("Elena Alekseevna Khusyaynova", on=DAY)
    b = index.screen("KHUSYAYNOVA, Elena Alekseevna", on=DAY)
    assert a.matches[0].score == b.matches[0].score == 100.0
    assert a.status is Status.PROHIBITED


def test_german_umlaut_spellings_match_exactly(index: ScreeningIndex) -> None:
    for q in ["Mueller Maschinenbau", "Muller Maschinenbau GmbH", "MÜLLER MASCHINENBAU"]:
        hit = top(index, q)
        assert hit is not None and hit[0] == "mueller" and hit[1] == 100.0, q


def test_generic_words_alone_never_flag(index: ScreeningIndex) -> None:
    for q in [
        "Shanghai Intelligent Technology Co., Ltd.",
        "Beijing Technology Co",
        "International Trading Company",
        "Technologies Co. Ltd.",
    ]:
        r = index.screen(q, on=DAY)
        assert all(
            m.entry_id
            not in (
                "Huawei Technologies Co., Ltd.",
                "Shanghai Biren Intelligent Technology Co., Ltd.",
            )
            for m in r.matches
        ), (q, r.matches)


def test_short_names_need_exact_tokens(index: ScreeningIndex) -> None:
    assert top(index, "ABC") is not None
    assert top(index, "ABD") is None
    assert top(index, "AB") is None


def test_fuzzy_below_hit_is_review(index: ScreeningIndex) -> None:
    r = index.screen("Huawai Technologie", on=DAY)
    assert r.matches and r.matches[0].entry_id == "Huawei Technologies Co., Ltd."
    assert 80 <= r.matches[0].score < 100
    cfg = ScreeningConfig(hit_threshold=99.5, review_threshold=70)
    r2 = index.with_config(cfg).screen("Huawai Technologie", on=DAY)
    assert r2.status is Status.REVIEW


def test_status_by_list_and_entry_override(index: ScreeningIndex) -> None:
    assert index.screen("Atlas Sanatgaran", on=DAY).status is Status.REVIEW  # UVL
    assert index.screen("Zeta Components", on=DAY).status is Status.PROHIBITED  # own status
    assert index.screen("Acme Widgets", on=date(2021, 1, 1)).status is Status.PROHIBITED  # DPL
    assert index.screen("Unrelated Bakery", on=DAY).status is Status.ALLOWED


def test_country_is_a_signal_not_a_filter(index: ScreeningIndex) -> None:
    same = index.screen("Huawai Technologie", country="CN", on=DAY).matches[0]
    other = index.screen("Huawai Technologie", country="US", on=DAY).matches[0]
    none = index.screen("Huawai Technologie", on=DAY).matches[0]
    assert same.explanation.country_signal == "same"
    assert other.explanation.country_signal == "different"
    assert same.score > other.score == none.score  # different country never hides the match


def test_explanation(index: ScreeningIndex) -> None:
    m = index.screen("Huawei Technologies Limited", on=DAY).matches[0]
    assert ("huawei", "huawei") in m.explanation.matched_tokens
    assert "limited" in m.explanation.legal_forms_ignored


def test_matches_sorted_and_deterministic(index: ScreeningIndex) -> None:
    r1 = index.screen("Huawei Biren Technologies", on=DAY)
    r2 = ScreeningIndex.build(index.entries).screen("Huawei Biren Technologies", on=DAY)
    assert r1 == r2
    scores = [m.score for m in r1.matches]
    assert scores == sorted(scores, reverse=True)


def test_screen_parties_dedupes(index: ScreeningIndex) -> None:
    out = screen_parties(
        index, [("Huawei", "CN"), ("Huawei", "CN"), ("", None), ("Atlas Sanatgaran", None)], on=DAY
    )
    assert set(out) == {("Huawei", "CN"), ("Atlas Sanatgaran", None)}
    assert out[("Huawei", "CN")].status is Status.LICENSE_REQUIRED


def test_config_rejects_review_above_hit() -> None:
    with pytest.raises(ValueError):
        ScreeningConfig(hit_threshold=80, review_threshold=90)


def test_corpus_recall_and_false_flags(full_index: ScreeningIndex) -> None:
    pairs = read_corpus()
    assert len(pairs) >= 150
    keys: dict[tuple[str, str], set[str]] = {}
    for e in full_index.entries:
        keys.setdefault((e.list_code, e.name), set()).add(e.entry_id)
    tp = fn = fp = tn = 0
    misses: list[str] = []
    for p in pairs:
        ids = keys.get((p.list_code, p.listed_name))
        assert ids, f"corpus line {p.line}: no {p.list_code} entry named {p.listed_name!r}"
        r = full_index.screen(p.query, on=CORPUS_DATE)
        found = any(m.list_code == p.list_code and m.entry_id in ids for m in r.matches)
        if p.expected:
            tp += found
            fn += not found
        else:
            fp += found
            tn += not found
        if found != p.expected:
            misses.append(f"line {p.line}: {p.query!r} vs {p.listed_name!r} ({p.note})")
    recall = tp / (tp + fn)
    false_flag_rate = fp / (fp + tn)
    assert recall >= 0.97, f"recall {recall:.3f}; misses: {misses}"
    assert false_flag_rate <= 0.03, f"false-flag rate {false_flag_rate:.3f}; misses: {misses}"


def test_a_company_is_not_a_vessel() -> None:
    """A name with a company's legal form never matches a vessel or an aircraft; without
    one, or with a vessel prefix, it does."""
    index = ScreeningIndex.build(
        [
            *FILLER,
            entry("HORIZON", "SDN", eid="v1", type=PartyType.VESSEL),
            entry("HORIZON TRADING", "SDN", eid="c1", type=PartyType.ENTITY),
        ]
    )
    for q in ["Horizon Shipping Ltd", "Horizon Solutions GmbH"]:
        assert "v1" not in {m.entry_id for m in index.screen(q, on=DAY).matches}, q
    assert "c1" in {m.entry_id for m in index.screen("Horizon Trading LLC", on=DAY).matches}
    for q in ["Horizon", "MV Horizon", "M/V HORIZON"]:
        assert index.screen(q, on=DAY).matches[0].entry_id == "v1", q
    # Nor does a name with a word naming a line of business, without a legal form.
    for q in ["Horizon Logistics", "Horizon Electronics", "Horizon Consulting"]:
        assert "v1" not in {m.entry_id for m in index.screen(q, on=DAY).matches}, q


def test_a_one_word_listed_name_inside_a_longer_name() -> None:
    """A one-word listed name inside a longer query is review at most, and not when the query
    holds its plural or singular (another word: "Maples" is a name), nor when it is an
    individual's (a nickname) and the query a company's."""
    index = ScreeningIndex.build(
        [
            *FILLER,
            entry("ROSNEFT", "SDN", eid="rosneft"),
            entry("MAPLES SA", "SDN", eid="maples"),
            entry(
                "GARCIA ARBOLEDA, Edward",
                "SDN",
                eid="person",
                aliases=["ORION"],
                type=PartyType.INDIVIDUAL,
            ),
            entry("STARS COMMUNICATIONS LTD", "SDN", eid="stars"),
        ]
    )

    def found(q: str) -> dict[str, float]:
        return {m.entry_id: m.score for m in index.screen(q, on=DAY).matches}

    review, hit = index.config.review_threshold, index.config.hit_threshold
    assert review <= found("Rosneft Trading GmbH")["rosneft"] < hit
    assert review <= found("Maples Trading GmbH")["maples"] < hit
    for q in ["Maple Trading GmbH", "Maple Systems"]:
        assert found(q) == {}, q
    assert review <= found("Rosneftt Trading")["rosneft"] < hit  # a misspelling, not a plural
    assert found("Maples")["maples"] >= review  # the whole listed name, as written
    assert found("Orion")["person"] >= review  # may be the person
    for q in ["Orion Supply Ltd", "Orion Logistics", "Orion GmbH"]:
        assert "person" not in found(q), q
    assert found("Star Communications Ltd")["stars"] >= review  # all words, one plural


def test_initials_stand_for_words_also_written_together() -> None:
    """An initial stands for a word starting with it; so do the letters of joined initials
    in a person's name ("JC", "J.-C."), but not a Roman numeral nor a company's letters."""
    from exportcheck.engine.screening import name_variants

    index = ScreeningIndex.build(
        [
            *FILLER,
            entry("JUNCKER, Jean Claude", "SDN", eid="jcj", type=PartyType.INDIVIDUAL),
            entry("Citigroup Capital Trust XX", "SDN", eid="trust"),
        ]
    )

    def score(q: str, eid: str) -> float:
        return index.name_score(q, [e.entry_id for e in index.entries].index(eid))

    assert score("JC Juncker", "jcj") == score("J. C. Juncker", "jcj") > score("Juncker", "jcj")
    assert score("J.-C. Juncker", "jcj") == score("J C Juncker", "jcj")
    assert score("JK Juncker", "jcj") < score("JC Juncker", "jcj")
    cfg = index.config
    assert cfg.review_threshold <= score("J. C. Juncker", "jcj") < cfg.hit_threshold  # review
    assert score("Jean Claude Juncker", "jcj") == 100.0
    assert [f.tokens for f in name_variants("Citigroup Capital Trust XV")] == [
        ("citigroup", "capital", "trust", "xv")
    ]
    assert [f.tokens for f in name_variants("NK Trading Ltd")] == [("nk", "trading")]
    for name in ["AL ZAWAHIRI, Dr. Ayman", "PFLP-GC", "Smith Jr", "DEV SOL SDB"]:
        # a title, acronyms, a suffix: no form with a letter apart
        assert all(len(t) > 1 for f in name_variants(name) for t in f.tokens), name


def test_an_initial_never_stands_for_a_surname() -> None:
    """An initial counts as matched in full, the word it stands for in part; but it stands
    for a given name only, not for the surname of a person's name."""
    index = ScreeningIndex.build(
        [*FILLER, entry("BREDENKAMP, John A.", "SDN", eid="jb", type=PartyType.INDIVIDUAL)]
    )
    found = {m.entry_id: m.score for m in index.screen("John Adams Bredenkamp", on=DAY).matches}
    assert index.config.review_threshold <= found["jb"] < index.config.hit_threshold
    found = {m.entry_id: m.score for m in index.screen("John A. Bredenkamp", on=DAY).matches}
    assert found["jb"] == 100.0  # the same initial
    for q in ["John B. Adams", "John Adams B.", "J. Adams"]:
        assert "jb" not in {m.entry_id for m in index.screen(q, on=DAY).matches}, q


def test_a_query_without_its_parenthesised_qualifier() -> None:
    """A query's parenthesised part ("(Schweiz)", a branch, a flag) may be left out to match
    a listed name written without one, all of whose words the rest matches; not to match a
    listed name with a qualifier of its own, nor one with words the query lacks."""
    index = ScreeningIndex.build(
        [
            *FILLER,
            entry("Deutsche Bank AG", "SDN", eid="db"),
            entry("Bank of Chima (Singapore) Limited", "SDN", eid="sg"),
            entry("Bowne Global Solutions II Canada, Inc.", "SDN", eid="ca"),
        ]
    )

    def found(q: str) -> set[str]:
        return {m.entry_id for m in index.screen(q, on=DAY).matches}

    def score(q: str, eid: str) -> float:
        return index.name_score(q, [e.entry_id for e in index.entries].index(eid))

    review = index.config.review_threshold
    assert "db" in found("Deutsche Bank (Schweiz) AG")  # review at most: a subsidiary?
    assert review <= score("Deutsche Bank (Schweiz) AG", "db") < index.config.hit_threshold
    assert score("Deutsche Bank AG", "db") == 100.0
    assert "sg" not in found("Bank of Chima (Labuan) Limited")
    assert score("Bank of Chima (Labuan) Limited", "sg") < review
    assert "ca" not in found("Bowne Global Solutions II (U.K.) Limited")
    assert score("Bowne Global Solutions II (U.K.) Limited", "ca") < review
    # the cache tells a query with a qualifier from the same words without one
    assert found("Deutsche Bank Schweiz AG") == set()


def test_names_of_the_same_words_are_cached_apart_by_their_legal_forms() -> None:
    """The cache of screened names tells "Horizon Pacific" from "Horizon Pacific Ltd":
    whichever is screened first, only the one without a legal form may name a vessel, and
    each explanation lists its own legal forms."""
    vessel = entry("HORIZON", "SDN", eid="v1", type=PartyType.VESSEL)
    for order in (
        ["Horizon Pacific Ltd", "Horizon Pacific"],
        ["Horizon Pacific", "Horizon Pacific Ltd"],
    ):
        index = ScreeningIndex.build([*FILLER, vessel])
        found = {q: index.screen(q, on=DAY).matches for q in order}
        assert [m.entry_id for m in found["Horizon Pacific"]] == ["v1"], order
        assert found["Horizon Pacific Ltd"] == (), order
        assert found["Horizon Pacific"][0].explanation.legal_forms_ignored == (), order
    # Names of the same words and other legal forms share a screening, not an explanation.
    index = ScreeningIndex.build([*FILLER, entry("Acme Widgets", "DPL", eid="a")])
    for q, legal in [("Acme Widgets Ltd", ("ltd",)), ("Acme Widgets GmbH", ("gmbh",))]:
        assert index.screen(q, on=DAY).matches[0].explanation.legal_forms_ignored == legal


def test_a_person_without_middle_names() -> None:
    """A person's name lacking its middle names or patronymic matches with less evidence
    than two words anywhere in a name need, when its first and last words are the listed
    name's first and last (a listed "SURNAME, Given Middle" read "Given Middle SURNAME")."""
    # "sergey" and "lavrov" common enough to be weak evidence together (weights 0.6, 0.7)
    common = [
        *(entry(f"Sergey {s}kov", "SDN", eid=f"s{s}") for s in "ABCDEFGH"),
        *(entry(f"{g}slav Lavrov", "SDN", eid=f"l{g}") for g in "ABCD"),
        *(entry(f"Other{i} Person{i}", "SDN", eid=f"o{i}") for i in range(120)),
    ]
    index = ScreeningIndex.build(
        [
            *FILLER,
            *common,
            entry("LAVROV, Sergey Viktor", "SDN", eid="person", type=PartyType.INDIVIDUAL),
            entry("LAVROV, Sergey Viktor", "SDN", eid="entity", type=PartyType.ENTITY),
        ]
    )
    found = {m.entry_id: m.score for m in index.screen("Sergey Lavrov", on=DAY).matches}
    assert found.get("person", 0) >= index.config.review_threshold
    assert "entity" not in found  # not known to be a person's name: more evidence needed
    for q in ["Lavrov Sergey", "Sergey Lavrov Trading Ltd"]:
        # the given name not first; a company's name
        assert "person" not in {m.entry_id for m in index.screen(q, on=DAY).matches}, q
    # A query may name more than the listed name after all of it, not before it.
    index = ScreeningIndex.build(
        [*FILLER, *common, entry("LAVROV, Sergey", "SDN", eid="short", type=PartyType.INDIVIDUAL)]
    )
    found = {m.entry_id: m.score for m in index.screen("Sergey Lavrov Ivanovsky", on=DAY).matches}
    assert found.get("short", 0) >= index.config.review_threshold
    assert not index.screen("Ivanovsky Sergey Lavrov", on=DAY).matches


def test_a_patronymic_on_one_side_only_is_left_out() -> None:
    """A person's name written without its patronymic (as outside Russia, Ukraine and
    Belarus) matches the listed name with it, in any order, as if it were not there; two
    patronymics tell persons apart; a surname ending as a patronymic does is kept."""
    common = [  # "sergey" and "lavrov" weak evidence together (see the test above)
        *(entry(f"Sergey {s}kov", "SDN", eid=f"s{s}") for s in "ABCDEFGH"),
        *(entry(f"{g}slav Lavrov", "SDN", eid=f"l{g}") for g in "ABCD"),
        *(entry(f"Other{i} Person{i}", "SDN", eid=f"o{i}") for i in range(120)),
    ]
    listed = [
        entry("LAVROV, Sergey Viktorovich", "SDN", eid="lavrov", type=PartyType.INDIVIDUAL),
        entry("ABRAMOVICH, Roman Arkadyevich", "SDN", eid="ra", type=PartyType.INDIVIDUAL),
    ]
    index = ScreeningIndex.build([*FILLER, *common, *listed])

    def score(q: str, eid: str) -> float:
        return index.name_score(q, [e.entry_id for e in index.entries].index(eid))

    review = index.config.review_threshold
    for q in ["Sergey Lavrov", "Lavrov Sergey", "LAVROV, Sergey", "Sergejs Lavrovs"]:
        assert score(q, "lavrov") >= review, q
    assert score("Sergey Lavrov", "lavrov") == score("Sergey Viktorovich Lavrov", "lavrov")
    for q in ["Sergey Ivanovich Lavrov", "LAVROV, Sergey Ivanovna"]:
        assert score(q, "lavrov") < review, q  # another father's name
    assert score("Roman Abramovich", "ra") >= review
    assert score("Roman Rabinovich", "ra") < review  # the surname is not left out
    # what screen reports is what the scorer accepts
    found = {m.entry_id: m.score for m in index.screen("Sergejs Lavrovs", on=DAY).matches}
    assert found["lavrov"] == round(score("Sergejs Lavrovs", "lavrov"), 1)


def test_abjad_names_compared_on_consonant_skeletons() -> None:
    """A name written in Arabic or Hebrew script, whose transliteration lacks vowels, matches
    the Latin spelling of the same consonants (review, not a hit); two Latin spellings never
    match on consonants alone."""
    index = ScreeningIndex.build(
        [
            *FILLER,
            entry("Fernando Perez", "SDN", eid="fp", type=PartyType.INDIVIDUAL),
            entry("Shaltiel Hovalot Ltd", "EL", eid="sh"),
            entry("כנרת דון", "SDN", eid="kd", type=PartyType.VESSEL),
        ]
    )
    cfg = index.config

    def score(query: str, eid: str) -> float:
        return max(
            (m.score for m in index.screen(query, on=DAY).matches if m.entry_id == eid),
            default=0.0,
        )

    assert cfg.review_threshold <= score("فرناندو بيريز", "fp") < cfg.hit_threshold
    assert cfg.review_threshold <= score('שאלתיאל הובלות בע"מ', "sh") < cfg.hit_threshold
    assert cfg.review_threshold <= score("KINNERET DAWN", "kd") < cfg.hit_threshold  # listed
    assert score("Frnndw Byryz", "fp") == 0.0  # Latin letters: spelling only
    assert score("Fernando Perez", "fp") == 100.0


def test_known_names_are_less_often_misspellings_of_each_other() -> None:
    """A short spelling variant counts less when both words are names two entries use."""
    from exportcheck.engine.screening import KNOWN_WORD_FACTOR, token_sim

    names = ["Wang Li", "Wang Chen", "Kang Li", "Kang Chen", "Wung Bo"]
    index = ScreeningIndex.build([entry(n, "SDN", eid=n) for n in names])
    assert index._pair_sim("wang", "kang") == KNOWN_WORD_FACTOR * token_sim("wang", "kang")
    assert index._pair_sim("wang", "wung") == token_sim("wang", "wung")  # one entry's word
    assert index._pair_sim("xang", "kang") == token_sim("xang", "kang") > 0  # unknown word
    # a plural is not another name: "Stars" / "Star" keeps its similarity
    index = ScreeningIndex.build(
        [entry(n, "SDN", eid=n) for n in ["Star A", "Stars B", "Star C", "Stars D"]]
    )
    assert index._pair_sim("star", "stars") == token_sim("star", "stars")


def test_particles_are_no_evidence_that_names_are_one() -> None:
    """'al' and 'bin' are shared by many names: a query matching a listed person's name in
    them and one name is not that name less its other words."""
    fillers = [entry(f"Other{i} al Person{i} bin Kin{i}", "SDN", eid=f"o{i}") for i in range(5)]
    listed = entry("Tariq al Dosari bin Harbi", "SDN", eid="p", type=PartyType.INDIVIDUAL)
    index = ScreeningIndex.build([*FILLER, *fillers, listed])
    assert "p" not in {m.entry_id for m in index.screen("Tariq al bin", on=DAY).matches}
    assert "p" in {m.entry_id for m in index.screen("Tariq al Harbi", on=DAY).matches}


def test_a_particle_left_over_counts_nothing_when_the_names_match() -> None:
    """When the evidence is strong and the other words left over count half, a particle left
    over ("de", "bin") counts nothing: it only joins the names it stands before."""
    others = [entry(f"Other{i} Person{i}", "SDN", eid=f"o{i}") for i in range(200)]
    index = ScreeningIndex.build(  # among 200 others the names matched are rare: strong
        [
            *FILLER,
            *others,
            entry("Alexandre Boris de Pfeffel Johnson", "SDN", eid="de", type=PartyType.INDIVIDUAL),
            entry("Alexandre Boris Pfeffel Johnson", "SDN", eid="bare", type=PartyType.INDIVIDUAL),
            entry("Usama bin Muhammad bin Awad bin Ladin", "SDN", eid="ubl"),
            entry("Usama Muhammad Awad bin Ladin", "SDN", eid="ubl2"),
        ]
    )

    def score(q: str, eid: str) -> float:
        return index.name_score(q, [e.entry_id for e in index.entries].index(eid))

    assert score("Boris Johnson", "de") == pytest.approx(score("Boris Johnson", "bare"))
    assert score("Osama bin Ladin", "ubl") == pytest.approx(score("Osama bin Ladin", "ubl2"))
    assert score("Osama bin Ladin", "ubl") >= index.config.review_threshold
    # a particle matched still counts, and one the query lacks without strong evidence too
    assert score("Boris de Johnson", "de") > score("Boris Johnson", "de")
