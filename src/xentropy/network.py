"""A network with one hidden layer of sigmoid neurons: forward pass, cross-entropy, backpropagation.

The weights follow Nielsen's convention (chapter 2 of *Neural Networks and Deep Learning*):
W1[h, j] is the weight from input feature j to hidden neuron h, W2[c, h] the weight from hidden
neuron h to output neuron c, so that for one example (a column) z¹ = W1 x + b1, a¹ = σ(z¹),
z² = W2 a¹ + b2, a² = σ(z²). With the n examples in the rows of X the same reads
Z1 = X W1ᵀ + b1 and Z2 = A1 W2ᵀ + b2. Every output neuron is a sigmoid with its own binary
cross-entropy; the cost is their sum, averaged over the examples:
C = (1/n) Σ_i Σ_c -[Y_ic ln A2_ic + (1 - Y_ic) ln(1 - A2_ic)], labels in [0, 1].

Backpropagation (:func:`backprop`) is the book's result: the output error is δ² = a² - y, with
no σ′ factor (:func:`xentropy.layers.output_error`); the hidden error is
δ¹ = (W2ᵀ δ²) ∘ σ′(z¹) (:func:`xentropy.layers.hidden_error`); and each weight's gradient is the
error at its end times the activation at its start. The cost and the errors are computed in the
forms of :mod:`xentropy.numeric` that lose nothing to cancellation or overflow. Inputs are
checked first, with messages that name the argument. This module does not import SymPy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .gradcheck import GOOD, GradientCheck, central_difference, complex_step, relative_error
from .numeric import _as_real_array, _mean, _require_finite, sigmoid

__all__ = [
    "backprop",
    "check_network_gradient",
    "complex_network_cost",
    "forward",
    "network_cost",
    "validate_network_inputs",
]

FloatArray = NDArray[np.float64]
Parameters = tuple[FloatArray, FloatArray, FloatArray, FloatArray]

_METHODS = {"complex": "complex step", "central": "central differences"}


def forward(
    W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike, X: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The forward pass: the weighted inputs and outputs of both layers, one row per example.

    Parameters
    ----------
    W1 : array_like, shape (H, k)
        Weights into the H hidden neurons from the k features.
    b1 : array_like, shape (H,)
        Biases of the hidden neurons.
    W2 : array_like, shape (K, H)
        Weights into the K output neurons from the hidden neurons.
    b2 : array_like, shape (K,)
        Biases of the output neurons.
    X : array_like, shape (n, k)
        The inputs, one example per row.

    Returns
    -------
    Z1, A1 : numpy.ndarray, shape (n, H)
        The hidden layer's weighted inputs and outputs.
    Z2, A2 : numpy.ndarray, shape (n, K)
        The output layer's weighted inputs and outputs.

    Raises
    ------
    ValueError, TypeError
        As for :func:`network_cost` (there are no labels to check).

    Examples
    --------
    >>> from xentropy.network import forward
    >>> Z1, A1, Z2, A2 = forward([[1.0], [-1.0]], [0.0, 0.0], [[2.0, 2.0]], [-2.0], [[0.0]])
    >>> A1, Z2, A2  # both hidden neurons at 1/2, so z2 = 2·(1/2) + 2·(1/2) - 2 = 0
    (array([[0.5, 0.5]]), array([[0.]]), array([[0.5]]))
    """
    W1, b1, W2, b2, X, _ = _validated(W1, b1, W2, b2, X, None)
    Z1, A1, Z2 = _layers(W1, b1, W2, b2, X)
    return Z1, A1, Z2, sigmoid(Z2)


def network_cost(
    W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike, X: ArrayLike, Y: ArrayLike
) -> float:
    """The cross-entropy cost of the network: the binary cross-entropy of every output, summed
    over the outputs and averaged over the examples.

    Parameters
    ----------
    W1, b1, W2, b2, X
        As for :func:`forward`.
    Y : array_like, shape (n, K)
        The labels, one per example and output neuron, each in [0, 1].

    Returns
    -------
    float
        The cost, finite and non-negative.

    Raises
    ------
    ValueError
        If a shape does not fit, a value is NaN or infinite, a label lies outside [0, 1], X has
        no rows, or a layer's weighted inputs overflow.
    TypeError
        If an input holds complex numbers, objects or strings.

    Examples
    --------
    >>> from xentropy.network import network_cost
    >>> c = network_cost([[1.0], [-1.0]], [0.0, 0.0], [[2.0, 2.0]], [-2.0], [[0.0]], [[1.0]])
    >>> print(f"{c:.12f}")  # ln 2
    0.693147180560
    """
    W1, b1, W2, b2, X, Y = _validated(W1, b1, W2, b2, X, Y)
    _, _, Z2 = _layers(W1, b1, W2, b2, X)
    return _mean(_losses(Z2, Y).sum(axis=1))


