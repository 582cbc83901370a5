"""Read X once, in row blocks, on every core: the NumPy pass of the neuron's cost and gradient.

The cost and the gradient of the neuron touch each number of X two or three times (the logits
Xw, then Xᵀr): from memory the first time, from the cache after, if the rows are handled a
block at a time. :func:`map_row_blocks` cuts X into such blocks and hands them out to one thread
per core, the calling thread among them. NumPy releases the GIL inside the BLAS and its ufuncs, so
the threads run at once, and the BLAS is held to one thread of its own meanwhile (threadpoolctl),
so that a block's product never waits for a core another block holds. The results come back in
the order of the blocks, whichever thread computed them, so what the caller adds up is added in
the same order on any number of cores; when blocks fail, the error of the first failing block is
raised. Small inputs, for which starting threads costs more than it saves, are handled in the
calling thread, block by block, in the same order.

This NumPy pass is the one the cost and the gradient take for an X smaller than
:data:`FUSED_BYTES`, and the one that finds and reports a bad value of X or an overflowing logit.
A larger X takes the compiled loop of :mod:`xentropy.numeric.fused`, which cuts it into the same
blocks (:func:`row_blocks`) and runs as many threads (:func:`workers`, :data:`PARALLEL_BYTES`),
those of the same pool (:func:`on_threads`).
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import TypeVar

from threadpoolctl import ThreadpoolController

__all__ = [
    "BLOCK_BYTES",
    "FUSED_BYTES",
    "PARALLEL_BYTES",
    "WORKERS",
    "map_row_blocks",
    "on_threads",
    "row_blocks",
    "workers",
]

T = TypeVar("T")

#: The bytes of X in one block (2**18 numbers). A block is touched two or three times and must
#: still be in the cache at the last touch, which rules out much more than a few MiB; it must
#: stream for longer than the twenty-odd NumPy calls it costs take (tens of µs), which rules out
#: much less than one MiB. It is larger than one core's L2 cache (1 MiB on the machine that
#: chose it) and small beside the L3 (32 MiB), which two blocks in flight share.
#: ``benchmarks/gradient.py --block-sizes`` times the alternatives.
BLOCK_BYTES = 2 * 2**20

#: Below this size of X, the blocks are handled in the calling thread. Sharing them costs a
#: fixed 0.1 ms or so (waking the threads, holding the BLAS to one), and pays only when every core
#: is free: with the machine busy, sharing was slower than one thread up to X of 16 MiB (1.3
#: times), even at 31 MiB (1.02) and faster from 62 MiB (0.87; ``make bench``, its small-n
#: table). Up to the size of a large L3 cache (32 MiB), then, one thread, which is never slower.
PARALLEL_BYTES = 32 * 2**20

#: From this size of X on, the cost and the gradient take the compiled pass of
#: :mod:`xentropy.numeric.fused` instead of these NumPy blocks. Once loaded, the loop was faster
#: at every size (``make bench``, its small-n table: 0.6 to 0.7 times the NumPy pass below
#: 1 MiB, 0.5 to 0.6 from 2 to 32 MiB), but below 1 MiB by a quarter of a millisecond a call
#: or less; and the first call of a process pays about half a second for importing Numba and
#: loading the loops from ``__pycache__`` (twelve seconds to compile them, once after an
#: install). Small problems, the doctests and the book's small examples keep NumPy alone.
FUSED_BYTES = 2**20

#: How many threads share the blocks; ``None`` for one per core this process may run on.
WORKERS: int | None = None

# One pass runs at a time: the BLAS's thread count is a setting of the whole process, and
# two passes that each held it and restored it could leave it wrong.
_ONE_PASS = threading.Lock()
_pool: tuple[int, int, ThreadPoolExecutor] | None = None  # (process id, threads, executor)
_blas: ThreadpoolController | None = None


def row_blocks(n: int, k: int) -> list[slice]:
    """The blocks of rows of an n × k matrix, in order, each about :data:`BLOCK_BYTES` of float64.

    Examples
    --------
    >>> row_blocks(10_000, 64)
    [slice(0, 4096, None), slice(4096, 8192, None), slice(8192, 10000, None)]
    """
    rows = max(1, BLOCK_BYTES // (8 * max(k, 1)))
    return [slice(start, min(start + rows, n)) for start in range(0, n, rows)]


def workers() -> int:
    """How many threads share the blocks: :data:`WORKERS`, or the cores this process may use."""
    if WORKERS is not None:
        return WORKERS
    # The cores the process may run on (taskset, a container's cpuset), not all the machine has.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - platforms without sched_getaffinity


def map_row_blocks(work: Callable[[slice], T], n: int, k: int) -> list[T]:
    """``[work(rows) for rows in row_blocks(n, k)]``, the blocks shared among :func:`workers`.

    Parameters
    ----------
    work : callable
        Handles one block of rows, given as a slice; it must only read shared data, and return
        its result rather than write to shared arrays. It runs with the caller's context, so
        NumPy's ``errstate`` applies in every thread.
    n, k : int
        The rows and the columns of the matrix.

    Returns
    -------
    list
        The result of each block, in the order of the blocks.

    Raises
    ------
    Exception
        The exception of the first block, in the order of the blocks, whose ``work`` raised.
        Blocks after a failed one may not be handled at all.

    Examples
    --------
    >>> map_row_blocks(lambda rows: rows.stop - rows.start, 10_000, 64)
    [4096, 4096, 1808]
    """
    blocks = row_blocks(n, k)
    threads = 1 if 8 * n * k < PARALLEL_BYTES else min(workers(), len(blocks))
    if threads <= 1:
        return [work(rows) for rows in blocks]
    with _ONE_PASS, _blas_on_one_thread():
        return _shared(work, blocks, threads)


def _shared(work: Callable[[slice], T], blocks: list[slice], threads: int) -> list[T]:
    results: dict[int, T] = {}
    failures: dict[int, BaseException] = {}
    claims = threading.Lock()
    following = iter(range(len(blocks)))

    def take_blocks() -> None:
        # Blocks are claimed in order, so when one fails every block before it has been
        # claimed and will finish: the first failure in block order is always known.
        while True:
            with claims:
                index = None if failures else next(following, None)
            if index is None:
                return
            try:
                results[index] = work(blocks[index])
            except BaseException as error:
                with claims:
                    failures[index] = error

    pool = _thread_pool(threads - 1)
    helpers: list[Future[None]] = [
        pool.submit(contextvars.copy_context().run, take_blocks) for _ in range(threads - 1)
    ]
    try:
        take_blocks()
    except BaseException as interrupt:  # between two blocks, as KeyboardInterrupt can be
        with claims:
            failures[len(blocks)] = interrupt  # the helpers stop claiming blocks
        raise
    finally:
        wait(helpers)
    if failures:
        raise failures[min(failures)]
    return [results[index] for index in range(len(blocks))]


def on_threads(work: Callable[[int, int], object], threads: int) -> None:
    """``work(first, threads)`` for each ``first`` in ``range(threads)``, each in a thread of its
    own, the calling thread among them; returns when every one is done.

    For work that releases the GIL and shares its blocks by stride, ``work(first, step)``
    taking the blocks first, first + step, first + 2 step, ...: the compiled loops of
    :mod:`xentropy.numeric.fused`. The exception of the lowest ``first`` that raised is raised.

    Examples
    --------
    >>> taken = []
    >>> on_threads(lambda first, step: taken.append((first, step)), 3)
    >>> sorted(taken)
    [(0, 3), (1, 3), (2, 3)]
    """
    if threads <= 1:
        work(0, 1)
        return
    pool = _thread_pool(threads - 1)
    context = contextvars.copy_context()
    helpers = [pool.submit(context.copy().run, work, first, threads) for first in range(1, threads)]
    try:
        work(0, threads)
    finally:
        wait(helpers)
    for helper in helpers:
        helper.result()


def _thread_pool(threads: int) -> ThreadPoolExecutor:
    # Kept between calls: starting a thread costs about as much as a block. A child process
    # made by fork has none of the parent's threads, so it makes its own pool.
    global _pool
    if _pool is None or _pool[:2] != (os.getpid(), threads):
        _pool = (os.getpid(), threads, ThreadPoolExecutor(threads, "xentropy-blocks"))
    return _pool[2]


@contextmanager
def _blas_on_one_thread() -> Iterator[None]:
    global _blas
    if _blas is None:
        _blas = ThreadpoolController()  # finds the BLAS libraries loaded: once, it takes ms
    with _blas.limit(limits=1, user_api="blas"):
        yield
