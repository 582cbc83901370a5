"""Gradient checking: is an analytic gradient the derivative of the cost?

Two numerical derivatives serve as the referee. Central differences need
nothing but the cost and agree with the truth to about 1e-10 at the best step;
the complex step evaluates the cost once at a complex parameter,
``Im C(θ + ih) / h``, subtracts nothing, and agrees to the last bits. For that
it needs the cost written with analytic operations only (:func:`complex_cost`).
:func:`check_gradient` compares a gradient, ours or a reader's, with either
referee parameter by parameter, b included, and grades each relative error
against the thresholds of shared/NUMERICS.md, section 5; :func:`grade` runs it on
several seeded problems, so that a mistake one point hides shows on another.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .numeric import _logits, _mean, cost, gradient, validate_inputs

__all__ = [
    "GOOD",
    "WRONG",
    "Grade",
    "GradientCheck",
    "central_difference",
    "check_gradient",
    "complex_cost",
    "complex_step",
    "grade",
    "relative_error",
]

FloatArray = NDArray[np.float64]
GradientFunction = Callable[..., tuple[ArrayLike, float]]

#: A relative error at or below this is what a correct gradient of a smooth cost shows in float64.
GOOD = 1e-7
#: A relative error above this means the gradient is wrong, whatever the cost.
WRONG = 1e-2

_EPS = np.finfo(np.float64).eps
_CUBE_ROOT_EPS = float(np.cbrt(_EPS))
_METHODS = {"complex": "complex step", "central": "central differences"}


def relative_error(a: ArrayLike, b: ArrayLike) -> np.float64 | FloatArray:
    """|a - b| / max(|a|, |b|), elementwise; two zeros agree perfectly.

    Unlike |a - b| / |b| it treats both arguments alike and never divides by
    zero. A NaN or an infinity in either argument gives NaN: nothing can be said
    to agree with it.

    Parameters
    ----------
    a, b : array_like of real numbers
        The values to compare, of the same shape (or broadcastable).

    Returns
    -------
    numpy.float64 or numpy.ndarray
        Between 0 (equal) and 2 (equal size, opposite sign).

    Examples
    --------
    >>> from xentropy.gradcheck import relative_error
    >>> relative_error(1.0, 1.25)
    np.float64(0.2)
    >>> relative_error([0.0, 2.0, 3.0], [0.0, -2.0, np.nan])
    array([ 0.,  2., nan])
    """
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    finite = np.isfinite(a) & np.isfinite(b)
    a, b = np.where(finite, a, 0.0), np.where(finite, b, 0.0)
    scale = np.maximum(np.abs(a), np.abs(b))
    scale = np.where(scale > 0, scale, 1.0)  # two zeros: 0 / 1 = 0, perfect agreement
    with np.errstate(over="ignore"):
        error = np.abs(a - b) / scale
    # a - b overflows only for values near the largest float with opposite
    # signs; dividing by the scale first keeps those finite.
    error = np.where(np.isinf(error), np.abs(a / scale - b / scale), error)
    error = np.where(finite, error, np.nan)
    return error[()] if error.ndim == 0 else error


def central_difference(
    f: Callable[[FloatArray], float], theta: ArrayLike, step: float = _CUBE_ROOT_EPS
) -> FloatArray:
    """The gradient of ``f`` at ``theta`` by central differences.

    ∂f/∂θ_i ≈ (f(θ + h e_i) - f(θ - h e_i)) / ((θ_i + h) - (θ_i - h)) with
    h = step·max(1, |θ_i|). The default step, eps^(1/3) (about 6e-6), balances
    the truncation error (of order h²) against the round-off (of order eps/h).
    The divisor is the step actually taken, which differs from 2h by the
    rounding of θ_i ± h.

    Parameters
    ----------
    f : callable
        Takes a float64 array shaped like ``theta``, returns a real number.
    theta : array_like, 1-D
        The point.
    step : float, optional
        The step relative to max(1, |θ_i|); change it only to study the method.

    Returns
    -------
    numpy.ndarray
        The estimated gradient, shaped like ``theta``.

    Examples
    --------
    >>> import numpy as np
    >>> from xentropy.gradcheck import central_difference
    >>> g = central_difference(lambda t: np.sin(t[0]) * t[1], [0.5, 2.0])
    >>> np.allclose(g, [2.0 * np.cos(0.5), np.sin(0.5)], rtol=1e-10, atol=0)
    True
    """
    theta = np.array(theta, dtype=np.float64)
    if theta.ndim != 1:
        raise ValueError(f"theta must be 1-D, got shape {theta.shape}")
    grad = np.empty_like(theta)
    for i, value in enumerate(theta):
        h = step * max(1.0, abs(value))
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / (up[i] - down[i])
    return grad


def complex_step(
    f: Callable[[NDArray[np.complex128]], complex], theta: ArrayLike, h: float = 1e-20
) -> FloatArray:
    """The gradient of ``f`` at ``theta`` by the complex step, Im f(θ + ih e_i) / h.

    For a function that is real on the reals and complex-analytic near θ,
    f(θ + ih) = f(θ) + ih f'(θ) - h² f''(θ)/2 + ..., so the imaginary part
    divided by h is f'(θ) with an error of order h². Nothing is subtracted,
    so h can be tiny (1e-20) and the result is accurate to the last bits.
    ``f`` must use analytic operations only: no ``abs``, ``max``, comparisons
    or clipping of complex values (branches on the real part are fine).

    Parameters
    ----------
    f : callable
        Takes a complex128 array shaped like ``theta``, returns a complex number.
    theta : array_like, 1-D
        The (real) point.
    h : float, optional
        The imaginary step.

    Returns
    -------
    numpy.ndarray
        The gradient, shaped like ``theta``.

    Examples
    --------
    >>> import numpy as np
    >>> from xentropy.gradcheck import complex_step
    >>> g = complex_step(lambda t: np.exp(t[0]) / t[1], [1.0, 4.0])
    >>> bool(g[0] == np.exp(1.0) / 4.0), bool(g[1] == -np.exp(1.0) / 16.0)
    (True, True)
    """
    theta = np.array(theta, dtype=np.float64)
    if theta.ndim != 1:
        raise ValueError(f"theta must be 1-D, got shape {theta.shape}")
    grad = np.empty_like(theta)
    for i in range(theta.size):
        shifted = theta.astype(np.complex128)
        shifted[i] += 1j * h
        grad[i] = np.imag(f(shifted)) / h
    return grad


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
    >>> from xentropy.gradcheck import complex_cost
    >>> c = complex_cost([2.0 + 1e-20j], 0.0, [[1.0], [-1.0]], [1, 0])
    >>> print(f"{c.real:.12f} {c.imag / 1e-20:.12f}")  # the cost, and its derivative in w
    0.126928011043 -0.119202922022
    """
    w = np.asarray(w)
    w_real, b_real, X, y = validate_inputs(np.real(w), np.real(b), X, y)
    _logits(w_real, b_real, X)  # raises if the real logits overflow
    z = X @ (w_real + 1j * np.imag(w)) + (b_real + 1j * float(np.imag(b)))
    right = z.real >= 0
    s = np.where(right, z, -z)
    terms = np.log(1.0 + np.exp(-s)) + np.where(right, (1.0 - y) * z, -y * z)
    # The real parts can be near the largest float; the imaginary parts are tiny.
    return complex(_mean(terms.real), float(np.sum(terms.imag)) / X.shape[0])


