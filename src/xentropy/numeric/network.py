"""A network with one hidden layer of sigmoid neurons: forward pass, cross-entropy, backpropagation.

The weights follow Nielsen's convention (chapter 2 of *Neural Networks and Deep Learning*):
W1[u, j] is the weight from input feature j to hidden neuron u, W2[c, u] the weight from hidden
neuron u to output neuron c (NumPy counts from 0, the book's formulas from 1), so that for one
example (a column) z¹ = W1 x + b1, a¹ = σ(z¹), z² = W2 a¹ + b2, a² = σ(z²). With the n
examples in the rows of X the same reads Z1 = X W1ᵀ + b1 and Z2 = A1 W2ᵀ + b2. Every output
neuron is a sigmoid with its own binary cross-entropy; the cost is their sum, averaged over the
examples:
C = (1/n) Σ_i Σ_c -[Y_ic ln A2_ic + (1 - Y_ic) ln(1 - A2_ic)], labels in [0, 1].

Backpropagation (:func:`backprop`) is the book's result: the output error is δ² = a² - y, with
no σ′ factor (:func:`xentropy.symbolic.network.output_error`); the hidden error is
δ¹ = (W2ᵀ δ²) ⊙ σ′(z¹) (:func:`xentropy.symbolic.network.hidden_error`); and each weight's
gradient is the error at its end times the activation at its start. The cost and the output
error are those of the one neuron, :mod:`xentropy.numeric.binary`'s forms that lose nothing to
cancellation or overflow. Inputs are checked first, with messages that name the argument. This
module does not import SymPy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Unpack

import numpy as np
from numpy.typing import ArrayLike

from xentropy.gradcheck import CheckOptions, GradientCheck, check_parameters, require_method
from xentropy.numeric import binary, validation
from xentropy.numeric.validation import FloatArray

__all__ = [
    "backprop",
    "check_network_gradient",
    "complex_network_cost",
    "forward",
    "network_cost",
    "validate_network_inputs",
]

Parameters = tuple[FloatArray, FloatArray, FloatArray, FloatArray]


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
    >>> from xentropy.numeric.network import forward
    >>> Z1, A1, Z2, A2 = forward([[1.0], [-1.0]], [0.0, 0.0], [[2.0, 2.0]], [-2.0], [[0.0]])
    >>> A1, Z2, A2  # both hidden neurons at 1/2, so z2 = 2·(1/2) + 2·(1/2) - 2 = 0
    (array([[0.5, 0.5]]), array([[0.]]), array([[0.5]]))
    """
    W1, b1, W2, b2, X = _validated_layers(W1, b1, W2, b2, X)
    Z1, A1, Z2 = _layers(W1, b1, W2, b2, X)
    return Z1, A1, Z2, binary.logistic(Z2)


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
        The binary cross-entropies of the outputs, summed over the outputs and averaged over
        the examples: finite and non-negative.

    Raises
    ------
    ValueError
        On a shape that does not fit, a NaN or infinite value, a label outside [0, 1], an X
        without rows, or a layer's weighted inputs that overflow.
    TypeError
        For complex, object or string data.

    Examples
    --------
    >>> from xentropy.numeric.network import network_cost
    >>> c = network_cost([[1.0], [-1.0]], [0.0, 0.0], [[2.0, 2.0]], [-2.0], [[0.0]], [[1.0]])
    >>> print(f"{c:.12f}")  # ln 2
    0.693147180560
    """
    W1, b1, W2, b2, X, Y = _validated(W1, b1, W2, b2, X, Y)
    _, _, Z2 = _layers(W1, b1, W2, b2, X)
    return binary.mean(binary.losses(Z2, Y).sum(axis=1))


def backprop(
    W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike, X: ArrayLike, Y: ArrayLike
) -> Parameters:
    """The gradient of :func:`network_cost` by backpropagation.

    With one row per example: Δ2 = (A2 - Y)/n, the output errors (no σ′: the cross-entropy
    cancels it); Δ1 = (Δ2 W2) ⊙ σ′(Z1), the hidden errors, row by row the book's
    (W2ᵀ δ²) ⊙ σ′(z¹); then ∂C/∂W2 = Δ2ᵀ A1, ∂C/∂b2 = Σ_i Δ2, ∂C/∂W1 = Δ1ᵀ X, ∂C/∂b1 = Σ_i Δ1.
    A2 - Y is the one neuron's residual (:func:`xentropy.numeric.binary.residuals`) and σ′ is
    σ(Z1) σ(-Z1), so neither loses its last digits to cancellation.

    Parameters
    ----------
    W1, b1, W2, b2, X, Y
        As for :func:`network_cost`.

    Returns
    -------
    grad_W1, grad_b1, grad_W2, grad_b2 : numpy.ndarray
        Shaped like W1, b1, W2 and b2. For bad input, the errors of :func:`network_cost`.

    Examples
    --------
    >>> from xentropy.numeric.network import backprop
    >>> grads = backprop([[1.0], [-1.0]], [0.0, 0.0], [[2.0, 2.0]], [-2.0], [[1.0]], [[1.0]])
    >>> [g.shape for g in grads]
    [(2, 1), (2,), (1, 2), (1,)]
    """
    W1, b1, W2, b2, X, Y = _validated(W1, b1, W2, b2, X, Y)
    Z1, A1, Z2 = _layers(W1, b1, W2, b2, X)
    # The one neuron's residual, soft labels included; divided by n first, so the products
    # below cannot overflow where the sum would.
    delta2 = binary.residuals(Z2, Y) / X.shape[0]
    delta1 = (delta2 @ W2) * (binary.logistic(Z1) * binary.logistic(-Z1))
    return delta1.T @ X, delta1.sum(axis=0), delta2.T @ A1, delta2.sum(axis=0)


def validate_network_inputs(
    W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike, X: ArrayLike, Y: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Check the arguments of :func:`network_cost` and :func:`backprop`; return them as float64.

    Nothing is broadcast, and the caller's arrays are never modified.

    Raises
    ------
    ValueError, TypeError
        As for :func:`network_cost`; each message names the argument and what is wrong.

    Examples
    --------
    >>> from xentropy.numeric.network import validate_network_inputs
    >>> validate_network_inputs([[1.0]], [0.0], [[1.0, 2.0]], [0.0], [[1.0]], [[1.0]])
    Traceback (most recent call last):
        ...
    ValueError: W2 has 2 columns but W1 has 1 row (hidden neurons): W2 is K × H, one row per ...
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
    >>> from xentropy.numeric.network import complex_network_cost
    >>> c = complex_network_cost([[0.0]], [0.0], [[1.0]], [-0.5 + 1e-20j], [[1.0]], [[1.0]])
    >>> print(f"{c.real:.12f} {c.imag / 1e-20:.12f}")  # ln 2 and ∂C/∂b2 = σ(0) - 1
    0.693147180560 -0.500000000000
    """
    parameters = [np.asarray(p) for p in (W1, b1, W2, b2)]
    W1r, b1r, W2r, b2r = (np.real(p) for p in parameters)
    W1r, b1r, W2r, b2r, X_, Y_ = _validated(W1r, b1r, W2r, b2r, X, Y)
    _layers(W1r, b1r, W2r, b2r, X_)  # raises if the real weighted inputs overflow
    real = (W1r, b1r, W2r, b2r)
    W1c, b1c, W2c, b2c = (r + 1j * np.imag(p) for r, p in zip(real, parameters, strict=True))
    A1 = binary.complex_sigmoid(X_ @ W1c.T + b1c)
    Z2 = A1 @ W2c.T + b2c
    return binary.complex_mean(binary.complex_losses(Z2, Y_).sum(axis=1))


