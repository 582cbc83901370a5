"""One sigmoid neuron in NumPy: the cross-entropy cost, its gradient, and their checks.

The book derives the gradient of the mean binary cross-entropy with SymPy
(:mod:`xentropy.symbolic.neuron`); this module computes it for real data, in float64, with the
stable forms of :mod:`xentropy.numeric.binary`. Inputs are checked first, by
:func:`validate_inputs`, so a mistake in a shape or a NaN in the data raises an error that says
what is wrong instead of returning a quiet NaN. :func:`cost` and :func:`gradient` read X once, a
row or a block of rows at a time, multiplied by w and by its residuals while it is in the cache,
the blocks shared among the cores: from :data:`xentropy.numeric.blocks.FUSED_BYTES` of X on in a
loop compiled by Numba (:mod:`xentropy.numeric.fused`), below it in NumPy calls
(:mod:`xentropy.numeric.blocks`), which also find and report any bad value the loop came upon.
:func:`check_gradient` compares any gradient function with a numerical derivative, and
:func:`grade` does so on several problems chosen to expose the usual mistakes. This module does
not import SymPy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Unpack

import numpy as np
from numpy.typing import ArrayLike

from xentropy.gradcheck import CheckOptions, GradientCheck, check_parameters, require_method
from xentropy.numeric import binary, blocks, validation
from xentropy.numeric.validation import FloatArray

__all__ = [
    "Grade",
    "check_gradient",
    "complex_cost",
    "cost",
    "grade",
    "gradient",
    "grading_problems",
    "validate_inputs",
]

GradientFunction = Callable[..., tuple[ArrayLike, float]]

_LOGITS = "the logits z = Xw + b"


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
        C, the mean of the n losses: finite and non-negative.

    Raises
    ------
    ValueError
        If a shape does not fit, a value is NaN or infinite, a label lies
        outside [0, 1], X has no rows, or the logits overflow.
    TypeError
        If an input is not made of real numbers (complex, objects, strings).

    Examples
    --------
    >>> from xentropy.numeric.neuron import cost
    >>> X = [[1.0, 2.0], [-1.0, 0.5], [0.0, -3.0]]
    >>> print(f"{cost([0.0, 0.0], 0.0, X, [1, 0, 1]):.12f}")  # every σ is 1/2: the cost is ln 2
    0.693147180560

    A confident, correct prediction costs almost nothing, and the tiny cost is
    computed to full relative precision rather than rounded to zero:

    >>> print(f"{cost([40.0], 0.0, [[1.0]], [1]):.12g}")
    4.24835425529e-18
    """
    w, b, X, y = _checked_arguments(w, b, X, y)
    if _compiled_pass(X):
        from xentropy.numeric import fused  # imports Numba: only for an X this large

        terms = fused.losses(w, b, X, y)
        if terms is not None:
            return binary.mean(terms)
        # A logit is not finite: the NumPy pass finds why, and raises the contract's error.
    check_x = _rows_need_checking(w)

    def block_losses(rows: slice) -> FloatArray:
        return binary.losses(_block_logits(w, b, X, rows, check_x), y[rows])

    n, k = X.shape
    return binary.mean(np.concatenate(blocks.map_row_blocks(block_losses, n, k)))


