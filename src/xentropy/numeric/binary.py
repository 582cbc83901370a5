r"""The binary cross-entropy of a logit, in forms that lose nothing: written once for every model.

A sigmoid output with logit z and label y in [0, 1] costs
ℓ(z, y) = −[y ln σ(z) + (1 − y) ln(1 − σ(z))] and has the residual r = σ(z) − y, the derivative
of ℓ in z. Computed as written, both lose their last digits, or everything: σ(37) rounds to 1,
so ln(1 − σ(37)) is ln 0. This module computes them from exp(−|z|), which never overflows, in
forms whose terms never cancel, derived from the definition in the book's chapter 4, *Does NumPy
agree with the derivation?*, equations (4.1) to (4.3) (:mod:`xentropy.symbolic.binary`):

- :func:`losses`: ℓ = log1p(e^{−|z|}) + (1 − y) z for z ≥ 0, equation (4.1), and
  log1p(e^{−|z|}) − y z for z < 0, equation (4.2);
- :func:`residuals`: σ − y = ((1 − y) p − y q) / (1 + e^{−|z|}), (p, q) = (1, e^{−|z|}) or
  (e^{−|z|}, 1) by the sign of z, the last two lines of equation (4.3);
- :func:`complex_losses`: ℓ for complex z, analytic, for the complex-step check.

The one neuron (:mod:`xentropy.numeric.neuron`) and every sigmoid output of the network
(:mod:`xentropy.numeric.network`) use these; :func:`mean` averages them without overflow. This
module does not import SymPy.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentropy.numeric.validation import FloatArray, as_real_array

__all__ = [
    "complex_losses",
    "complex_mean",
    "complex_sigmoid",
    "logistic",
    "losses",
    "mean",
    "residuals",
    "sigmoid",
]

ComplexArray = NDArray[np.complex128]


#: Below this size a residual r would lose its low bits in r / n, a subnormal for n up to 2**122:
#: the gradients scale such residuals by the exact power of two UP before dividing, and their
#: part of the gradient by DOWN after the product (docs/numbers.md).
TINY_RESIDUAL = 2.0**-900
UP, DOWN = 2.0**512, 2.0**-512


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
    >>> from xentropy import sigmoid
    >>> sigmoid(0.0)
    np.float64(0.5)
    >>> sigmoid([-1000.0, 0.0, 1000.0])
    array([0. , 0.5, 1. ])

    Far in the left tail the result is tiny but still has all its digits:

    >>> print(f"{sigmoid(-700.0):.12g}")
    9.85967654376e-305
    """
    s = logistic(as_real_array(z, "z"))
    return s[()] if s.ndim == 0 else s


def logistic(z: FloatArray) -> FloatArray:
    """σ of a float64 array, elementwise, as :func:`sigmoid` computes it, without conversion."""
    e = np.exp(-np.abs(z))
    result: FloatArray = np.where(z >= 0, 1.0, e) / (1.0 + e)
    return result


def losses(z: FloatArray, y: FloatArray) -> FloatArray:
    """ℓ(z, y) elementwise, for finite logits and labels in [0, 1]: two non-negative terms.

    Examples
    --------
    >>> print(f"{losses(np.array([40.0]), np.array([1.0]))[0]:.12g}")  # not rounded to 0
    4.24835425529e-18
    """
    # ℓ = log1p(exp(-|z|)) + max(z, 0) - y z, with the linear part formed as
    # (1 - y) z or y |z| on each branch: both terms are then non-negative.
    linear = np.where(z >= 0, (1.0 - y) * z, y * -z)
    result: FloatArray = np.log1p(np.exp(-np.abs(z))) + linear
    return result


def residuals(z: FloatArray, y: FloatArray) -> FloatArray:
    """r = σ(z) − y elementwise, for finite logits and labels in [0, 1], to its last digits.

    For a hard label one of the two products in the numerator is zero and nothing cancels, so
    σ(z) − 1 = −e^{−z}/(1 + e^{−z}) keeps its full relative precision however small it is.

    Examples
    --------
    >>> residuals(np.array([0.0, 0.0]), np.array([0.0, 1.0]))
    array([ 0.5, -0.5])
    >>> print(f"{residuals(np.array([40.0]), np.array([1.0]))[0]:.12g}")  # not rounded to 0
    -4.24835425529e-18
    """
    # With e = exp(-|z|): σ(z) = p / (1 + e) and 1 - σ(z) = q / (1 + e), where
    # (p, q) = (1, e) for z >= 0 and (e, 1) for z < 0. Then
    # σ - y = (1 - y) σ - y (1 - σ) = ((1 - y) p - y q) / (1 + e).
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
    # conditioning (appendix "What the numbers promise"). Hard labels keep the
    # form above, which is exact to the last bits however large |z| is.
    fix = (np.abs(z) < 1.0) & (y > 0.0) & (y < 1.0)
    if fix.any():
        m = np.expm1(-np.abs(z[fix]))
        yf = y[fix]
        numerator[fix] = (1.0 - 2.0 * yf) + np.where(nonnegative[fix], -yf, 1.0 - yf) * m
    result: FloatArray = numerator / (1.0 + e)
    return result


def complex_sigmoid(z: ComplexArray) -> ComplexArray:
    """σ(z) for complex z, analytic: exp of a number whose real part is never positive."""
    right = z.real >= 0
    e = np.exp(np.where(right, -z, z))
    result: ComplexArray = np.where(right, 1.0 / (1.0 + e), e / (1.0 + e))
    return result


def complex_losses(z: ComplexArray, y: FloatArray) -> ComplexArray:
    """ℓ(z, y) for complex z, analytic in z, for the complex step.

    ℓ = log(1 + e^{−z}) + (1 − y) z where Re z ≥ 0 and log(1 + e^{z}) − y z where Re z < 0:
    only exp and log of complex values appear, and the exponential never overflows. For real z it
    equals :func:`losses`.
    """
    right = z.real >= 0
    s = np.where(right, z, -z)
    result: ComplexArray = np.log(1.0 + np.exp(-s)) + np.where(right, (1.0 - y) * z, -y * z)
    return result


def mean(terms: FloatArray) -> float:
    """The mean of non-negative terms, safe from overflow of the intermediate sum.

    Examples
    --------
    >>> mean(np.array([1e308, 1e308]))
    1e+308
    """
    n = terms.shape[0]
    largest = float(np.max(terms))
    if largest <= np.finfo(np.float64).max / n:
        return float(np.sum(terms) / n)
    # Scaling by a power of two is exact, so this costs no accuracy.
    exponent = np.frexp(largest)[1]
    scaled = np.ldexp(terms, -exponent)
    return float(np.ldexp(np.sum(scaled) / n, exponent))


def complex_mean(terms: ComplexArray) -> complex:
    """The mean of complex terms whose real parts are non-negative (the costs of the examples).

    The real parts may be near the largest float (:func:`mean` keeps their sum finite); the
    imaginary parts, from the complex step, are tiny.
    """
    return complex(mean(terms.real), float(np.sum(terms.imag)) / terms.shape[0])