@dataclass(frozen=True)
class GradientCheck:
    """The outcome of :func:`check_gradient`: one row per parameter.

    Attributes
    ----------
    parameters : tuple of str
        The names, ``w[0]`` ... ``w[k-1]`` and ``b``.
    gradient : numpy.ndarray
        The gradient under test.
    reference : numpy.ndarray
        The numerical derivative it is checked against.
    errors : numpy.ndarray
        The relative errors, parameter by parameter.
    method : str
        The name of the numerical derivative.
    tolerance : float
        The largest relative error that passes.

    Examples
    --------
    >>> import numpy as np
    >>> from xentropy.gradcheck import GradientCheck, relative_error
    >>> mine, truth = np.array([0.5, 0.25]), np.array([0.5, 0.2])
    >>> check = GradientCheck(("w[0]", "b"), mine, truth, relative_error(mine, truth),
    ...                       "complex step", 1e-7)
    >>> check.passed, check.failed
    (False, ('b',))
    >>> print(check)
    parameter  gradient  complex step  relative error  verdict
    w[0]            0.5           0.5         0.0e+00  good
    b              0.25           0.2         2.0e-01  wrong
    failed: b above 1e-07
    """

    parameters: tuple[str, ...]
    gradient: FloatArray
    reference: FloatArray
    errors: FloatArray
    method: str
    tolerance: float

    @property
    def verdicts(self) -> tuple[str, ...]:
        """'good', 'suspect' or 'wrong' for each parameter (thresholds GOOD and WRONG)."""
        return tuple(_verdict(e) for e in self.errors)

    @property
    def passed(self) -> bool:
        """Whether every relative error is at most the tolerance."""
        return bool(np.all(self.errors <= self.tolerance))

    @property
    def failed(self) -> tuple[str, ...]:
        """The names of the parameters whose error exceeds the tolerance."""
        return tuple(
            p for p, e in zip(self.parameters, self.errors, strict=True) if not e <= self.tolerance
        )

    @property
    def worst(self) -> float:
        """The largest relative error (NaN if any error is NaN)."""
        return float(np.max(self.errors))

    def _rows(self) -> list[tuple[str, str, str, str, str]]:
        return [
            (p, f"{g:.16g}", f"{r:.16g}", f"{e:.1e}", v)
            for p, g, r, e, v in zip(
                self.parameters,
                self.gradient,
                self.reference,
                self.errors,
                self.verdicts,
                strict=True,
            )
        ]

    def _summary(self) -> str:
        if self.passed:
            return f"passed: all {len(self.parameters)} parameters within {self.tolerance:.0e}"
        return f"failed: {', '.join(self.failed)} above {self.tolerance:.0e}"

    def __str__(self) -> str:
        header = ("parameter", "gradient", self.method, "relative error", "verdict")
        rows = [header, *self._rows()]
        widths = [max(len(row[c]) for row in rows) for c in range(len(header))]
        lines = [
            "  ".join(
                cell.ljust(width) if c in (0, 4) else cell.rjust(width)
                for c, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
            for row in rows
        ]
        return "\n".join([*lines, self._summary()])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th>{html.escape(h)}</th>"
            for h in ("parameter", "gradient", self.method, "relative error", "verdict")
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in self._rows()
        )
        return (
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
            f"<caption>{html.escape(self._summary())}</caption></table>"
        )