def check_network_gradient(
    W1: ArrayLike,
    b1: ArrayLike,
    W2: ArrayLike,
    b2: ArrayLike,
    X: ArrayLike,
    Y: ArrayLike,
    gradient_fn: Callable[..., tuple[ArrayLike, ...]] = backprop,
    **options: Unpack[CheckOptions],
) -> GradientCheck:
    """Check a gradient of :func:`network_cost` parameter by parameter, like ``check_gradient``.

    Parameters
    ----------
    W1, b1, W2, b2, X, Y
        The point and the data, as for :func:`network_cost`.
    gradient_fn : callable, optional
        ``gradient_fn(W1, b1, W2, b2, X, Y) -> (grad_W1, grad_b1, grad_W2, grad_b2)``; by
        default :func:`backprop`. It is given copies.
    method, tolerance : optional
        'complex' to take the complex step through :func:`complex_network_cost` as the
        referee, 'central' for central differences of :func:`network_cost`; the largest
        relative error that passes (as for :func:`xentropy.check_gradient`).

    Returns
    -------
    xentropy.gradcheck.GradientCheck
        One row per parameter: ``W1_u,j``, ``b1_u``, ``W2_c,u``, ``b2_c``, counted from 1.

    Examples
    --------
    >>> from xentropy.numeric.network import check_network_gradient
    >>> W1, b1, W2, b2 = [[0.5, -1.0], [1.5, 0.25]], [0.1, -0.2], [[1.0, -2.0]], [0.3]
    >>> report = check_network_gradient(W1, b1, W2, b2, [[1.0, 2.0], [-1.0, 0.5]], [[1], [0]])
    >>> report.passed, report.parameters[:3], len(report.parameters)
    (True, ('W1_1,1', 'W1_1,2', 'W1_2,1'), 9)
    """
    require_method(options.get("method", "complex"))
    W1, b1, W2, b2, X, Y = _validated(W1, b1, W2, b2, X, Y)
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    expected = f"{[p.shape for p in parameters.values()]}, the shapes of W1, b1, W2 and b2"

    def wrong_shapes(shapes: list[tuple[int, ...]]) -> str:
        return f"the gradient function returned shapes {shapes}; expected {expected}"

    costs = (network_cost, complex_network_cost)
    return check_parameters(parameters, (X, Y), gradient_fn, *costs, wrong_shapes, **options)


