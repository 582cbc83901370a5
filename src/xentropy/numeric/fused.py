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
share of the gradient is summed by one thread, in the order of its rows, and the shares are
added in the order of the blocks: the result is the same, bit for bit, on any number of threads.
The threads are those of the NumPy pass (:func:`xentropy.numeric.blocks.on_threads`), each
running the same compiled loop, which releases the GIL, on every other block (every third on
three threads, ...); below :data:`xentropy.numeric.blocks.PARALLEL_BYTES` the calling thread
runs it on every block. Numba's own threads (``parallel=True``) did the same as fast, but
their loops took three times as long to compile (9 s of 14) and brought a threading layer
that GNU OpenMP, its default, makes unsafe in a child made by fork.

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
from collections.abc import Callable
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


def _row_function(function: F) -> F:
    # A function of one row's numbers, compiled and inlined into the loops that call it. The
    # error model is NumPy's: IEEE division, with no test for a zero divisor that would raise
    # ZeroDivisionError (Python's rule, Numba's default); no divisor here is ever zero.
    return cast(
        F, numba.njit(inline="always", cache=True, nogil=True, error_model="numpy")(function)
    )


def _loop(function: F) -> F:
    # A loop over blocks of X, called from Python in each thread that shares them; it releases
    # the GIL (nogil), so that the threads run at once.
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


@_loop
def _gradient_blocks(
    X: FloatArray,
    w: FloatArray,
    b: float,
    y: FloatArray,
    rows: int,
    first: int,
    step: int,
    shares: FloatArray,
    shares_b: FloatArray,
    bad: IntArray,
) -> None:
    # The blocks first, first + step, ... of X, each summed into its own row of shares, shares_b
    # and bad: the threads that share X write to rows of their own.
    for block in range(first, shares.shape[0], step):
        shares_b[block, 0], shares_b[block, 1], bad[block] = _gradient_block(
            X, w, b, y, rows, block, shares[block]
        )


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


@_loop
def _losses_blocks(
    X: FloatArray,
    w: FloatArray,
    b: float,
    y: FloatArray,
    rows: int,
    first: int,
    step: int,
    out: FloatArray,
    bad: IntArray,
) -> None:
    # As _gradient_blocks: ℓ of the rows of the blocks first, first + step, ... into out.
    for block in range(first, bad.shape[0], step):
        bad[block] = _losses_block(X, w, b, y, rows, block, out)


def gradient(
    w: FloatArray, b: float, X: FloatArray, y: FloatArray
) -> tuple[FloatArray, float] | None:
    """(∇_w C, ∂C/∂b) of checked float64 arguments, X in C order; ``None`` if a logit is not finite.

    The arguments are those :func:`xentropy.numeric.neuron.gradient` has checked, but for X's
    values and the logits', which are the loop's to find.
    """
    w, y, rows = _contiguous(w), _contiguous(y), _rows(X)
    count, k = (X.shape[0] + rows - 1) // rows, X.shape[1]
    shares, shares_b, bad = np.zeros((count, 2 * k)), np.zeros((count, 2)), np.full(count, -1)
    blocks.on_threads(
        lambda first, step: _gradient_blocks(X, w, b, y, rows, first, step, shares, shares_b, bad),
        _threads(X, count),
    )
    grad_w, grad_b, first_bad = _gradient_in_block_order(shares, shares_b, bad)
    if first_bad >= 0:
        return None
    return grad_w, float(grad_b)


def losses(w: FloatArray, b: float, X: FloatArray, y: FloatArray) -> FloatArray | None:
    """ℓ(z_i, y_i) of every row, as :func:`xentropy.numeric.binary.losses`; ``None`` as for
    :func:`gradient`, whose arguments it takes.
    """
    w, y, rows = _contiguous(w), _contiguous(y), _rows(X)
    count = (X.shape[0] + rows - 1) // rows
    out, bad = np.empty(X.shape[0]), np.full(count, -1)
    blocks.on_threads(
        lambda first, step: _losses_blocks(X, w, b, y, rows, first, step, out, bad),
        _threads(X, count),
    )
    if _first_bad(bad) >= 0:
        return None
    return out


def prepare() -> None:
    """Compile every loop now and keep it in ``__pycache__``, as the first large X would.

    Set-up calls this (``make venv``), so that a later process, a test worker or a page's
    kernel, only loads the loops (half a second) instead of compiling them (five seconds).
    """
    X, w, y = np.zeros((2, 2)), np.ones(2), np.zeros(2)
    gradient(w, 0.0, X, y)
    losses(w, 0.0, X, y)


def _rows(X: FloatArray) -> int:
    # The rows of a block: those of the NumPy pass's blocks, about blocks.BLOCK_BYTES each.
    n, k = X.shape
    first: slice = blocks.row_blocks(n, k)[0]
    return int(first.stop)


def _contiguous(a: FloatArray) -> FloatArray:
    result: FloatArray = np.ascontiguousarray(a)
    return result


def _threads(X: FloatArray, count: int) -> int:
    # As many threads as the NumPy pass would share its blocks among: one below
    # blocks.PARALLEL_BYTES, where waking the others costs more than they save, and
    # blocks.workers() above, but never more than there are blocks.
    if X.nbytes < blocks.PARALLEL_BYTES:
        return 1
    return max(1, min(blocks.workers(), count))