def gradient(w: ArrayLike, b: float, X: ArrayLike, y: ArrayLike) -> tuple[FloatArray, float]:
    """The gradient of :func:`cost` with respect to the weights and the bias.

    ∇_w C = Xᵀ r / n and ∂C/∂b = mean(r), where r = σ(Xw + b) - y is the
    residual. r is formed from ``exp(-|z|)`` so that for hard labels it keeps
    its full relative precision however small it is (``σ(z) - 1`` computed as
    ``-exp(-z) / (1 + exp(-z))``, not as a difference).

    Parameters
    ----------
    w, b, X, y
        The weights (k of them), the bias, the data (n × k, an example per row) and the labels
        (n of them), as for :func:`cost`.

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
    >>> from xentropy.numeric.neuron import gradient
    >>> grad_w, grad_b = gradient([0.0, 0.0], 0.0, [[1.0, 2.0], [3.0, 4.0]], [1, 0])
    >>> grad_w  # r = (-1/2, 1/2), so ∇_w C = ((-1 + 3)/4, (-2 + 4)/4)
    array([0.5, 0.5])
    >>> grad_b
    0.0
    """
    w, b, X, y = _checked_arguments(w, b, X, y)
    if _compiled_pass(X):
        from xentropy.numeric import fused  # imports Numba: only for an X this large

        found = fused.gradient(w, b, X, y)
        if found is not None:
            return found
        # A logit is not finite: the NumPy pass finds why, and raises the contract's error.
    check_x = _rows_need_checking(w)
    n, k = X.shape

    def block_gradient(rows: slice) -> tuple[FloatArray, float]:
        X_block = X[rows]
        # Dividing r by n before the product, rather than the product by n, keeps
        # Xᵀr from overflowing when X holds values near the largest float.
        r = binary.residuals(_block_logits(w, b, X, rows, check_x), y[rows])
        tiny = np.abs(r) < binary.TINY_RESIDUAL
        if not tiny.any():
            r_over_n = r / n
            return X_block.T @ r_over_n, float(np.sum(r_over_n))
        # A tiny residual would lose its low bits in r / n (a subnormal): scaled by an exact
        # power of two first, and its part of the products scaled back after.
        large, small = np.where(tiny, 0.0, r) / n, np.where(tiny, r * binary.UP, 0.0) / n
        share_w = X_block.T @ large + (X_block.T @ small) * binary.DOWN
        return share_w, float(np.sum(large)) + float(np.sum(small)) * binary.DOWN

    # The blocks' shares are added in the order of the blocks, so the sum does not depend
    # on how many threads computed them, nor on which finished first.
    grad_w, grad_b = np.zeros(k), 0.0
    for share_w, share_b in blocks.map_row_blocks(block_gradient, n, k):
        grad_w += share_w
        grad_b += share_b
    return grad_w, grad_b


def validate_inputs(
    w: ArrayLike, b: float, X: ArrayLike, y: ArrayLike
) -> tuple[FloatArray, float, FloatArray, FloatArray]:
    """Check the arguments of :func:`cost` and :func:`gradient`; return them as float64.

    Every check of the numeric contract's section on bad input, except the overflow of the
    logits, which needs the logits (see :func:`cost`). Nothing is broadcast: a
    label column of shape (n, 1) is refused, not stretched. The caller's arrays
    are never modified; float64 arrays are returned as they are, not copied. The
    arguments are those of :func:`cost`.

    Returns
    -------
    w : numpy.ndarray, shape (k,)
    b : float
    X : numpy.ndarray, shape (n, k)
    y : numpy.ndarray, shape (n,)

    Raises
    ------
    ValueError, TypeError
        As for :func:`cost`: the message names the argument, what it should be and what came.

    Examples
    --------
    >>> from xentropy.numeric.neuron import validate_inputs
    >>> validate_inputs([1, 2], 0, [[True, False]], [1])
    (array([1., 2.]), 0.0, array([[1., 0.]]), array([1.]))
    >>> validate_inputs([1, 2], 0, [[1.0, 2.0]], [[1.0]])
    Traceback (most recent call last):
        ...
    ValueError: y must be 1-D with 1 entries (one per row of X), got shape (1, 1)
    """
    w, b, X, y = _with_checked_shapes(w, b, X, y)
    validation.require_finite(X, "X", validation.AT_ROW_COLUMN)
    _require_valid_values(w, b, y)
    return w, b, X, y


# -- the checks -----------------------------------------------------------------------------