# -- the computation ---------------------------------------------------------------------------


def _validated_layers(
    W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike, X: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    X, W1, b1, W2, b2 = validation.as_real_arrays(X=X, W1=W1, b1=b1, W2=W2, b2=b2)
    _, k = validation.require_data_matrix(X)
    hidden = validation.require_layer(
        W1, b1, k, ("W1", "b1"), "H × k", "hidden neuron", "feature of X", f"X has {k} features"
    )
    from_W1 = f"W1 has {hidden} row{'s' * (hidden != 1)} (hidden neurons)"
    validation.require_layer(
        W2, b2, hidden, ("W2", "b2"), "K × H", "output neuron", "hidden neuron", from_W1
    )
    for array, name in ((X, "X"), (W1, "W1"), (W2, "W2")):
        validation.require_finite(array, name, validation.AT_ROW_COLUMN)
    for array, name in ((b1, "b1"), (b2, "b2")):
        validation.require_finite(array, name, validation.AT_ENTRY)
    return W1, b1, W2, b2, X


def _validated(
    W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike, X: ArrayLike, Y: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    W1, b1, W2, b2, X = _validated_layers(W1, b1, W2, b2, X)
    n, outputs = X.shape[0], W2.shape[0]
    Y = validation.as_real_array(Y, "Y")
    if Y.shape != (n, outputs):
        raise ValueError(
            f"Y must have shape ({n}, {outputs}), one row per example of X and one column per "
            f"output neuron (row of W2); got {Y.shape}"
        )
    validation.require_finite(Y, "Y", validation.AT_ROW_COLUMN)
    validation.require_in_unit_interval(Y, "Y")
    return W1, b1, W2, b2, X, Y


def _layers(
    W1: FloatArray, b1: FloatArray, W2: FloatArray, b2: FloatArray, X: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    Z1 = _weighted_inputs(X, W1, b1, "hidden")
    A1 = binary.logistic(Z1)
    return Z1, A1, _weighted_inputs(A1, W2, b2, "output")


def _weighted_inputs(A: FloatArray, W: FloatArray, b: FloatArray, layer: str) -> FloatArray:
    return validation.weighted_inputs(
        A, W.T, b, f"the {layer} layer's weighted inputs", column="neuron"
    )
