r"""Read a large X once, row by row, on every core: the compiled pass of the cost and the gradient.

The NumPy pass of :mod:`xentropy.numeric.blocks` reads X once too, but each block of rows costs
fifteen-odd NumPy calls and two products the BLAS makes on one core, and its time came to 2.3
(the cost) to 3.4 (the gradient) times that of ``X @ w``. Here one loop, compiled by Numba,
forms for each row the logit z = x·w + b, its residual r = σ(z) − y (or its loss ℓ(z, y)), and
adds x r / n to the gradient while the row is still in the first-level cache: X is read from
memory once, by every core.

Each row's residual and loss are those of :mod:`xentropy.numeric.binary`, the same formulas in
the same order of operations, one number at a time, with nothing reassociated or fused (no
``fastmath``): the hard-label form from exp(−|z|), and the expm1 form for a soft label at
|z| < 1. Only the logit's sum is formed in another order than the BLAS's: in vector registers
too, in the order the compiler chose, a product and a sum fused where the processor can.

The rows are cut into the blocks of :func:`xentropy.numeric.blocks.row_blocks`; each block's
share of the gradient is summed in its own thread, in the order of its rows, and the shares are
added in the order of the blocks: the result is the same, bit for bit, on any number of threads.
Below :data:`xentropy.numeric.blocks.PARALLEL_BYTES` the blocks are summed in the calling
thread, by a loop compiled without threads, the same sums in the same order.

This module checks nothing and raises nothing. A row whose logit is not finite (a NaN or an
infinity in X, or a logit that overflows) makes :func:`gradient` and :func:`losses` return
``None``; the caller then takes the NumPy pass, which finds the same row and raises the error
the numeric contract promises (or, for a logit near the largest float whose sum overflowed here
but not in the BLAS's order, returns its result). Numba is imported with this module, which
:mod:`xentropy.numeric.neuron` imports only for an X of at least
:data:`xentropy.numeric.blocks.FUSED_BYTES`: ``import xentropy`` does not import Numba, and the
loops are compiled once and kept in ``__pycache__`` (``cache=True``).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

from xentropy.numeric import blocks
from xentropy.numeric.binary import DOWN, TINY_RESIDUAL, UP
from xentropy.numeric.validation import FloatArray

IntArray = NDArray[np.int64]

__all__ = ["gradient", "losses", "prepare"]

F = TypeVar("F", bound=Callable[..., Any])

# Numba's threads come from one of its threading layers, chosen at the first parallel loop.
# Its default prefers OpenMP, and GNU's OpenMP cannot survive fork(): a child process made by
# fork (multiprocessing's default on Linux) that runs a loop after its parent did is killed
# ("Terminating: fork() called from a process already using GNU OpenMP"). Unless the user chose
# a layer (NUMBA_THREADING_LAYER), only a fork-safe one is taken: TBB where it is installed,
# else Numba's own workqueue, which was as fast here.
if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "forksafe"  # type: ignore[attr-defined]  # set at run time

# A loop is launched by one thread at a time: the workqueue layer must never be entered by two
# threads at once (it aborts the process), and this lock sees to it for the loops of this module.
_ONE_PASS = threading.Lock()


def _row_function(function: F) -> F:
    # A function of one row's numbers, compiled and inlined into the loops that call it. The
    # error model is NumPy's: IEEE division, with no test for a zero divisor that would raise
    # ZeroDivisionError (Python's rule, Numba's default); no divisor here is ever zero.
    return cast(
        F, numba.njit(inline="always", cache=True, nogil=True, error_model="numpy")(function)
    )


def _parallel_loop(function: F) -> F:
    # A loop over the blocks of X, shared among Numba's threads.
    return cast(F, numba.njit(parallel=True, cache=True, nogil=True, error_model="numpy")(function))


def _serial_loop(function: F) -> F:
    # A loop over the blocks of X in the calling thread: for an X too small to share, it spares
    # waking Numba's threads, which the workqueue layer does even for a single thread.
    return cast(F, numba.njit(cache=True, nogil=True, error_model="numpy")(function))


# The logit's sum alone may be reordered ("reassoc") and its products fused with their sums
# ("contract"), so that LLVM packs it into vector instructions, as a BLAS does: it was twice
# as fast as a scalar loop with eight partial sums. Neither flag assumes that no NaN or
# infinity occurs, so a bad row still gives a logit that is not finite. The function is not
# inlined by Numba, which would compile it with its caller's flags, but by LLVM, which keeps
# them on its instructions; the order of the sum is fixed by the compiled code, the same for
# every row in any thread.
@numba.njit(cache=True, nogil=True, error_model="numpy", fastmath={"reassoc", "contract"})
def _logit(X: FloatArray, i: int, w: FloatArray, b: float) -> float:
    s = 0.0
    for j in range(w.shape[0]):
        s += X[i, j] * w[j]
    return s + b


@_row_function
def _residual(z: float, y: float) -> float:
    # binary.residuals for one number: ((1 − y) p − y q) / (1 + e), e = exp(−|z|), and for a
    # soft label at |z| < 1 the numerator (1 − 2y) + c·expm1(−|z|), c = −y or 1 − y.
    a = abs(z)
    e = math.exp(-a)
    if z >= 0:
        p, q, c = 1.0, e, -y
    else:
        p, q, c = e, 1.0, 1.0 - y
    if a < 1.0 and y > 0.0 and y < 1.0:
        numerator = (1.0 - 2.0 * y) + c * math.expm1(-a)
    else:
        numerator = (1.0 - y) * p - y * q
    return numerator / (1.0 + e)


@_row_function
def _loss(z: float, y: float) -> float:
    # binary.losses for one number: log1p(exp(−|z|)) plus (1 − y) z or y |z|, both non-negative.
    linear = (1.0 - y) * z if z >= 0 else y * -z
    return math.log1p(math.exp(-abs(z))) + linear


#: Rows summed into a partial sum before it is added to its block's share: the rounding of a sum
#: of m terms added one after another grows with m (4096 equal terms came to 110 eps), and a
#: cascade of partial sums of SUBBLOCK rows keeps it to SUBBLOCK + rows / SUBBLOCK additions.
SUBBLOCK = 64


@_row_function
def _gradient_block(
    X: FloatArray, w: FloatArray, b: float, y: FloatArray, rows: int, block: int, share: FloatArray
) -> tuple[float, float, int]:
    # Adds x r / n of each row of the block to its share of ∇_w C, in the order of the rows, by
    # partial sums of SUBBLOCK rows; returns its share of ∂C/∂b, that of the tiny residuals, and
    # its first row whose logit is not finite (−1 for none). ``share`` has 2k numbers: the first
    # k for the residuals, the last k for the tiny ones, which would lose their low bits in
    # r / n (a subnormal) and are scaled by the exact power of two UP first; the caller scales
    # that half back by DOWN (binary.TINY_RESIDUAL).
    n, k = X.shape
    part = np.zeros(2 * k)
    part_b = np.zeros(2)
    sums_b = np.zeros(2)
    last = min(n, (block + 1) * rows)
    for i in range(block * rows, last):
        z = _logit(X, i, w, b)
        if not math.isfinite(z):
            return sums_b[0], sums_b[1], i
        # r / n before the product, as the NumPy pass does: x r / n cannot overflow.
        r = _residual(z, y[i])
        half = 1 if abs(r) < TINY_RESIDUAL else 0
        r_over_n = (r * UP if half else r) / n
        for j in range(k):
            part[half * k + j] += X[i, j] * r_over_n
        part_b[half] += r_over_n
        if (i + 1 - block * rows) % SUBBLOCK == 0 or i + 1 == last:
            for j in range(2 * k):
                share[j] += part[j]
                part[j] = 0.0
            for h in range(2):
                sums_b[h] += part_b[h]
                part_b[h] = 0.0
    return sums_b[0], sums_b[1], -1


@_row_function
def _gradient_in_block_order(
    shares: FloatArray, shares_b: FloatArray, bad: IntArray
) -> tuple[FloatArray, float, int]:
    # The blocks' shares added in the order of the blocks, whichever thread summed them; the
    # second half of each row of shares holds the tiny residuals' part, scaled by UP.
    k = shares.shape[1] // 2
    grad_w = np.zeros(k)
    grad_b = 0.0
    for block in range(shares.shape[0]):
        if bad[block] >= 0:
            return grad_w, grad_b, bad[block]
        for j in range(k):
            grad_w[j] += shares[block, j] + shares[block, k + j] * DOWN
        grad_b += shares_b[block, 0] + shares_b[block, 1] * DOWN
    return grad_w, grad_b, -1


@_parallel_loop
def _gradient_on_threads(
    X: FloatArray, w: FloatArray, b: float, y: FloatArray, rows: int
) -> tuple[FloatArray, float, int]:
    count, k = (X.shape[0] + rows - 1) // rows, X.shape[1]
    shares, shares_b, bad = np.zeros((count, 2 * k)), np.zeros((count, 2)), np.full(count, -1)
    for block in numba.prange(count):
        shares_b[block, 0], shares_b[block, 1], bad[block] = _gradient_block(
            X, w, b, y, rows, block, shares[block]
        )
    return _gradient_in_block_order(shares, shares_b, bad)


@_serial_loop
def _gradient_in_one_thread(
    X: FloatArray, w: FloatArray, b: float, y: FloatArray, rows: int
) -> tuple[FloatArray, float, int]:
    # _gradient_on_threads, block by block in the calling thread: the same sums in the same order.
    count, k = (X.shape[0] + rows - 1) // rows, X.shape[1]
    shares, shares_b, bad = np.zeros((count, 2 * k)), np.zeros((count, 2)), np.full(count, -1)
    for block in range(count):
        shares_b[block, 0], shares_b[block, 1], bad[block] = _gradient_block(
            X, w, b, y, rows, block, shares[block]
        )
    return _gradient_in_block_order(shares, shares_b, bad)


@_row_function
def _losses_block(
    X: FloatArray, w: FloatArray, b: float, y: FloatArray, rows: int, block: int, out: FloatArray
) -> int:
    # Writes ℓ of each row of the block into out; returns the first row whose logit is not finite.
    for i in range(block * rows, min(X.shape[0], (block + 1) * rows)):
        z = _logit(X, i, w, b)
        if not math.isfinite(z):
            return i
        out[i] = _loss(z, y[i])
    return -1


@_row_function
def _first_bad(bad: IntArray) -> int:
    for block in range(bad.shape[0]):
        if bad[block] >= 0:
            return int(bad[block])
    return -1


@_parallel_loop
def _losses_on_threads(
    X: FloatArray, w: FloatArray, b: float, y: FloatArray, rows: int
) -> tuple[FloatArray, int]:
    count = (X.shape[0] + rows - 1) // rows
    out, bad = np.empty(X.shape[0]), np.full(count, -1)
    for block in numba.prange(count):
        bad[block] = _losses_block(X, w, b, y, rows, block, out)
    return out, _first_bad(bad)


@_serial_loop
def _losses_in_one_thread(
    X: FloatArray, w: FloatArray, b: float, y: FloatArray, rows: int
) -> tuple[FloatArray, int]:
    count = (X.shape[0] + rows - 1) // rows
    out, bad = np.empty(X.shape[0]), np.full(count, -1)
    for block in range(count):
        bad[block] = _losses_block(X, w, b, y, rows, block, out)
    return out, _first_bad(bad)


#: Every compiled loop, by the name :func:`prepare` knows it by.
LOOPS: dict[str, Callable[..., tuple[Any, ...]]] = {
    "gradient on threads": _gradient_on_threads,
    "gradient in one thread": _gradient_in_one_thread,
    "losses on threads": _losses_on_threads,
    "losses in one thread": _losses_in_one_thread,
}


def gradient(
    w: FloatArray, b: float, X: FloatArray, y: FloatArray
) -> tuple[FloatArray, float] | None:
    """(∇_w C, ∂C/∂b) of checked float64 arguments, X in C order; ``None`` if a logit is not finite.

    The arguments are those :func:`xentropy.numeric.neuron.gradient` has checked, but for X's
    values and the logits', which are the loop's to find.
    """
    arguments = (X, _contiguous(w), b, _contiguous(y), _rows(X))
    threads = _threads(X)
    if threads == 1:
        grad_w, grad_b, first_bad = _gradient_in_one_thread(*arguments)
    else:
        with _on_numbas_threads(threads):
            grad_w, grad_b, first_bad = _gradient_on_threads(*arguments)
    if first_bad >= 0:
        return None
    return grad_w, float(grad_b)


def losses(w: FloatArray, b: float, X: FloatArray, y: FloatArray) -> FloatArray | None:
    """ℓ(z_i, y_i) of every row, as :func:`xentropy.numeric.binary.losses`; ``None`` as for
    :func:`gradient`, whose arguments it takes.
    """
    arguments = (X, _contiguous(w), b, _contiguous(y), _rows(X))
    threads = _threads(X)
    if threads == 1:
        terms, first_bad = _losses_in_one_thread(*arguments)
    else:
        with _on_numbas_threads(threads):
            terms, first_bad = _losses_on_threads(*arguments)
    if first_bad >= 0:
        return None
    result: FloatArray = terms
    return result


def prepare(*loops: str) -> None:
    """Compile the loops named (every loop if none is) and keep them in ``__pycache__``, as
    the first large X would.

    Set-up calls this (``make venv``), so that a later process, a test worker or a page's
    kernel, only loads the loops (half a second) instead of compiling them (ten or more).
    The names are those of :data:`LOOPS`; set-up compiles the threaded gradient, the
    longest to compile, in one process and the others in a second, side by side.

    >>> prepare("no such loop")
    Traceback (most recent call last):
    ...
    ValueError: loops must be among ['gradient on threads', ...], got 'no such loop'
    """
    for name in loops:
        if name not in LOOPS:
            raise ValueError(f"loops must be among {list(LOOPS)}, got {name!r}")
    X, w, y = np.zeros((2, 2)), np.ones(2), np.zeros(2)
    with _on_numbas_threads(1):
        for name in loops or LOOPS:
            LOOPS[name](X, w, 0.0, y, 1)


def _rows(X: FloatArray) -> int:
    # The rows of a block: those of the NumPy pass's blocks, about blocks.BLOCK_BYTES each.
    n, k = X.shape
    first: slice = blocks.row_blocks(n, k)[0]
    return int(first.stop)


def _contiguous(a: FloatArray) -> FloatArray:
    result: FloatArray = np.ascontiguousarray(a)
    return result


def _threads(X: FloatArray) -> int:
    # As many threads as the NumPy pass would share its blocks among: one below
    # blocks.PARALLEL_BYTES, where waking the others costs more than they save, and
    # blocks.workers() above, but never more than Numba started.
    if X.nbytes < blocks.PARALLEL_BYTES:
        return 1
    started = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]  # from the environment
    return max(1, min(blocks.workers(), int(started)))


@contextmanager
def _on_numbas_threads(threads: int) -> Iterator[None]:
    # One parallel loop at a time, on this many of Numba's threads. Numba's setting is the
    # calling thread's own, and is given back as it was.
    with _ONE_PASS:
        before = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            yield
        finally:
            numba.set_num_threads(before)