def backprop(
    W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike, X: ArrayLike, Y: ArrayLike
) -> Parameters:
    """The gradient of :func:`network_cost` by backpropagation.

    With one row per example: Δ2 = (A2 - Y)/n, the output errors (no σ′: the cross-entropy
    cancels it); Δ1 = (Δ2 W2) ∘ σ′(Z1), the hidden errors, row by row the book's
    (W2ᵀ δ²) ∘ σ′(z¹); then ∂C/∂W2 = Δ2ᵀ A1, ∂C/∂b2 = Σ_i Δ2, ∂C/∂W1 = Δ1ᵀ X, ∂C/∂b1 = Σ_i Δ1.
    A2 - Y is formed as (1 - Y) σ(Z2) - Y σ(-Z2) and σ′ as σ(Z1) σ(-Z1), so neither loses its
    last digits to cancellation.

    Parameters
    ----------
    W1, b1, W2, b2, X, Y
        As for :func:`network_cost`.

    Returns
    -------
    grad_W1, grad_b1, grad_W2, grad_b2 : numpy.ndarray
        Shaped like W1, b1, W2 and b2.

    Raises
    ------
    ValueError, TypeError
        As for :func:`network_cost`.

    Examples
    --------
    >>> from xentropy.network import backprop
    >>> grads = backprop([[1.0], [-1.0]], [0.0, 0.0], [[2.0, 2.0]], [-2.0], [[1.0]], [[1.0]])
    >>> [g.shape for g in grads]
    [(2, 1), (2,), (1, 2), (1,)]
    """
    W1, b1, W2, b2, X, Y = _validated(W1, b1, W2, b2, X, Y)
    Z1, A1, Z2 = _layers(W1, b1, W2, b2, X)
    # Divided by n first: the products below cannot then overflow where the sum would.
    delta2 = ((1.0 - Y) * sigmoid(Z2) - Y * sigmoid(-Z2)) / X.shape[0]
    delta1 = (delta2 @ W2) * (sigmoid(Z1) * sigmoid(-Z1))
    return delta1.T @ X, delta1.sum(axis=0), delta2.T @ A1, delta2.sum(axis=0)


