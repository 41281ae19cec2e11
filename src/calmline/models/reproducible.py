"""What every trainer of `make models` pins, so that retraining on the same data gives the same bytes.

The project's rule: a model ships as a small artefact that `make models` trains, reproducibly, or
as a registry package. Reproducible here means byte for byte on one machine: run `make models`
twice, or on another day, or with another number of cores free, and every file in
`models/artifacts/` comes out with the same SHA-256 (`make models-check` retrains into a temporary
folder and says which differ; tests/models/test_reproducible.py trains cut-down models twice).

What would otherwise move the bytes, and where each is pinned:

- the gzip header's time and file name: `artifact_json.write_json_gz` (mtime 0, no name);
- key and row order: sorted JSON keys; rows in the order of the (sorted) data files and of the
  playbook, never of a set or of `hash()` (which differs per process);
- floats: rounded before they are written (4 to 6 decimals), printed by `json` (shortest repr);
- randomness: fixed seeds (`SEED` in each trainer; scikit-learn's `random_state`);
- the number of BLAS threads: `training_threads` below;
- the sentence encoder: one onnxruntime thread and 7-bit weights (semantic/encoder.py);
- metadata: library versions, seeds and the data's SHA-256, never a date, a host or a path.

The draft heads' dev reviews are read at the time the trainer runs (no conversation time is
given), and a draft's "by the 30th" resolves to a date that depends on it; what a review finds
depends only on whether a time is said, not on the date it resolves to, so the clock moves nothing
today. A check that came to depend on the resolved date would have to give the reviews a fixed time.

What is not pinned: the machine. Another CPU (other OpenBLAS kernels, other float code in
onnxruntime), another release of numpy, SciPy or scikit-learn (each linear artefact records them),
or another zlib (the gzip bytes, not the JSON in them) may change the last digits; the artefacts
are then retrained and committed with what moved.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


@contextmanager
def training_threads() -> Iterator[None]:
    """BLAS (and OpenMP) on one thread while a trainer runs.

    OpenBLAS hands some products to its threads by splitting the sum itself (a long dot product,
    as liblinear's Newton steps take over the linear models' tens of thousands of weights; a tall
    matrix's transpose times a narrow one) and adds the parts in an order that depends on how many
    threads it has. The solvers' iterations carry those last bits into the written digits: on one
    thread and on two, the linear models' weights differed in the fourth decimal and the semantic
    heads' coefficients in the fifth. One thread gives the same sums whatever the machine's core
    count, `OPENBLAS_NUM_THREADS` or load; the trainers' products are small, so it costs little
    time."""
    with threadpool_limits(limits=1):
        yield