def complex_cost(w: ArrayLike, b: complex, X: ArrayLike, y: ArrayLike) -> complex:
    """The cost of :func:`xentropy.cost`, extended to complex weights and bias.

    Equal to :func:`xentropy.cost` for real arguments and complex-analytic in
    w and b, as the complex step needs: ℓ = log(1 + exp(-z)) + (1 - y) z where
    Re z >= 0 and log(1 + exp(z)) - y z where Re z < 0, so only exp and log of
    complex values appear and the exponential never overflows.

    Parameters
    ----------
    w : array_like, shape (k,), real or complex
    b : complex
    X : array_like, shape (n, k), real
    y : array_like, shape (n,), in [0, 1]

    Returns
    -------
    complex

    Examples
    --------
    >>> from xentropy.numeric.neuron import complex_cost
    >>> c = complex_cost([2.0 + 1e-20j], 0.0, [[1.0], [-1.0]], [1, 0])
    >>> print(f"{c.real:.12f} {c.imag / 1e-20:.12f}")  # the cost, and its derivative in w
    0.126928011043 -0.119202922022
    """
    w = np.asarray(w)
    w_real, b_real, X, y = validate_inputs(np.real(w), np.real(b), X, y)
    validation.weighted_inputs(X, w_real, b_real, _LOGITS)  # raises if the real logits overflow
    z = X @ (w_real + 1j * np.imag(w)) + (b_real + 1j * float(np.imag(b)))
    return binary.complex_mean(binary.complex_losses(z, y))


def check_gradient(
    w: ArrayLike,
    b: float,
    X: ArrayLike,
    y: ArrayLike,
    gradient_fn: GradientFunction = gradient,
    **options: Unpack[CheckOptions],
) -> GradientCheck:
    """Check a gradient of the cost against a numerical derivative, parameter by parameter.

    Parameters
    ----------
    w, b, X, y
        The point and the data, as for :func:`xentropy.cost`.
    gradient_fn : callable, optional
        ``gradient_fn(w, b, X, y) -> (grad_w, grad_b)``, the gradient under
        test; by default :func:`xentropy.gradient`. It is given copies, so it
        cannot disturb the check by changing its arguments.
    **options
        ``method``, the referee: 'complex' for the complex step (the default; accurate
        to the last bits) or 'central' for central differences (about 1e-10 on a
        well-scaled problem); ``tolerance``, the largest relative error that passes,
        by default :data:`~xentropy.gradcheck.GOOD` (1e-7), the threshold for a smooth
        cost in float64.

    Returns
    -------
    GradientCheck
        Each parameter's gradient, reference, relative error and verdict.

    Raises
    ------
    ValueError
        If the inputs are invalid (as for :func:`xentropy.cost`), ``method`` is
        unknown, or ``gradient_fn`` returns the wrong shapes.

    Examples
    --------
    >>> from xentropy.numeric.neuron import check_gradient
    >>> X, y = [[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0]], [1, 0, 1]
    >>> report = check_gradient([0.3, -0.2], 0.1, X, y)
    >>> report.passed, report.parameters
    (True, ('w_1', 'w_2', 'b'))

    A gradient that forgot the 1/n fails for every parameter:

    >>> from xentropy.numeric.neuron import gradient
    >>> def forgot_mean(w, b, X, y):
    ...     grad_w, grad_b = gradient(w, b, X, y)
    ...     return 3 * grad_w, 3 * grad_b
    >>> check_gradient([0.3, -0.2], 0.1, X, y, forgot_mean).verdicts
    ('wrong', 'wrong', 'wrong')
    """
    require_method(options.get("method", "complex"))
    w, b, X, y = validate_inputs(w, b, X, y)

    def wrong_shapes(shapes: list[tuple[int, ...]]) -> str:
        if len(shapes) != 2 or shapes[0] != w.shape:
            return (
                f"the gradient function returned grad_w of shape {shapes[0]}; "
                f"expected {w.shape}, one entry per weight"
            )
        return f"the gradient function returned grad_b of shape {shapes[1]}; expected a scalar"

    return check_parameters(
        {"w": w, "b": b}, (X, y), gradient_fn, cost, complex_cost, wrong_shapes, **options
    )