def validate_network_inputs(
    W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike, X: ArrayLike, Y: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Check the arguments of :func:`network_cost` and :func:`backprop`; return them as float64.

    Nothing is broadcast, and the caller's arrays are never modified.

    Raises
    ------
    ValueError
        With a message that names the argument, what was expected and what came.
    TypeError
        If an input holds complex numbers, objects or strings.

    Examples
    --------
    >>> from xentropy.network import validate_network_inputs
    >>> validate_network_inputs([[1.0]], [0.0], [[1.0, 2.0]], [0.0], [[1.0]], [[1.0]])
    Traceback (most recent call last):
        ...
    ValueError: W2 has 2 columns but W1 has 1 rows (hidden neurons)
    """
    return _validated(W1, b1, W2, b2, X, Y)


# -- the gradient check ------------------------------------------------------------------------


def complex_network_cost(
    W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike, X: ArrayLike, Y: ArrayLike
) -> complex:
    """The cost of :func:`network_cost` for complex parameters, for the complex step.

    Complex-analytic in the parameters: σ and the loss are written with exp and log only,
    branching on the real part of their argument so that no exponential overflows.

    Examples
    --------
    >>> from xentropy.network import complex_network_cost
    >>> c = complex_network_cost([[0.0]], [0.0], [[1.0]], [-0.5 + 1e-20j], [[1.0]], [[1.0]])
    >>> print(f"{c.real:.12f} {c.imag / 1e-20:.12f}")  # ln 2 and ∂C/∂b2 = σ(0) - 1
    0.693147180560 -0.500000000000
    """
    parameters = [np.asarray(p) for p in (W1, b1, W2, b2)]
    real = _validated(*(np.real(p) for p in parameters), X, Y)
    _layers(*real[:5])  # raises if the real weighted inputs overflow
    W1c, b1c, W2c, b2c = (r + 1j * np.imag(p) for r, p in zip(real[:4], parameters, strict=True))
    X, Y = real[4], real[5]
    A1 = _complex_sigmoid(X @ W1c.T + b1c)
    Z2 = A1 @ W2c.T + b2c
    # ℓ = log(1 + e^{-z}) + (1 - y) z where Re z >= 0, log(1 + e^{z}) - y z where Re z < 0
    right = Z2.real >= 0
    s = np.where(right, Z2, -Z2)
    terms = (np.log(1.0 + np.exp(-s)) + np.where(right, (1.0 - Y) * Z2, -Y * Z2)).sum(axis=1)
    return complex(_mean(terms.real), float(np.sum(terms.imag)) / X.shape[0])


def check_network_gradient(
    W1: ArrayLike,
    b1: ArrayLike,
    W2: ArrayLike,
    b2: ArrayLike,
    X: ArrayLike,
    Y: ArrayLike,
    gradient_fn: Callable[..., tuple[ArrayLike, ...]] = backprop,
    *,
    method: str = "complex",
    tolerance: float = GOOD,
) -> GradientCheck:
    """Check a gradient of :func:`network_cost` parameter by parameter, like ``check_gradient``.

    Parameters
    ----------
    W1, b1, W2, b2, X, Y
        The point and the data, as for :func:`network_cost`.
    gradient_fn : callable, optional
        ``gradient_fn(W1, b1, W2, b2, X, Y) -> (grad_W1, grad_b1, grad_W2, grad_b2)``; by
        default :func:`backprop`. It is given copies.
    method : {'complex', 'central'}, optional
        The referee: the complex step through :func:`complex_network_cost`, or central
        differences of :func:`network_cost`.
    tolerance : float, optional
        The largest relative error that passes.

    Returns
    -------
    xentropy.gradcheck.GradientCheck
        One row per parameter: ``W1[h,j]``, ``b1[h]``, ``W2[c,h]``, ``b2[c]``.

    Examples
    --------
    >>> from xentropy.network import check_network_gradient
    >>> W1, b1, W2, b2 = [[0.5, -1.0], [1.5, 0.25]], [0.1, -0.2], [[1.0, -2.0]], [0.3]
    >>> report = check_network_gradient(W1, b1, W2, b2, [[1.0, 2.0], [-1.0, 0.5]], [[1], [0]])
    >>> report.passed, report.parameters[:3], len(report.parameters)
    (True, ('W1[0,0]', 'W1[0,1]', 'W1[1,0]'), 9)
    """
    if method not in _METHODS:
        raise ValueError(f"method must be 'complex' or 'central', got {method!r}")
    *parameters, X, Y = _validated(W1, b1, W2, b2, X, Y)
    grads = gradient_fn(*(p.copy() for p in parameters), X.copy(), Y.copy())
    grads = [np.asarray(g, dtype=np.float64) for g in grads]
    if [g.shape for g in grads] != [p.shape for p in parameters]:
        raise ValueError(
            f"the gradient function returned shapes {[g.shape for g in grads]}; expected "
            f"{[p.shape for p in parameters]}, the shapes of W1, b1, W2 and b2"
        )
    analytic = np.concatenate([g.ravel() for g in grads])
    sizes = np.cumsum([p.size for p in parameters])[:-1]

    def unpack(theta: NDArray) -> list[NDArray]:
        return [t.reshape(p.shape) for t, p in zip(np.split(theta, sizes), parameters, strict=True)]

    theta = np.concatenate([p.ravel() for p in parameters])
    if method == "complex":
        reference = complex_step(lambda t: complex_network_cost(*unpack(t), X, Y), theta)
    else:
        reference = central_difference(lambda t: network_cost(*unpack(t), X, Y), theta)
    names = tuple(
        f"{name}[{','.join(map(str, index))}]"
        for name, p in zip(("W1", "b1", "W2", "b2"), parameters, strict=True)
        for index in np.ndindex(p.shape)
    )
    return GradientCheck(
        names, analytic, reference, relative_error(analytic, reference), _METHODS[method], tolerance
    )


# -- the computation ---------------------------------------------------------------------------


def _validated(
    W1: ArrayLike,
    b1: ArrayLike,
    W2: ArrayLike,
    b2: ArrayLike,
    X: ArrayLike,
    Y: ArrayLike | None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray | None]:
    X = _as_real_array(X, "X")
    W1, b1 = _as_real_array(W1, "W1"), _as_real_array(b1, "b1")
    W2, b2 = _as_real_array(W2, "W2"), _as_real_array(b2, "b2")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}")
    n, k = X.shape
    if n == 0:
        raise ValueError("X has no rows: the cost of no examples is undefined")
    if W1.ndim != 2:
        raise ValueError(
            f"W1 must be 2-D, H × k (one row per hidden neuron, one column per feature of X), "
            f"got shape {W1.shape}"
        )
    if W1.shape[1] != k:
        raise ValueError(f"W1 has {W1.shape[1]} columns but X has {k} features")
    hidden = W1.shape[0]
    if b1.shape != (hidden,):
        raise ValueError(
            f"b1 must be 1-D with {hidden} entries (one per row of W1, a hidden neuron), "
            f"got shape {b1.shape}"
        )
    if W2.ndim != 2:
        raise ValueError(
            f"W2 must be 2-D, K × H (one row per output neuron, one column per hidden neuron), "
            f"got shape {W2.shape}"
        )
    if W2.shape[1] != hidden:
        raise ValueError(f"W2 has {W2.shape[1]} columns but W1 has {hidden} rows (hidden neurons)")
    outputs = W2.shape[0]
    if b2.shape != (outputs,):
        raise ValueError(
            f"b2 must be 1-D with {outputs} entries (one per row of W2, an output neuron), "
            f"got shape {b2.shape}"
        )
    for array, name in ((X, "X"), (W1, "W1"), (W2, "W2")):
        _require_finite(array, name, "at row {0}, column {1}")
    for array, name in ((b1, "b1"), (b2, "b2")):
        _require_finite(array, name, "at entry {0}")
    if Y is None:
        return W1, b1, W2, b2, X, None
    Y = _as_real_array(Y, "Y")
    if Y.shape != (n, outputs):
        raise ValueError(
            f"Y must have shape ({n}, {outputs}), one row per example of X and one column per "
            f"output neuron (row of W2); got {Y.shape}"
        )
    _require_finite(Y, "Y", "at row {0}, column {1}")
    outside = (Y < 0) | (Y > 1)
    if outside.any():
        r, c = np.unravel_index(np.argmax(outside), Y.shape)
        raise ValueError(f"Y must lie in [0, 1]; found {Y[r, c]} at row {r}, column {c}")
    return W1, b1, W2, b2, X, Y


def _layers(
    W1: FloatArray, b1: FloatArray, W2: FloatArray, b2: FloatArray, X: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    Z1 = _weighted_inputs(X, W1, b1, "hidden")
    A1 = sigmoid(Z1)
    return Z1, A1, _weighted_inputs(A1, W2, b2, "output")


def _weighted_inputs(A: FloatArray, W: FloatArray, b: FloatArray, layer: str) -> FloatArray:
    # Finite inputs can still give infinite weighted inputs (1e300 · 1e300): a property of the
    # data, reported as such rather than as a floating-point trap.
    with np.errstate(over="ignore", invalid="ignore"):
        Z = A @ W.T + b
    finite = np.isfinite(Z)
    if not finite.all():
        r, c = np.unravel_index(np.argmin(finite), Z.shape)
        raise ValueError(
            f"the {layer} layer's weighted inputs overflow (row {r}, neuron {c} gives {Z[r, c]})"
        )
    return Z


def _losses(Z: FloatArray, Y: FloatArray) -> FloatArray:
    # ℓ = y ln(1 + e^{-z}) + (1 - y) ln(1 + e^{z}): two non-negative terms, each a softplus
    # that NumPy's logaddexp computes without overflow and, for a tiny result, to full
    # relative precision.
    return Y * np.logaddexp(0.0, -Z) + (1.0 - Y) * np.logaddexp(0.0, Z)


def _complex_sigmoid(Z: NDArray[np.complex128]) -> NDArray[np.complex128]:
    right = Z.real >= 0
    e = np.exp(np.where(right, -Z, Z))  # the real part of the exponent is never positive
    return np.where(right, 1.0 / (1.0 + e), e / (1.0 + e))
