"""Lead matching: who could serve a lead, and who is best placed to refer leads to me.

Retrieval is BM25 (bm25s, built once) over each person's offer and lead profile, plus an
optional embedding scorer (any callable from texts to vectors; we rank by cosine), fused by
reciprocal rank with k = 60. The fused pool is then re-ranked:

    score = w_relevance·relevance + w_strength·strength + w_trust·path_trust + w_referral·referral

- relevance: the fused score over the best possible one (first for every ranker), in (0, 1];
  with k = 60 it falls gently (rank 10 ≈ 0.87), so the relationship terms reorder candidates
  that fit comparably, while a person must fit the text to be in the pool at all;
- strength: tie strength with the user, in [0, 1]; path_trust: best introduction path trust;
- referral: (won + 1) / (referrals + 2), the Beta(1, 1) posterior mean of past referral
  success, 0.5 with no history, so one lucky referral does not outrank a steady record.

Providers weigh text fit most (0.6 / 0.2 / 0.1 / 0.1). Referrers (people whose offer or
audience resembles my lead profile) must also know me, so strength weighs more
(0.45 / 0.35 / 0.1 / 0.1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import bm25s
import numpy as np
from numpy.typing import NDArray

from takethelead.domain.text import tokenize, words

RRF_K = 60
Embedder = Callable[[Sequence[str]], NDArray[Any]]


@dataclass(frozen=True, slots=True)
class Profile:
    """What a person offers and which leads they want, as they wrote it."""

    person_id: int
    offer: str = ""
    lead_profile: str = ""

    @property
    def text(self) -> str:
        """Offer and lead profile together, as indexed."""
        return f"{self.offer}\n{self.lead_profile}"


@dataclass(frozen=True, slots=True)
class Relationship:
    """What the user knows about a person beyond their words."""

    strength: float = 0.0
    path_trust: float = 0.0
    referrals: int = 0
    referrals_won: int = 0


@dataclass(frozen=True, slots=True)
class RankWeights:
    """Weights of the re-ranking terms (see the module docstring)."""

    relevance: float
    strength: float
    path_trust: float
    referral: float


PROVIDER_WEIGHTS = RankWeights(relevance=0.6, strength=0.2, path_trust=0.1, referral=0.1)
REFERRER_WEIGHTS = RankWeights(relevance=0.45, strength=0.35, path_trust=0.1, referral=0.1)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A person to pass a lead to (or to ask for leads), with the reasons in words."""

    person_id: int
    score: float
    relevance: float
    matched: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def explanation(self) -> str:
        """The reasons as one sentence."""
        return "; ".join(self.reasons)


@dataclass(frozen=True, slots=True, eq=False)
class MatchIndex:
    """People's profiles with their BM25 index and, optionally, unit embedding rows."""

    profiles: tuple[Profile, ...]
    bm25: Any
    embedder: Embedder | None = None
    vectors: NDArray[np.float32] | None = None


def build_match_index(
    profiles: Iterable[Profile], *, embedder: Embedder | None = None
) -> MatchIndex:
    """Tokenise and index every profile once (and embed them when an embedder is given)."""
    chosen = tuple(profiles)
    if len({p.person_id for p in chosen}) != len(chosen):
        raise ValueError("person ids must be unique")
    retriever = bm25s.BM25()
    if chosen:
        retriever.index([tokenize(p.text) for p in chosen], show_progress=False)
    vectors = None
    if embedder is not None and chosen:
        vectors = _unit_rows(embedder([p.text for p in chosen]))
    return MatchIndex(chosen, retriever, embedder, vectors)


def search_bm25(index: MatchIndex, text: str, limit: int = 100) -> list[tuple[int, float]]:
    """Person ids whose profiles share words with the text, best BM25 score first."""
    rows, scores = _bm25_rows(index, text, limit)
    return [(index.profiles[r].person_id, s) for r, s in zip(rows, scores.tolist(), strict=True)]


