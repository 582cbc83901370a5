"""The NumPy core: the logistic function, the cross-entropy cost and its gradient.

The book derives the gradient of the mean binary cross-entropy with SymPy; this
module computes it for real data, in float64, in forms that never lose the last
bits to cancellation or overflow: the loss as ``log1p(exp(-|z|))`` plus a
non-negative linear term, the residual ``σ(z) - y`` from ``exp(-|z|)`` branch by
branch. Inputs are checked first, by :func:`validate_inputs`, so a mistake in a
shape or a NaN in the data raises an error that says what is wrong instead of
returning a quiet NaN. :func:`gradient` reads a large X once, in row blocks that
stay in the cache while each is checked, multiplied by w and by its residuals.
``shared/NUMERICS.md`` is the contract these functions keep. This module does
not import SymPy.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["cost", "gradient", "sigmoid", "validate_inputs"]

FloatArray = NDArray[np.float64]

# Booleans, signed and unsigned integers and real floats are numbers; complex
# values, objects, strings, dates are not data a cost can be computed from.
_REAL_KINDS = "biuf"
_WHERE_IN_X = "at row {0}, column {1}"

# gradient reads X in row blocks of this many bytes (2**18 numbers). A block is
# touched three times (the finiteness check, Xw, Xᵀr) and must still be in the
# cache at the third touch, which rules out much more than a few MiB. It must
# stream for longer than the twenty-odd NumPy calls it costs take (tens of µs),
# which rules out much less than one MiB. And it stays below the size at which
# OpenBLAS splits a matrix-vector product between threads (2**19 numbers): on a
# shared machine, every threaded call can wait a whole time slice for the other
# core, and one wait per block made the pass 10 to 25 times slower (measured by
# benchmarks/gradient.py --block-sizes). The block is then larger than one
# core's L2 cache (1 MiB here) and well within the L3 (32 MiB).
_BLOCK_BYTES = 2 * 2**20


def sigmoid(z: ArrayLike) -> np.float64 | FloatArray:
    """The logistic function σ(z) = 1 / (1 + exp(-z)), elementwise.

    Accurate to two units in the last place for every finite ``z``: only
    ``exp(-|z|)`` is computed, which never overflows, and the branch for
    negative ``z`` divides ``exp(z)`` by ``1 + exp(z)`` instead of subtracting
    from 1. Like a NumPy ufunc it keeps the shape, maps a scalar to a scalar and
    follows NumPy's conventions: σ(inf) = 1, σ(-inf) = 0, σ(nan) = nan.

    Parameters
    ----------
    z : array_like of real numbers
        The logits. Integers and booleans are converted to float64.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        σ(z), with the shape of ``z``.

    Raises
    ------
    TypeError
        If ``z`` holds complex numbers, objects or strings.

    Examples
    --------
    >>> from xentropy.numeric import sigmoid
    >>> sigmoid(0.0)
    np.float64(0.5)
    >>> sigmoid([-1000.0, 0.0, 1000.0])
    array([0. , 0.5, 1. ])

    Far in the left tail the result is tiny but still has all its digits:

    >>> print(f"{sigmoid(-700.0):.12g}")
    9.85967654376e-305
    """
    z = _as_real_array(z, "z")
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1.0, e) / (1.0 + e)
    return s[()] if s.ndim == 0 else s


def cost(w: ArrayLike, b: float, X: ArrayLike, y: ArrayLike) -> float:
    """The mean binary cross-entropy of the logistic model, C(w, b).

    C = (1/n) Σ_i ℓ(z_i, y_i) with z = Xw + b and
    ℓ(z, y) = -[y ln σ(z) + (1 - y) ln(1 - σ(z))], computed as
    ``log1p(exp(-|z|)) + (1 - y) z`` for z >= 0 and
    ``log1p(exp(-|z|)) - y z`` for z < 0: two non-negative terms, so the sum
    loses nothing to cancellation, and no exponential can overflow.

    Parameters
    ----------
    w : array_like, shape (k,)
        The weights, one per feature.
    b : float
        The bias, a scalar.
    X : array_like, shape (n, k)
        The data, one example per row; n must be at least 1.
    y : array_like, shape (n,)
        The labels, each in [0, 1]; soft labels are allowed.

    Returns
    -------
    float
        The cost, finite and non-negative.

    Raises
    ------
    ValueError
        If a shape does not fit, a value is NaN or infinite, a label lies
        outside [0, 1], X has no rows, or the logits overflow.
    TypeError
        If an input holds complex numbers, objects or strings.

    Examples
    --------
    >>> from xentropy.numeric import cost
    >>> X = [[1.0, 2.0], [-1.0, 0.5], [0.0, -3.0]]
    >>> print(f"{cost([0.0, 0.0], 0.0, X, [1, 0, 1]):.12f}")  # every σ is 1/2: the cost is ln 2
    0.693147180560

    A confident, correct prediction costs almost nothing, and the tiny cost is
    computed to full relative precision rather than rounded to zero:

    >>> print(f"{cost([40.0], 0.0, [[1.0]], [1]):.12g}")
    4.24835425529e-18
    """
    w, b, X, y = validate_inputs(w, b, X, y)
    return _mean(_losses(_logits(w, b, X), y))


def gradient(w: ArrayLike, b: float, X: ArrayLike, y: ArrayLike) -> tuple[FloatArray, float]:
    """The gradient of :func:`cost` with respect to the weights and the bias.

    ∇_w C = Xᵀ r / n and ∂C/∂b = mean(r), where r = σ(Xw + b) - y is the
    residual. r is formed from ``exp(-|z|)`` so that for hard labels it keeps
    its full relative precision however small it is (``σ(z) - 1`` computed as
    ``-exp(-z) / (1 + exp(-z))``, not as a difference).

    Parameters
    ----------
    w : array_like, shape (k,)
        The weights, one per feature.
    b : float
        The bias, a scalar.
    X : array_like, shape (n, k)
        The data, one example per row; n must be at least 1.
    y : array_like, shape (n,)
        The labels, each in [0, 1]; soft labels are allowed.

    Returns
    -------
    grad_w : numpy.ndarray, shape (k,)
        ∂C/∂w_j for every weight.
    grad_b : float
        ∂C/∂b.

    Raises
    ------
    ValueError
        As for :func:`cost`.
    TypeError
        As for :func:`cost`.

    Examples
    --------
    >>> from xentropy.numeric import gradient
    >>> grad_w, grad_b = gradient([0.0, 0.0], 0.0, [[1.0, 2.0], [3.0, 4.0]], [1, 0])
    >>> grad_w  # r = (-1/2, 1/2), so ∇_w C = ((-1 + 3)/4, (-2 + 4)/4)
    array([0.5, 0.5])
    >>> grad_b
    0.0
    """
    w, b, X, y = _with_checked_shapes(w, b, X, y)
    try:
        _require_valid_values(w, b, y)
    except ValueError:
        _require_finite(X, "X", _WHERE_IN_X)  # validate_inputs reports a bad X first
        raise
    n, k = X.shape
    grad_w, grad_b = np.zeros(k), 0.0
    # One pass over X: the finiteness check, Xw and Xᵀr of a block run while the
    # block is in the cache, and its contributions are summed block by block.
    for rows in _row_blocks(n, k):
        X_block = X[rows]
        _require_finite(X_block, "X", _WHERE_IN_X, first_row=rows.start)
        try:
            z = _logits(w, b, X_block, first_row=rows.start)
        except ValueError:
            _require_finite(X[rows.stop :], "X", _WHERE_IN_X, first_row=rows.stop)
            raise
        # Dividing r by n before the product, rather than the product by n, keeps
        # Xᵀr from overflowing when X holds values near the largest float.
        r_over_n = _residuals(z, y[rows]) / n
        grad_w += X_block.T @ r_over_n
        grad_b += float(np.sum(r_over_n))
    return grad_w, grad_b


def validate_inputs(
    w: ArrayLike, b: float, X: ArrayLike, y: ArrayLike
) -> tuple[FloatArray, float, FloatArray, FloatArray]:
    """Check the arguments of :func:`cost` and :func:`gradient`; return them as float64.

    Every check of shared/NUMERICS.md section 1 except the overflow of the
    logits, which needs the logits (see :func:`cost`). Nothing is broadcast: a
    label column of shape (n, 1) is refused, not stretched. The caller's arrays
    are never modified; float64 arrays are returned as they are, not copied.

    Parameters
    ----------
    w, b, X, y
        As for :func:`cost`.

    Returns
    -------
    w : numpy.ndarray, shape (k,)
    b : float
    X : numpy.ndarray, shape (n, k)
    y : numpy.ndarray, shape (n,)

    Raises
    ------
    ValueError
        With a message that names the argument, what was expected and what came.
    TypeError
        If an input holds complex numbers, objects or strings.

    Examples
    --------
    >>> from xentropy.numeric import validate_inputs
    >>> validate_inputs([1, 2], 0, [[True, False]], [1])
    (array([1., 2.]), 0.0, array([[1., 0.]]), array([1.]))
    >>> validate_inputs([1, 2], 0, [[1.0, 2.0]], [[1.0]])
    Traceback (most recent call last):
        ...
    ValueError: y must be 1-D with 1 entries (one per row of X), got shape (1, 1)
    """
    w, b, X, y = _with_checked_shapes(w, b, X, y)
    _require_finite(X, "X", _WHERE_IN_X)
    _require_valid_values(w, b, y)
    return w, b, X, y


def _with_checked_shapes(
    w: ArrayLike, b: float, X: ArrayLike, y: ArrayLike
) -> tuple[FloatArray, float, FloatArray, FloatArray]:
    # The kinds and the shapes of section 1 of the contract, as float64.
    X = _as_real_array(X, "X")
    w = _as_real_array(w, "w")
    y = _as_real_array(y, "y")
    b_array = _as_real_array(b, "b")

    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}")
    n, k = X.shape
    if n == 0:
        raise ValueError("X has no rows: the cost of no examples is undefined")
    if w.ndim != 1:
        raise ValueError(
            f"w must be 1-D with {k} entries (one per feature of X), got shape {w.shape}"
        )
    if w.shape[0] != k:
        raise ValueError(f"w has {w.shape[0]} entries but X has {k} features")
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D with {n} entries (one per row of X), got shape {y.shape}")
    if y.shape[0] != n:
        raise ValueError(f"y has {y.shape[0]} entries but X has {n} rows")
    if b_array.ndim != 0:
        raise ValueError(f"b must be a scalar, got shape {b_array.shape}")
    return w, float(b_array), X, y


def _require_valid_values(w: FloatArray, b: float, y: FloatArray) -> None:
    # The values of section 1 of the contract but X's, which gradient checks
    # block by block; in validate_inputs' order, so the same error comes first.
    _require_finite(w, "w", "at entry {0}")
    _require_finite(y, "y", "at row {0}")
    _require_finite(np.asarray(b), "b", "")
    outside = (y < 0) | (y > 1)
    if outside.any():
        i = int(np.argmax(outside))
        raise ValueError(f"y must lie in [0, 1]; found {y[i]} at row {i}")


def _as_real_array(value: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(value)
    if array.dtype.kind not in _REAL_KINDS:
        raise TypeError(f"{name} must hold real numbers, got {array.dtype}")
    return array.astype(np.float64, copy=False)


def _require_finite(array: FloatArray, name: str, where: str, first_row: int = 0) -> None:
    # first_row: the row of the whole array where a block of it starts.
    finite = np.isfinite(array)
    if finite.all():
        return
    index = np.unravel_index(np.argmin(finite), array.shape)
    value = array[index]
    what = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    place = (" " + where.format(index[0] + first_row, *index[1:])) if where else ""
    raise ValueError(f"{name} contains {what}{place}")


def _row_blocks(n: int, k: int) -> list[slice]:
    rows = max(1, _BLOCK_BYTES // (8 * max(k, 1)))
    return [slice(start, min(start + rows, n)) for start in range(0, n, rows)]


def _logits(w: FloatArray, b: float, X: FloatArray, first_row: int = 0) -> FloatArray:
    # Finite inputs can still give infinite logits (1e300 * 1e300); that is a
    # property of the data, reported as such rather than as a floating-point trap.
    with np.errstate(over="ignore", invalid="ignore"):
        z = X @ w + b
    finite = np.isfinite(z)
    if not finite.all():
        i = int(np.argmin(finite))
        raise ValueError(f"the logits z = Xw + b overflow (row {i + first_row} gives {z[i]})")
    return z


def _losses(z: FloatArray, y: FloatArray) -> FloatArray:
    # ℓ = log1p(exp(-|z|)) + max(z, 0) - y z, with the linear part formed as
    # (1 - y) z or y |z| on each branch: both terms are then non-negative.
    linear = np.where(z >= 0, (1.0 - y) * z, y * -z)
    return np.log1p(np.exp(-np.abs(z))) + linear


def _residuals(z: FloatArray, y: FloatArray) -> FloatArray:
    # With e = exp(-|z|): σ(z) = p / (1 + e) and 1 - σ(z) = q / (1 + e), where
    # (p, q) = (1, e) for z >= 0 and (e, 1) for z < 0. Then
    # σ - y = (1 - y) σ - y (1 - σ) = ((1 - y) p - y q) / (1 + e): for a hard
    # label one of the two products is zero and nothing cancels.
    e = np.exp(-np.abs(z))
    nonnegative = z >= 0
    p = np.where(nonnegative, 1.0, e)
    q = np.where(nonnegative, e, 1.0)
    numerator = (1.0 - y) * p - y * q
    # A soft label close to σ(z) at a small logit makes the two products nearly
    # cancel, and the rounding of e (about eps) would swamp a residual that is
    # itself tiny. Writing e = 1 + m with m = expm1(-|z|) moves the cancelling
    # part into 1 - 2y, which is exact there, and leaves an error of order
    # eps·|z| instead of eps: the gradient is then accurate relative to its
    # conditioning (shared/NUMERICS.md, section 3). Hard labels keep the form
    # above, which is exact to the last bits however large |z| is.
    fix = (np.abs(z) < 1.0) & (y > 0.0) & (y < 1.0)
    if fix.any():
        m = np.expm1(-np.abs(z[fix]))
        yf = y[fix]
        numerator[fix] = (1.0 - 2.0 * yf) + np.where(nonnegative[fix], -yf, 1.0 - yf) * m
    return numerator / (1.0 + e)


def _mean(terms: FloatArray) -> float:
    """The mean of non-negative terms, safe from overflow of the intermediate sum."""
    n = terms.shape[0]
    largest = float(np.max(terms))
    if largest <= np.finfo(np.float64).max / n:
        return float(np.sum(terms) / n)
    # Scaling by a power of two is exact, so this costs no accuracy.
    exponent = np.frexp(largest)[1]
    scaled = np.ldexp(terms, -exponent)
    return float(np.ldexp(np.sum(scaled) / n, exponent))