def check_gradient(
    w: ArrayLike,
    b: float,
    X: ArrayLike,
    y: ArrayLike,
    gradient_fn: GradientFunction = gradient,
    *,
    method: str = "complex",
    tolerance: float = GOOD,
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
    method : {'complex', 'central'}, optional
        The referee: the complex step (default; accurate to the last bits) or
        central differences (about 1e-10 on a well-scaled problem).
    tolerance : float, optional
        The largest relative error that passes; by default :data:`GOOD`
        (1e-7), the threshold for a smooth cost in float64.

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
    >>> from xentropy.gradcheck import check_gradient
    >>> X, y = [[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0]], [1, 0, 1]
    >>> report = check_gradient([0.3, -0.2], 0.1, X, y)
    >>> report.passed, report.parameters
    (True, ('w[0]', 'w[1]', 'b'))

    A gradient that forgot the 1/n fails for every parameter:

    >>> from xentropy.numeric import gradient
    >>> def forgot_mean(w, b, X, y):
    ...     grad_w, grad_b = gradient(w, b, X, y)
    ...     return 3 * grad_w, 3 * grad_b
    >>> check_gradient([0.3, -0.2], 0.1, X, y, forgot_mean).verdicts
    ('wrong', 'wrong', 'wrong')
    """
    if method not in _METHODS:
        raise ValueError(f"method must be 'complex' or 'central', got {method!r}")
    w, b, X, y = validate_inputs(w, b, X, y)
    k = w.shape[0]
    theta = np.append(w, b)

    grad_w, grad_b = gradient_fn(w.copy(), b, X.copy(), y.copy())
    grad_w, grad_b = np.asarray(grad_w, dtype=np.float64), np.asarray(grad_b, dtype=np.float64)
    if grad_w.shape != (k,):
        raise ValueError(
            f"the gradient function returned grad_w of shape {grad_w.shape}; "
            f"expected ({k},), one entry per weight"
        )
    if grad_b.ndim != 0:
        raise ValueError(
            f"the gradient function returned grad_b of shape {grad_b.shape}; expected a scalar"
        )
    analytic = np.append(grad_w, grad_b)

    if method == "complex":
        reference = complex_step(lambda t: complex_cost(t[:k], t[k], X, y), theta)
    else:
        reference = central_difference(lambda t: cost(t[:k], t[k], X, y), theta)
    names = (*(f"w[{j}]" for j in range(k)), "b")
    return GradientCheck(
        names, analytic, reference, relative_error(analytic, reference), _METHODS[method], tolerance
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
    >>> from xentropy.gradcheck import grade
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
        weights = sorted((p for p in failed if p != "b"), key=lambda p: int(p[2:-1]))
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


def _grading_problems() -> dict[str, tuple[FloatArray, float, FloatArray, FloatArray]]:
    """Seeded problems with moderate logits, each a different way for a gradient to go wrong."""
    rng = np.random.default_rng(20240)

    def problem(n: int, k: int, labels: str = "0 or 1") -> tuple:
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


def grade(
    gradient_fn: GradientFunction = gradient, *, method: str = "complex", tolerance: float = GOOD
) -> Grade:
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
    method, tolerance
        As for :func:`check_gradient`.

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
    >>> from xentropy.gradcheck import grade
    >>> def summed_not_averaged(w, b, X, y):
    ...     r = 1 / (1 + np.exp(-(X @ w + b))) - y
    ...     return X.T @ r, np.sum(r)
    >>> print(grade(summed_not_averaged).verdict)
    wrong on 6 of 7 problems, for w[0], w[1], w[2], w[3], b
    """
    return Grade(
        {
            name: check_gradient(w, b, X, y, gradient_fn, method=method, tolerance=tolerance)
            for name, (w, b, X, y) in _grading_problems().items()
        }
    )


def _verdict(error: float) -> str:
    if error <= GOOD:
        return "good"
    if error <= WRONG:
        return "suspect"
    return "wrong"
