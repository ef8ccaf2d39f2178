"""Lead matching on a handful of realistic profiles: retrieval, fusion, re-ranking, reasons."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from takethelead.domain.matching import (
    Profile,
    Relationship,
    build_match_index,
    fuse_reciprocal_rank,
    rank_by_cosine,
    search_bm25,
    suggest_providers,
    suggest_referrers,
)
from takethelead.domain.text import fold, stem, tokenize

ANA, BEN, CHLOE, DEV, EMMA, FARID = 1, 2, 3, 4, 5, 6
PROFILES = [
    Profile(ANA, "Bookkeeping and payroll for small businesses", "Restaurants and cafés in Leeds"),
    Profile(BEN, "Bookkeeping, payroll and VAT returns", "Independent shops and cafés"),
    Profile(CHLOE, "Commercial kitchen fit-outs and catering equipment", "New restaurant owners"),
    Profile(DEV, "Wedding photography and engagement shoots", "Couples planning a wedding"),
    Profile(EMMA, "Payroll software implementation", "Mid-size companies with HR teams"),
    Profile(FARID, "Employment law advice", "Hospitality employers and restaurant groups"),
]
LEAD = "A café owner in Leeds needs a bookkeeper who can run payroll"


def test_tokens_ignore_accents_case_and_stopwords() -> None:
    assert tokenize("The CAFÉ in Zürich") == tokenize("the cafe in zurich") == ["cafe", "zurich"]
    assert fold("Ørsted, Łódź, Straße") == "orsted, lodz, strasse"


@pytest.mark.parametrize(
    "forms",
    [
        ("bookkeeper", "bookkeeping", "bookkeepers"),
        ("accountant", "accounting", "accountancy"),
        ("consultant", "consulting", "consultancy", "consultation"),
        ("plans", "planning", "planner"),
        ("company", "companies"),
        ("tax", "taxes"),
    ],
)
def test_stemmer_sends_related_work_words_to_one_key(forms: tuple[str, ...]) -> None:
    assert len({stem(word) for word in forms}) == 1


def test_bm25_ranks_the_person_who_offers_the_needed_service_first() -> None:
    index = build_match_index(PROFILES)
    ranked = [person for person, _ in search_bm25(index, LEAD)]
    assert ranked[:2] == [ANA, BEN]
    assert DEV not in ranked


def test_a_close_tie_with_a_good_record_outranks_a_comparable_stranger() -> None:
    index = build_match_index(PROFILES)
    cold = suggest_providers(index, LEAD)
    assert cold[0].person_id == ANA
    warm = suggest_providers(index, LEAD, {BEN: Relationship(0.72, 0.72, 2, 2)})
    assert warm[0].person_id == BEN


def test_suggestion_reasons_name_the_offer_the_matched_words_the_tie_and_the_record() -> None:
    index = build_match_index(PROFILES)
    relationships = {
        ANA: Relationship(strength=0.72, path_trust=0.72, referrals=2, referrals_won=2)
    }
    best = suggest_providers(index, LEAD, relationships)[0]
    assert best.person_id == ANA
    assert best.matched == ("cafe", "leeds", "bookkeeper", "payroll")
    assert best.explanation == (
        "offers bookkeeping and payroll for small businesses "
        "(matched: cafe, leeds, bookkeeper, payroll); close tie (0.72); "
        "referred 2 leads before, both won"
    )


@pytest.mark.parametrize(
    ("referrals", "won", "words"),
    [
        (1, 1, "referred 1 lead before, won"),
        (1, 0, "referred 1 lead before, not won"),
        (3, 3, "referred 3 leads before, all 3 won"),
        (2, 0, "referred 2 leads before, none won"),
        (3, 1, "referred 3 leads before, 1 won"),
    ],
)
def test_referral_history_is_told_in_words(referrals: int, won: int, words: str) -> None:
    index = build_match_index(PROFILES)
    tie = Relationship(referrals=referrals, referrals_won=won)
    best = suggest_providers(index, "wedding photography", {DEV: tie})[0]
    assert best.reasons[-1] == words


def test_a_person_reached_only_through_an_introduction_says_so() -> None:
    index = build_match_index(PROFILES)
    best = suggest_providers(index, "wedding photos", {DEV: Relationship(path_trust=0.4)})[0]
    assert best.reasons[1] == "reachable through an introduction (trust 0.40)"


def test_a_strong_tie_without_matching_words_is_not_suggested() -> None:
    index = build_match_index(PROFILES)
    found = suggest_providers(index, LEAD, {DEV: Relationship(strength=1.0)})
    assert DEV not in {s.person_id for s in found}


def test_referrers_are_people_who_serve_the_same_audience() -> None:
    index = build_match_index(PROFILES)
    mine = "Restaurant owners and cafés who need bookkeeping"
    found = suggest_referrers(index, mine, {FARID: Relationship(strength=0.5)}, exclude=[ANA])
    ids = [s.person_id for s in found]
    assert ANA not in ids
    assert ids[0] == FARID
    assert CHLOE in ids[:3]
    assert found[0].reasons[0].startswith("works with hospitality employers and restaurant groups")


def test_an_empty_or_unknown_query_suggests_nobody() -> None:
    index = build_match_index(PROFILES)
    assert suggest_providers(index, "") == []
    assert suggest_providers(index, "the and of") == []
    assert search_bm25(index, "xylophone") == []
    assert suggest_providers(build_match_index([]), LEAD) == []


def test_duplicate_people_are_rejected() -> None:
    with pytest.raises(ValueError, match="unique"):
        build_match_index([Profile(1, "a"), Profile(1, "b")])


def test_reciprocal_rank_fusion_adds_one_over_sixty_plus_rank() -> None:
    fused = dict(fuse_reciprocal_rank([[7, 8, 9], [8, 9]]))
    assert fused[8] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[7] == pytest.approx(1 / 61)
    assert [item for item, _ in fuse_reciprocal_rank([[7, 8, 9], [8, 9]])] == [8, 9, 7]


def test_cosine_ranking_looks_at_direction_not_length() -> None:
    vectors = np.array([[10.0, 0.0], [1.0, 1.0], [0.0, 0.1]])
    rows, cosine = rank_by_cosine(np.array([0.0, 2.0]), vectors, 2)
    assert rows.tolist() == [2, 1]
    assert cosine.tolist() == pytest.approx([1.0, 2**-0.5])


def test_unit_rows_rank_the_same_without_being_normalised_again() -> None:
    pick = np.random.default_rng(3)
    vectors = pick.normal(size=(200, 16))
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    query = pick.normal(size=16)
    rows, cosine = rank_by_cosine(query, vectors, 10)
    fast_rows, fast_cosine = rank_by_cosine(query, unit.astype(np.float32), 10, unit=True)
    assert fast_rows.tolist() == rows.tolist()
    assert fast_cosine == pytest.approx(cosine, abs=1e-6)


CONCEPTS = {"photo": 0, "wedding": 0, "couple": 0, "payroll": 1, "wage": 1, "salary": 1}


def concept_embedder(texts: Sequence[str]) -> NDArray[np.float64]:
    """A tiny stand-in model: counts words by concept, so synonyms land close."""
    rows = np.zeros((len(texts), 3))
    for i, text in enumerate(texts):
        for word in tokenize(text):
            rows[i, next((c for w, c in CONCEPTS.items() if word.startswith(w)), 2)] += 1
    return rows


def test_an_embedding_scorer_finds_people_who_share_no_words_with_the_lead() -> None:
    plain = build_match_index(PROFILES)
    semantic = build_match_index(PROFILES, embedder=concept_embedder)
    assert suggest_providers(plain, "salary and wages") == []
    found = suggest_providers(semantic, "salary and wages", limit=3)
    assert {s.person_id for s in found[:3]} == {ANA, BEN, EMMA}
    assert found[0].reasons[0].endswith("(similar in meaning)")


@given(st.text(max_size=40), st.lists(st.integers(0, 5), max_size=3))
def test_search_returns_positive_scores_best_first_and_never_excluded_people(
    query: str, excluded: list[int]
) -> None:
    index = build_match_index(PROFILES)
    scores = [score for _, score in search_bm25(index, query)]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    found = suggest_providers(index, query, exclude=[PROFILES[i].person_id for i in excluded])
    assert not {s.person_id for s in found} & {PROFILES[i].person_id for i in excluded}
    assert tokenize(fold(query)) == tokenize(query)
