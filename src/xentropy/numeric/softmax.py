"""The NumPy softmax, and the log-likelihood cost of a softmax output layer with its gradient.

A layer of K softmax neurons on k features, with one row of weights per class as in Nielsen's
layers: W is K × k, its row c the weights of class c: W[c - 1, j - 1] is the book's w_cj, the
weight from feature j to class c (NumPy counts from 0). With the n
examples in the rows of X the logits are Z = X Wᵀ + b, the probabilities A = softmax(Z) row by
row, and the cost the mean categorical cross-entropy C = -(1/n) Σ_i Σ_c Y_ic ln A_ic against
labels Y whose rows are probability distributions (one-hot rows for hard labels; :func:`one_hot`
makes them from class numbers). The gradient is ∂C/∂Z = (A - Y)/n, so ∇_W C = (A - Y)ᵀ X / n
and ∇_b C is the column mean of A - Y.

Every logit enters only through its difference from the largest logit of its row, Z - max Z,
formed exactly (an error-free subtraction), so shifting all logits by any amount changes
nothing, no exponential can overflow, and a logit of -inf simply gives probability 0. The
logarithm of the largest probability is -log1p(s), s the sum of the other exponentials, so a
confident right answer costs its true tiny amount rather than 0. Inputs are checked with
:mod:`xentropy.numeric.validation`, under the numeric contract (appendix "What the numbers
promise"). This module does not import SymPy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Unpack

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentropy.gradcheck import CheckOptions, GradientCheck, check_parameters, require_method
from xentropy.numeric import binary, validation
from xentropy.numeric.validation import FloatArray

BoolArray = NDArray[np.bool_]
IndexArray = NDArray[np.intp]

__all__ = [
    "ROW_SUM_TOLERANCE",
    "categorical_cross_entropy",
    "check_softmax_gradient",
    "complex_softmax_cost",
    "log_softmax",
    "one_hot",
    "softmax",
    "softmax_cost",
    "softmax_gradient",
    "validate_softmax_inputs",
]

#: How far a row of labels may sum from 1: sqrt(eps), about 1.5e-8. Rows computed in floating
#: point, or written with eight or more significant digits, pass; a row that sums to 0.9 does not.
ROW_SUM_TOLERANCE = float(np.sqrt(np.finfo(np.float64).eps))


# -- the softmax of logits ---------------------------------------------------------------------


def softmax(Z: ArrayLike) -> FloatArray:
    """The softmax of each row of logits: exp(Z) / Σ exp(Z), along the last axis.

    Accurate to a few units in the last place for any finite logits, however large or far
    apart: only exponentials of differences from the row's maximum are taken, and those
    differences are formed exactly. A logit of -inf gives probability 0. A row holding NaN or
    +inf, or only -inf, has no softmax and gives NaN, as NumPy's functions do.

    Parameters
    ----------
    Z : array_like of real numbers, at least 1-D
        The logits, the classes along the last axis.

    Returns
    -------
    numpy.ndarray
        Probabilities with the shape of ``Z``; each row sums to 1 (within a few eps).

    Raises
    ------
    ValueError
        If ``Z`` is a scalar or has no classes (a last axis of length 0).
    TypeError
        If ``Z`` holds complex numbers, objects or strings.

    Examples
    --------
    >>> from xentropy.numeric.softmax import softmax
    >>> softmax([1.0, 2.0, 3.0])
    array([0.09003057, 0.24472847, 0.66524096])
    >>> softmax([[1000.0, 1000.0], [0.0, -np.inf]])  # no overflow; -inf is probability 0
    array([[0.5, 0.5],
           [1. , 0. ]])
    """
    Z, shape = _rows_of_logits(Z, "Z")
    D, err, ok, s, _ = _shifted(Z)
    return _undefined_rows_to_nan(_probabilities(D, err, ok, s), Z).reshape(shape)


def log_softmax(Z: ArrayLike) -> FloatArray:
    """The logarithm of :func:`softmax`, computed without ever forming the softmax.

    ln A_c = (Z_c - max Z) - log1p(s), where s is the sum of exp(Z_l - max Z) over every class
    l but one that holds the maximum. Both terms are at most 0, so nothing cancels; a logit of
    -inf gives -inf. Rows without a softmax give NaN, as for :func:`softmax`.

    Parameters
    ----------
    Z : array_like
        As for :func:`softmax`.

    Returns
    -------
    numpy.ndarray
        Log-probabilities with the shape of ``Z``, all at most 0. Bad input raises what it
        raises in :func:`softmax`.

    Examples
    --------
    >>> from xentropy.numeric.softmax import log_softmax
    >>> log_softmax([0.0, 0.0])
    array([-0.69314718, -0.69314718])
    >>> print(f"{log_softmax([40.0, 0.0])[0]:.12g}")  # -log(1 + e^-40), not rounded to 0
    -4.24835425529e-18
    """
    Z, shape = _rows_of_logits(Z, "Z")
    return _undefined_rows_to_nan(_log_probabilities(Z), Z).reshape(shape)


def categorical_cross_entropy(Z: ArrayLike, Y: ArrayLike) -> float:
    """The mean log-likelihood cost of logits Z against labels Y: -(1/n) Σ_i Σ_c Y_ic ln A_ic.

    Unlike :func:`softmax_cost` this takes the logits themselves, and a logit may be -inf: a
    class ruled out. The cost stays finite as long as no ruled-out class has a label above 0;
    if one does, the cost is inf.

    Parameters
    ----------
    Z : array_like, shape (n, K)
        The logits, finite or -inf; each row needs at least one finite logit.
    Y : array_like, shape (n, K)
        The labels, each row a probability distribution over the K classes.

    Returns
    -------
    float
        The cost, non-negative.

    Raises
    ------
    ValueError
        If a shape does not fit, Z holds NaN or +inf or a row of -inf only, or Y is not a
        matrix of probability distributions (see :func:`validate_softmax_inputs`).
    TypeError
        If an input holds complex numbers, objects or strings.

    Examples
    --------
    >>> from xentropy.numeric.softmax import categorical_cross_entropy
    >>> print(f"{categorical_cross_entropy([[0.0, 0.0, -np.inf]], [[1.0, 0.0, 0.0]]):.12f}")
    0.693147180560
    """
    Z = validation.as_real_array(Z, "Z")
    if Z.ndim != 2:
        raise ValueError(f"Z must be 2-D, n × K (one row per example), got shape {Z.shape}")
    n, classes = Z.shape
    if n == 0:
        raise ValueError("Z has no rows: the cost of no examples is undefined")
    if classes == 0:
        raise ValueError("Z has no columns: there must be at least one class")
    bad = np.isnan(Z) | np.isposinf(Z)
    if bad.any():
        r, col = np.unravel_index(np.argmax(bad), Z.shape)
        raise ValueError(f"Z contains {Z[r, col]} at row {r}, column {col}")
    ruled_out = np.isneginf(Z).all(axis=1)
    if ruled_out.any():
        raise ValueError(f"row {int(np.argmax(ruled_out))} of Z is -inf for every class")
    Y = _checked_labels(Y, n, classes, "Z has")
    return binary.mean(_losses(Z, Y))


# -- the softmax output layer ------------------------------------------------------------------


def softmax_cost(W: ArrayLike, b: ArrayLike, X: ArrayLike, Y: ArrayLike) -> float:
    """The mean log-likelihood cost of a softmax layer: C(W, b) for Z = X Wᵀ + b.

    Parameters
    ----------
    W : array_like, shape (K, k)
        The weights, one row per class: W[c, j] connects feature j to class c.
    b : array_like, shape (K,)
        The biases, one per class.
    X : array_like, shape (n, k)
        The data, one example per row; n must be at least 1.
    Y : array_like, shape (n, K)
        The labels, each row a probability distribution over the classes (one-hot for a hard
        label; see :func:`one_hot`).

    Returns
    -------
    float
        The mean log-likelihood cost over the n examples, finite and non-negative.

    Raises
    ------
    ValueError
        When a shape does not fit, a value is NaN or infinite, Y is not a matrix of probability
        distributions, X has no rows, or the logits overflow.
    TypeError
        If W, b, X or Y holds anything but real numbers.

    Examples
    --------
    >>> from xentropy.numeric.softmax import softmax_cost
    >>> X = [[1.0, 2.0], [0.5, -1.0]]
    >>> print(f"{softmax_cost(np.zeros((3, 2)), np.zeros(3), X, [[1, 0, 0], [0, 0, 1]]):.12f}")
    1.098612288668
    """
    W, b, X, Y = validate_softmax_inputs(W, b, X, Y)
    return binary.mean(_losses(_logits(W, b, X), Y))


def softmax_gradient(
    W: ArrayLike, b: ArrayLike, X: ArrayLike, Y: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """The gradient of :func:`softmax_cost` with respect to the weights and the biases.

    ∇_W C = Rᵀ X / n and ∇_b C = the column means of R, where R = A ⊙ S - Y, A the softmax of
    each row, S the sum of each row of Y. S is 1 within :data:`ROW_SUM_TOLERANCE`, so R is
    A - Y, the book's a_c - y_c; keeping S makes this the exact gradient of the cost as
    computed. The entry of R at a row's largest logit is formed as (S - Y_c) - S(1 - A_c),
    with 1 - A_c computed directly, so a confident right answer keeps its tiny gradient.

    Parameters
    ----------
    W, b, X, Y
        As for :func:`softmax_cost`.

    Returns
    -------
    grad_W : numpy.ndarray, shape (K, k)
        ∂C/∂W, one row per class: the book's ∂C/∂w_cj is ``grad_W[c - 1, j - 1]``.
    grad_b : numpy.ndarray, shape (K,)
        ∂C/∂b_c.

    Bad input raises the errors of :func:`softmax_cost`.

    Examples
    --------
    >>> from xentropy.numeric.softmax import softmax_gradient
    >>> grad_W, grad_b = softmax_gradient(np.zeros((2, 1)), np.zeros(2), [[2.0]], [[1, 0]])
    >>> grad_W.T, grad_b  # a = (1/2, 1/2), so a - y = (-1/2, 1/2)
    (array([[-1.,  1.]]), array([-0.5,  0.5]))
    """
    W, b, X, Y = validate_softmax_inputs(W, b, X, Y)
    R_over_n = _residuals(_logits(W, b, X), Y) / X.shape[0]  # before the product: no overflow
    return R_over_n.T @ X, R_over_n.sum(axis=0)


def one_hot(labels: ArrayLike, classes: int) -> FloatArray:
    """Rows of labels for :func:`softmax_cost` from class numbers 0, …, classes - 1.

    Examples
    --------
    >>> from xentropy.numeric.softmax import one_hot
    >>> one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    values = validation.as_real_array(labels, "labels")
    if values.ndim != 1:
        raise ValueError(f"labels must be 1-D, one class number per example, got {values.shape}")
    if not isinstance(classes, (int, np.integer)) or isinstance(classes, bool) or classes < 1:
        raise ValueError(f"classes must be a positive integer, got {classes!r}")
    validation.require_finite(values, "labels", validation.AT_ENTRY)
    bad = (values != np.round(values)) | (values < 0) | (values >= classes)
    if bad.any():
        e = int(np.argmax(bad))
        raise ValueError(
            f"labels must be class numbers 0, …, {classes - 1}; found {values[e]} at entry {e}"
        )
    Y = np.zeros((values.shape[0], classes))
    Y[np.arange(values.shape[0]), values.astype(np.intp)] = 1.0
    return Y


