"""BLAS on one thread for a process that reads messages one at a time (the service).

The engine's matrix products are small: a message's few sentences against a few thousand example
and labelled rows. OpenBLAS, which numpy uses, hands even these to its threads, and on a busy
machine waking them costs more than the product: with its default of one thread per core, a
1 × 384 by 384 × 1,365 product took 0.3 ms most of the time and 40 to 47 ms now and then, and a
customer message's post cost 44 ms of CPU on average instead of 20 ms (bench/cost.py's live case,
2 cores). The service already runs requests side by side on several threads and workers, so one
BLAS thread per request loses nothing. Batch work (training, insights) keeps the default.
"""

from __future__ import annotations

from typing import Any

from threadpoolctl import threadpool_limits


def one_blas_thread() -> Any:
    """Limit the BLAS libraries loaded in this process to one thread, from now on (not a
    context: the limit holds until the process ends). Returns threadpoolctl's handle."""
    return threadpool_limits(limits=1, user_api="blas")