def rank_by_cosine(
    query: NDArray[Any], vectors: NDArray[Any], limit: int, *, unit: bool = False
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Row positions of the vectors most similar to the query, with their cosines, best first.

    `unit` says the rows are unit length already (a MatchIndex's are), which saves
    normalising every row on every query.
    """
    if limit < 1 or not len(vectors):
        return np.empty(0, np.int64), np.empty(0, np.float64)
    rows_unit = vectors if unit else _unit_rows(vectors)
    cosine = (rows_unit @ _unit_rows(query.reshape(1, -1))[0]).astype(np.float64)
    rows = _top(cosine, limit)
    return rows, cosine[rows]


def fuse_reciprocal_rank(
    rankings: Sequence[Sequence[int]], k: int = RRF_K
) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over rankings; best first, ties by id."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))


def suggest_providers(
    index: MatchIndex,
    lead_text: str,
    relationships: Mapping[int, Relationship] | None = None,
    *,
    limit: int = 10,
    pool: int = 50,
    weights: RankWeights = PROVIDER_WEIGHTS,
    exclude: Iterable[int] = (),
) -> list[Suggestion]:
    """People best placed to serve a lead: text fit, then tie strength, trust and track record."""
    return _suggest(index, lead_text, relationships or {}, limit, pool, weights, exclude, "offers")


def suggest_referrers(
    index: MatchIndex,
    my_lead_profile: str,
    relationships: Mapping[int, Relationship] | None = None,
    *,
    limit: int = 10,
    pool: int = 50,
    weights: RankWeights = REFERRER_WEIGHTS,
    exclude: Iterable[int] = (),
) -> list[Suggestion]:
    """People best placed to refer leads like mine: they serve the same audience and know me."""
    return _suggest(
        index, my_lead_profile, relationships or {}, limit, pool, weights, exclude, "works with"
    )


def _suggest(
    index: MatchIndex,
    text: str,
    relationships: Mapping[int, Relationship],
    limit: int,
    pool: int,
    weights: RankWeights,
    exclude: Iterable[int],
    verb: str,
) -> list[Suggestion]:
    skip = set(exclude)
    rankings = [_bm25_rows(index, text, pool + len(skip))[0].tolist()]
    if index.embedder is not None and index.vectors is not None:
        query = np.asarray(index.embedder([text]))[0]
        nearest, _ = rank_by_cosine(query, index.vectors, pool + len(skip), unit=True)
        rankings.append(nearest.tolist())
    best_possible = len(rankings) / (RRF_K + 1)
    query_words = words(text)
    scored = []
    for row, fused in fuse_reciprocal_rank(rankings):
        profile = index.profiles[row]
        if profile.person_id in skip:
            continue
        tie = relationships.get(profile.person_id, Relationship())
        relevance = fused / best_possible
        referral = (tie.referrals_won + 1) / (tie.referrals + 2)
        score = (
            weights.relevance * relevance
            + weights.strength * tie.strength
            + weights.path_trust * tie.path_trust
            + weights.referral * referral
        )
        scored.append((score, relevance, profile, tie))
        if len(scored) == pool:
            break
    scored.sort(key=lambda row: (-row[0], row[2].person_id))
    suggestions = []
    for score, relevance, profile, tie in scored[:limit]:
        matched = _matched(query_words, profile)
        reasons = (
            _fit_reason(verb, profile, matched),
            *_tie_reasons(tie, profile.person_id in relationships),
        )
        suggestions.append(Suggestion(profile.person_id, score, relevance, matched, reasons))
    return suggestions


def _bm25_rows(
    index: MatchIndex, text: str, limit: int
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    ids = index.bm25.get_tokens_ids(tokenize(text)) if index.profiles else []
    if not ids or limit < 1:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    scores = np.asarray(index.bm25.get_scores_from_ids(ids), dtype=np.float64)
    rows = _top(scores, limit)
    rows = rows[scores[rows] > 0.0]
    return rows, scores[rows]


def _top(values: NDArray[np.float64], limit: int) -> NDArray[np.int64]:
    """Positions of the largest values, best first, ties by position."""
    if len(values) > limit:
        cut = np.partition(values, len(values) - limit)[len(values) - limit]
        candidates = np.flatnonzero(values >= cut)
    else:
        candidates = np.arange(len(values))
    order = np.lexsort((candidates, -values[candidates]))
    return candidates[order][:limit].astype(np.int64)


def _unit_rows(vectors: NDArray[Any]) -> NDArray[np.float32]:
    rows = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.asarray(rows / np.where(norms > 0.0, norms, 1.0), dtype=np.float32)


def _matched(
    query_words: list[tuple[str, str]], profile: Profile, most: int = 5
) -> tuple[str, ...]:
    """The client's own words that the profile shares (by matching key), in the client's order."""
    keys = set(tokenize(profile.text))
    shown: dict[str, str] = {}
    for key, word in query_words:
        if key in keys and key not in shown:
            shown[key] = word
    return tuple(shown.values())[:most]


def _fit_reason(verb: str, profile: Profile, matched: tuple[str, ...]) -> str:
    what = profile.offer if verb == "offers" else profile.lead_profile
    summary = _summarise(what or profile.offer or profile.lead_profile)
    detail = f"matched: {', '.join(matched)}" if matched else "similar in meaning"
    return f"{verb} {summary} ({detail})"


def _tie_reasons(tie: Relationship, known: bool) -> list[str]:
    reasons = []
    if tie.strength >= 0.6:
        reasons.append(f"close tie ({tie.strength:.2f})")
    elif tie.strength >= 0.3:
        reasons.append(f"regular contact ({tie.strength:.2f})")
    elif tie.strength > 0.0:
        reasons.append(f"weak tie ({tie.strength:.2f})")
    elif tie.path_trust > 0.0:
        reasons.append(f"reachable through an introduction (trust {tie.path_trust:.2f})")
    else:
        reasons.append("no known tie" if not known else "no direct tie")
    if tie.referrals > 0:
        reasons.append(_referral_reason(tie.referrals, tie.referrals_won))
    return reasons


def _referral_reason(referrals: int, won: int) -> str:
    leads = "1 lead" if referrals == 1 else f"{referrals} leads"
    if won == referrals:
        outcome = {1: "won", 2: "both won"}.get(referrals, f"all {referrals} won")
    elif won == 0:
        outcome = "not won" if referrals == 1 else "none won"
    else:
        outcome = f"{won} won"
    return f"referred {leads} before, {outcome}"


def _summarise(text: str, width: int = 60) -> str:
    flat = " ".join(text.split()).rstrip(".;,:!")
    if len(flat) > width:
        flat = flat[:width].rsplit(" ", 1)[0].rstrip(".;,:") + "…"
    if len(flat) > 1 and flat[0].isupper() and flat[1].islower():
        flat = flat[0].lower() + flat[1:]
    return flat or "nothing written yet"
