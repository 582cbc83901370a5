"""Gradient checking: is an analytic gradient the derivative of the cost?

Two numerical derivatives serve as the referee. Central differences need
nothing but the cost and agree with the truth to about 1e-10 at the best step;
the complex step evaluates the cost once at a complex parameter,
``Im C(θ + ih) / h``, subtracts nothing, and agrees to the last bits. For that
it needs the cost written with analytic operations only. :func:`check_parameters`
compares a gradient with either referee parameter by parameter and grades each
relative error against the thresholds of the numeric contract (appendix "What
the numbers promise"); each model's own check (:func:`xentropy.check_gradient`
for the neuron, and those of the softmax layer and the network) calls it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "GOOD",
    "METHODS",
    "WRONG",
    "CheckOptions",
    "GradientCheck",
    "central_difference",
    "check_parameters",
    "complex_step",
    "relative_error",
    "require_method",
]

FloatArray = NDArray[np.float64]

#: A relative error at or below this is what a correct gradient of a smooth cost shows in float64.
GOOD = 1e-7
#: A relative error above this means the gradient is wrong, whatever the cost.
WRONG = 1e-2

#: The referees a check can use, by the name its ``method`` argument takes.
METHODS = {"complex": "complex step", "central": "central differences"}


class CheckOptions(TypedDict, total=False):
    """How a model's gradient check judges: ``check_gradient(..., method="central")``.

    Attributes
    ----------
    method : {'complex', 'central'}
        The referee: the complex step (the default; accurate to the last bits) or central
        differences (about 1e-10 on a well-scaled problem).
    tolerance : float
        The largest relative error that passes; by default :data:`GOOD`, the threshold for a
        smooth cost in float64.
    """

    method: str
    tolerance: float


_EPS = np.finfo(np.float64).eps
_CUBE_ROOT_EPS = float(np.cbrt(_EPS))


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


@dataclass(frozen=True)
class GradientCheck:
    """The outcome of :func:`check_gradient`: one row per parameter.

    Attributes
    ----------
    parameters : tuple of str
        The names, ``w_1`` ... ``w_k`` and ``b``: numbered from 1, as in the book's
        formulas, whatever the arrays' indices.
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
    >>> check = GradientCheck(("w_1", "b"), mine, truth, relative_error(mine, truth),
    ...                       "complex step", 1e-7)
    >>> check.passed, check.failed
    (False, ('b',))
    >>> print(check)
    parameter  gradient  complex step  relative error  verdict
    w_1            0.5           0.5         0.0e+00  good
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


def require_method(method: str) -> None:
    """Refuse a referee that is not one of :data:`METHODS`; checked before anything else.

    Examples
    --------
    >>> require_method("forward")
    Traceback (most recent call last):
        ...
    ValueError: method must be 'complex' or 'central', got 'forward'
    """
    if method not in METHODS:
        raise ValueError(f"method must be 'complex' or 'central', got {method!r}")


def check_parameters(
    parameters: Mapping[str, Any],
    data: Sequence[FloatArray],
    gradient_fn: Callable[..., Sequence[ArrayLike]],
    cost: Callable[..., float],
    complex_cost: Callable[..., complex],
    wrong_shapes: Callable[[list[tuple[int, ...]]], str],
    **options: Unpack[CheckOptions],
) -> GradientCheck:
    """Check a gradient function against a numerical derivative of the cost, entry by entry.

    Each model's own check validates its inputs first and then hands them here: the gradient
    function is called on copies (it cannot disturb the check by changing its arguments), its
    shapes are compared with the parameters', and every entry is compared with the referee.

    Parameters
    ----------
    parameters : mapping of str to array or float
        The point, by name, in the order the functions take them.
    data : sequence of arrays
        What the functions take after the parameters (X, y).
    gradient_fn, cost, complex_cost : callable
        Each called as ``f(*parameters, *data)``: the gradient under test (one array per
        parameter), the real cost, and the cost extended analytically to complex parameters.
    wrong_shapes : callable
        Given the shapes the gradient function returned, the message of the ``ValueError``.
    **options
        ``method`` and ``tolerance`` (:class:`CheckOptions`).

    Returns
    -------
    GradientCheck
        One row per entry, named ``w_1``, ``W_2,3``, or ``b`` for a scalar: the indices count
        from 1, as in the book's formulas (``W_2,3`` is ``W[1, 2]`` in NumPy).

    Examples
    --------
    >>> import numpy as np
    >>> point = {"u": np.array([1.0, 2.0]), "v": 3.0}
    >>> f = lambda u, v: float(np.sum(u**2) + v**2)
    >>> g = lambda u, v: np.sum(u**2) + v**2  # analytic: the same for complex u and v
    >>> check = check_parameters(point, [], lambda u, v: (2 * u, 2 * v), f, g, str)
    >>> check.parameters, check.passed
    (('u_1', 'u_2', 'v'), True)
    """
    method = options.get("method", "complex")
    tolerance = options.get("tolerance", GOOD)
    require_method(method)
    copies = [p.copy() if isinstance(p, np.ndarray) else p for p in parameters.values()]
    returned = gradient_fn(*copies, *(d.copy() for d in data))
    gradient = [np.asarray(g, dtype=np.float64) for g in returned]
    arrays = [np.asarray(p, dtype=np.float64) for p in parameters.values()]
    if [g.shape for g in gradient] != [p.shape for p in arrays]:
        raise ValueError(wrong_shapes([g.shape for g in gradient]))
    splits = np.cumsum([p.size for p in arrays])[:-1]

    def unpack(theta: NDArray[Any]) -> list[NDArray[Any]]:
        return [t.reshape(p.shape) for t, p in zip(np.split(theta, splits), arrays, strict=True)]

    theta = np.concatenate([p.ravel() for p in arrays])
    analytic = np.concatenate([g.ravel() for g in gradient])
    if method == "complex":
        reference = complex_step(lambda t: complex_cost(*unpack(t), *data), theta)
    else:
        reference = central_difference(lambda t: cost(*unpack(t), *data), theta)
    names = tuple(
        f"{name}_{','.join(str(v + 1) for v in index)}" if p.ndim else name
        for name, p in zip(parameters, arrays, strict=True)
        for index in np.ndindex(p.shape)
    )
    errors = np.asarray(relative_error(analytic, reference))
    return GradientCheck(names, analytic, reference, errors, METHODS[method], tolerance)


def _verdict(error: float) -> str:
    if error <= GOOD:
        return "good"
    if error <= WRONG:
        return "suspect"
    return "wrong"