def validate_softmax_inputs(
    W: ArrayLike, b: ArrayLike, X: ArrayLike, Y: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Check the arguments of :func:`softmax_cost` and :func:`softmax_gradient`; return float64.

    Nothing is broadcast, and the caller's arrays are never modified. Labels must be
    non-negative and each row must sum to 1 within :data:`ROW_SUM_TOLERANCE`.

    Raises
    ------
    ValueError, TypeError
        As for :func:`softmax_cost`, naming the argument, what it should be and what came.

    Examples
    --------
    >>> from xentropy.numeric.softmax import validate_softmax_inputs
    >>> validate_softmax_inputs([[1], [2]], [0, 0], [[1.0], [2.0]], [[1, 0], [0.5, 0.4]])
    Traceback (most recent call last):
        ...
    ValueError: each row of Y must sum to 1 (a probability distribution over the 2 classes); row 1 sums to 0.9
    """  # noqa: E501 (a doctest expects the one-line error message in full)
    X, W, b = validation.as_real_arrays(X=X, W=W, b=b)
    n, k = validation.require_data_matrix(X)
    classes = validation.require_layer(
        W, b, k, ("W", "b"), "K × k", "class", "feature of X", f"X has {k} features"
    )
    if classes == 0:
        raise ValueError("W has no rows: there must be at least one class")
    validation.require_finite(X, "X", validation.AT_ROW_COLUMN)
    validation.require_finite(W, "W", validation.AT_ROW_COLUMN)
    validation.require_finite(b, "b", validation.AT_ENTRY)
    Y = _checked_labels(Y, n, classes, f"X has {n} rows and W")
    return W, b, X, Y


def _checked_labels(Y: ArrayLike, n: int, classes: int, context: str) -> FloatArray:
    Y = validation.as_real_array(Y, "Y")
    if Y.shape != (n, classes):
        expected = "2-D" if Y.ndim != 2 else f"{n} × {classes}"
        raise ValueError(
            f"Y must be {expected}, one row per example and one column per class: "
            f"{context} {classes} classes, so Y must have shape ({n}, {classes}); got {Y.shape}"
        )
    validation.require_finite(Y, "Y", validation.AT_ROW_COLUMN)
    negative = Y < 0
    if negative.any():
        r, col = np.unravel_index(np.argmax(negative), Y.shape)
        raise ValueError(f"Y must be non-negative; found {Y[r, col]} at row {r}, column {col}")
    sums = Y.sum(axis=1)
    off = np.abs(sums - 1.0) > ROW_SUM_TOLERANCE
    if off.any():
        row = int(np.argmax(off))
        raise ValueError(
            f"each row of Y must sum to 1 (a probability distribution over the {classes} "
            f"classes); row {row} sums to {float(sums[row])}"
        )
    return Y


# -- the gradient check ------------------------------------------------------------------------


def complex_softmax_cost(W: ArrayLike, b: ArrayLike, X: ArrayLike, Y: ArrayLike) -> complex:
    """The cost of :func:`softmax_cost` for complex weights and biases, for the complex step.

    Complex-analytic in W and b: the largest logit of each row is chosen by the real parts and
    then held fixed, and only exp and log of complex values appear: ln A_c = D_c - log(1 + s)
    with D = Z - Z_max and s the sum of exp(D_l) over the other classes.

    Examples
    --------
    >>> from xentropy.numeric.softmax import complex_softmax_cost
    >>> c = complex_softmax_cost([[0.0 + 1e-20j], [0.0]], [0.0, 0.0], [[1.0]], [[1, 0]])
    >>> print(f"{c.real:.12f} {c.imag / 1e-20:.12f}")  # ln 2, and ∂C/∂W[0, 0] = a_1 - y_1 (x = 1)
    0.693147180560 -0.500000000000
    """
    W, b = np.asarray(W), np.asarray(b)
    W_real, b_real, X, Y = validate_softmax_inputs(np.real(W), np.real(b), X, Y)
    _logits(W_real, b_real, X)  # raises if the real logits overflow
    Z = X @ (W_real + 1j * np.imag(W)).T + (b_real + 1j * np.imag(b))
    rows = np.arange(Z.shape[0])
    top = np.argmax(Z.real, axis=1)
    D = Z - Z[rows, top][:, None]
    others = np.exp(D)
    others[rows, top] = 0.0
    log_A = D - np.log1p(others.sum(axis=1))[:, None]
    terms = -(Y * log_A).sum(axis=1)
    return binary.complex_mean(terms)


def check_softmax_gradient(
    W: ArrayLike,
    b: ArrayLike,
    X: ArrayLike,
    Y: ArrayLike,
    gradient_fn: Callable[..., tuple[ArrayLike, ArrayLike]] = softmax_gradient,
    **options: Unpack[CheckOptions],
) -> GradientCheck:
    """Check a gradient of :func:`softmax_cost` parameter by parameter, like ``check_gradient``.

    Parameters
    ----------
    W, b, X, Y
        The point and the data, as for :func:`softmax_cost`.
    gradient_fn : callable, optional
        ``gradient_fn(W, b, X, Y) -> (grad_W, grad_b)``; by default :func:`softmax_gradient`.
        It is given copies.
    method, tolerance : optional
        The referee, 'complex' (the complex step through :func:`complex_softmax_cost`) or
        'central' (central differences of :func:`softmax_cost`), and the largest relative
        error that passes, as for :func:`xentropy.check_gradient`.

    Returns
    -------
    xentropy.gradcheck.GradientCheck
        Rows ``W[c,j]`` for every weight, class by class, then ``b[c]``.

    Examples
    --------
    >>> from xentropy.numeric.softmax import check_softmax_gradient
    >>> X, Y = [[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    >>> W, b = [[0.3, 0.5], [-0.2, 0.0], [0.1, -0.4]], [0.1, 0.2, -0.3]
    >>> report = check_softmax_gradient(W, b, X, Y)
    >>> report.passed, len(report.parameters), report.parameters[-1]
    (True, 9, 'b_3')
    """
    require_method(options.get("method", "complex"))
    W, b, X, Y = validate_softmax_inputs(W, b, X, Y)
    expected = f"expected {W.shape} and {b.shape}, the shapes of W and b"

    def wrong_shapes(shapes: list[tuple[int, ...]]) -> str:
        return f"the gradient function returned shapes {' and '.join(map(str, shapes))}; {expected}"

    parameters = {"W": W, "b": b}
    costs = (softmax_cost, complex_softmax_cost)
    return check_parameters(parameters, (X, Y), gradient_fn, *costs, wrong_shapes, **options)


# -- the computation ---------------------------------------------------------------------------


def _rows_of_logits(Z: ArrayLike, name: str) -> tuple[FloatArray, tuple[int, ...]]:
    Z = validation.as_real_array(Z, name)
    if Z.ndim == 0:
        raise ValueError(f"{name} must be at least 1-D, the classes along the last axis")
    if Z.shape[-1] == 0:
        raise ValueError(f"{name} has no classes: its last axis has length 0")
    return Z.reshape(-1, Z.shape[-1]), Z.shape


def _undefined_rows_to_nan(values: FloatArray, Z: FloatArray) -> FloatArray:
    """NaN for every row that holds NaN or +inf, or only -inf: those rows have no softmax."""
    undefined = np.asarray((np.isnan(Z) | np.isposinf(Z)).any(axis=1) | np.isneginf(Z).all(axis=1))
    result: FloatArray = np.where(undefined[:, None], np.nan, values)
    return result


def _shifted(Z: FloatArray) -> tuple[FloatArray, FloatArray, BoolArray, FloatArray, IndexArray]:
    """The logits less each row's maximum, exactly, and the sum s of the other exponentials.

    Returns D and err, whose exact sum is Z - max Z where ``ok`` (finite differences); s, the
    sum of exp(D) over all classes but one holding the maximum (its exp is 1); and that class.
    Rows that have no softmax (see :func:`_undefined_rows_to_nan`) give harmless numbers here.
    """
    usable = np.isfinite(Z)
    top = np.argmax(np.where(usable, Z, -np.inf), axis=1)
    rows = np.arange(Z.shape[0])
    M = Z[rows, top][:, None]
    M = np.where(np.isfinite(M), M, 0.0)
    Zf = np.where(usable, Z, M)  # -inf (and undefined) entries become the maximum, fixed below
    with np.errstate(over="ignore"):
        D = Zf - M  # -inf only if the logits differ by more than the largest float
    ok = usable & np.isfinite(D)
    D = np.where(ok, D, 0.0)
    Zf = np.where(ok, Zf, M)
    # Knuth's TwoSum: D + err == Zf - M exactly. The rounding of D would otherwise cost a
    # relative error of eps·|D| in exp(D), 700 eps at D = -700.
    back = D - Zf
    err = (Zf - (D - back)) + (-M - back)
    E = _exponentials(D, err, ok)
    E[rows, top] = 0.0
    return D, err, ok, E.sum(axis=1), top


def _exponentials(D: FloatArray, err: FloatArray, ok: BoolArray) -> FloatArray:
    # exp(D + err) = exp(D) (1 + err) to within eps², err being below eps·|D|
    e = np.exp(D)
    result: FloatArray = np.where(ok, e + e * err, 0.0)
    return result


def _probabilities(D: FloatArray, err: FloatArray, ok: BoolArray, s: FloatArray) -> FloatArray:
    return _exponentials(D, err, ok) / (1.0 + s)[:, None]


def _log_probabilities(Z: FloatArray) -> FloatArray:
    D, err, ok, s, _ = _shifted(Z)
    result: FloatArray = np.where(ok, (D - np.log1p(s)[:, None]) + err, -np.inf)
    return result


def _losses(Z: FloatArray, Y: FloatArray) -> FloatArray:
    """-Σ_c Y_ic ln A_ic for each row: a sum of non-negative terms, 0 where Y_ic is 0."""
    surprise = -_log_probabilities(Z)  # >= 0, +inf for a ruled-out class
    terms = np.zeros_like(Z)
    np.multiply(Y, surprise, out=terms, where=Y > 0)  # 0 · inf is not asked for
    result: FloatArray = terms.sum(axis=1)
    return result


def _residuals(Z: FloatArray, Y: FloatArray) -> FloatArray:
    """R = A ⊙ S - Y, with the entry at each row's maximum as (S - Y_top) - S (1 - A_top)."""
    D, err, ok, s, top = _shifted(Z)
    rows = np.arange(Z.shape[0])
    S = Y.sum(axis=1)
    R = _probabilities(D, err, ok, s) * S[:, None] - Y
    others = Y.copy()
    others[rows, top] = 0.0
    R[rows, top] = others.sum(axis=1) - S * (s / (1.0 + s))  # 1 - A_top = s / (1 + s)
    result: FloatArray = R
    return result


def _logits(W: FloatArray, b: FloatArray, X: FloatArray) -> FloatArray:
    # Finite inputs can still give logits whose differences overflow: a property of
    # the data, reported as such.
    Z = validation.weighted_inputs(X, W.T, b, "the logits Z = XWᵀ + b", column="class")
    with np.errstate(over="ignore"):
        spread = Z.max(axis=1) - Z.min(axis=1)
    if not np.isfinite(spread).all():
        r = int(np.argmin(np.isfinite(spread)))
        raise ValueError(f"the logits of row {r} differ by more than the largest float")
    return Z