@dataclass(frozen=True)
class Grade:
    """The outcome of :func:`grade`: one :class:`GradientCheck` for each problem it was tried on.

    Attributes
    ----------
    checks : dict of str to GradientCheck
        The check on each problem, by a name that says what is special about it.

    Examples
    --------
    >>> from xentropy.numeric.neuron import grade
    >>> result = grade()  # the package's own gradient
    >>> result.passed, result.failed
    (True, {})
    """

    checks: dict[str, GradientCheck]

    @property
    def passed(self) -> bool:
        """Whether every parameter passed on every problem."""
        return all(check.passed for check in self.checks.values())

    @property
    def failed(self) -> dict[str, tuple[str, ...]]:
        """The parameters that failed, by problem; only the problems with a failure."""
        return {name: check.failed for name, check in self.checks.items() if check.failed}

    @property
    def verdict(self) -> str:
        """One sentence: correct, or which parameters failed on how many problems."""
        if self.passed:
            return "correct: every parameter agrees with the reference on every problem"
        failed = {p for parameters in self.failed.values() for p in parameters}
        weights = sorted((p for p in failed if p != "b"), key=lambda p: int(p.removeprefix("w_")))
        named = ", ".join([*weights, *(["b"] if "b" in failed else [])])
        return f"wrong on {len(self.failed)} of {len(self.checks)} problems, for {named}"

    def __str__(self) -> str:
        width = max(len(name) for name in self.checks)
        lines = [f"{'problem'.ljust(width)}  worst error  failed"]
        for name, check in self.checks.items():
            failed = ", ".join(check.failed) or "none"
            lines.append(f"{name.ljust(width)}  {check.worst:11.1e}  {failed}")
        return "\n".join([*lines, self.verdict])

    __repr__ = __str__


def grade(gradient_fn: GradientFunction = gradient, **options: Unpack[CheckOptions]) -> Grade:
    """Grade a gradient function on several seeded problems, parameter by parameter.

    One point can hide a mistake: a gradient that forgot the 1/n is right when n = 1, and one
    that uses X where Xᵀ belongs is right when X is symmetric. :func:`grade` runs
    :func:`check_gradient` on problems chosen so that each such mistake shows on some of them:
    several sizes (one example, one feature, a square X), labels all 0, all 1 and soft. The
    logits are moderate, so a correct formula computed the textbook way passes too.

    Parameters
    ----------
    gradient_fn : callable, optional
        ``gradient_fn(w, b, X, y) -> (grad_w, grad_b)``; by default :func:`xentropy.gradient`.
    **options
        ``method`` and ``tolerance``, as for :func:`check_gradient`.

    Returns
    -------
    Grade
        The check on each problem, and a one-sentence verdict.

    Raises
    ------
    ValueError
        As :func:`check_gradient`, for instance if ``gradient_fn`` returns the wrong shapes.

    Examples
    --------
    >>> import numpy as np
    >>> from xentropy.numeric.neuron import grade
    >>> def summed_not_averaged(w, b, X, y):
    ...     r = 1 / (1 + np.exp(-(X @ w + b))) - y
    ...     return X.T @ r, np.sum(r)
    >>> print(grade(summed_not_averaged).verdict)
    wrong on 6 of 7 problems, for w_1, w_2, w_3, w_4, b
    """
    return Grade(
        {
            name: check_gradient(w, b, X, y, gradient_fn, **options)
            for name, (w, b, X, y) in grading_problems().items()
        }
    )


def _with_checked_shapes(
    w: ArrayLike, b: float, X: ArrayLike, y: ArrayLike
) -> tuple[FloatArray, float, FloatArray, FloatArray]:
    # The kinds and the shapes of the contract, as float64.
    X, w, y, b_array = validation.as_real_arrays(X=X, w=w, y=y, b=b)
    n, k = validation.require_data_matrix(X)
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
    # The values of the contract but X's, which gradient checks block by block;
    # in validate_inputs' order, so the same error comes first.
    validation.require_finite(w, "w", validation.AT_ENTRY)
    validation.require_finite(y, "y", validation.AT_ROW)
    validation.require_finite(np.asarray(b), "b", "")
    validation.require_in_unit_interval(y, "y")


def _checked_arguments(
    w: ArrayLike, b: float, X: ArrayLike, y: ArrayLike
) -> tuple[FloatArray, float, FloatArray, FloatArray]:
    # validate_inputs but for X's values, which the pass over X checks block by block; when
    # w, y or b is wrong, X is checked first, so the same error comes first.
    w, b, X, y = _with_checked_shapes(w, b, X, y)
    try:
        _require_valid_values(w, b, y)
    except ValueError:
        validation.require_finite(X, "X", validation.AT_ROW_COLUMN)
        raise
    return w, b, X, y


def _compiled_pass(X: FloatArray) -> bool:
    # The compiled loop reads X row by row: in C order, and large enough for the loop to pay
    # for itself (blocks.FUSED_BYTES); the NumPy pass takes any other X.
    return X.nbytes >= blocks.FUSED_BYTES and X.flags.c_contiguous


def _rows_need_checking(w: FloatArray) -> bool:
    # A NaN or infinity in a row of X makes the row's logit NaN or infinite whatever the
    # (finite) weights, as long as every product is formed: x·0 is NaN for x = inf, but a
    # BLAS may skip a zero weight altogether. With no zero weight, a finite logit vouches for
    # its row, and the check of X's values, which costs about as much as the product,
    # is needed only where a logit is not finite.
    return not w.all()  # w is finite here: all() is False exactly when a weight is ±0


def _block_logits(w: FloatArray, b: float, X: FloatArray, rows: slice, check_x: bool) -> FloatArray:
    """z = Xw + b for a block of rows; raise for X's first bad value, or the first overflow."""
    X_block = X[rows]
    if check_x:
        validation.require_finite(X_block, "X", validation.AT_ROW_COLUMN, first_row=rows.start)
    try:
        return validation.weighted_inputs(X_block, w, b, _LOGITS, first_row=rows.start)
    except ValueError:
        # validate_inputs checks all of X before the logits exist: a bad value of X here or
        # in a later row is reported before the overflow.
        rest = X[rows.start :]
        validation.require_finite(rest, "X", validation.AT_ROW_COLUMN, first_row=rows.start)
        raise


def grading_problems() -> dict[str, tuple[FloatArray, float, FloatArray, FloatArray]]:
    """The problems :func:`grade` tries, by name: (w, b, X, y), seeded, moderate logits.

    Each is a different way for a gradient to go wrong: one example, one feature, a square X,
    all labels 0, all labels 1, soft labels.
    """
    rng = np.random.default_rng(20240)

    def problem(
        n: int, k: int, labels: str = "0 or 1"
    ) -> tuple[FloatArray, float, FloatArray, FloatArray]:
        X = rng.normal(size=(n, k))
        w, b = rng.normal(size=k) / np.sqrt(k), float(rng.normal(scale=0.5))
        y = {
            "0 or 1": (rng.random(n) < 0.5).astype(float),
            "all 0": np.zeros(n),
            "all 1": np.ones(n),
            "soft": rng.random(n),
        }[labels]
        return w, b, X, y

    return {
        "8 examples, 3 features": problem(8, 3),
        "1 example, 2 features": problem(1, 2),
        "5 examples, 1 feature": problem(5, 1),
        "3 examples, 3 features": problem(3, 3),
        "all labels 0": problem(6, 2, "all 0"),
        "all labels 1": problem(6, 2, "all 1"),
        "soft labels": problem(6, 4, "soft"),
    }
