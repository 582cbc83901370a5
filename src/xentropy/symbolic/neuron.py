r"""One sigmoid neuron with the cross-entropy cost: the definitions and the derivations of the book.

The neuron of :mod:`xentropy.notation` (logistic regression): for example i and feature j,

- :math:`z^{(i)} = \sum_{m=1}^{k} w_m x^{(i)}_m + b`, the weighted input;
- :math:`a^{(i)} = \sigma(z^{(i)})`, the output, with σ the logistic function;
- :math:`C_{x^{(i)}} = -[y^{(i)} \ln a^{(i)} + (1 - y^{(i)})\ln(1 - a^{(i)})]`, the cost of
  example i;
- :math:`C = \frac{1}{n}\sum_{i=1}^{n} C_{x^{(i)}}`, the cost the gradient is taken of.

:data:`DEFINITIONS` states them to SymPy; each function below builds one derivation of the book,
checked as it is built, and is registered by name (:mod:`xentropy.registry`).
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.special import OneMatrix

from xentropy.derivation import Derivation
from xentropy.expressions import add, mul, neg, sigma, sigma_prime
from xentropy.notation import NIELSEN, C, C_x, a, b, i, j, k, m, n, w, x, y, z
from xentropy.registry import derivation

__all__ = [
    "DEFINITIONS",
    "bias_matrix_form",
    "cross_entropy_from_wanted_gradient",
    "dC_db",
    "dC_db_single_example",
    "dC_dw",
    "dC_dw_single_example",
    "dC_dw_summed_cost",
    "gradient_matrix_form",
    "sigma_prime_from_definition",
]


#: The definitions, outermost first: ``where`` pairs for :class:`~xentropy.derivation.Derivation`.
DEFINITIONS: tuple[tuple[sp.Basic, sp.Basic], ...] = (
    (C, sp.Sum(C_x[i], (i, 1, n)) / n),
    (C_x[i], neg(add(y[i] * sp.log(a[i]), (1 - y[i]) * sp.log(1 - a[i])))),
    (a[i], sigma(z[i])),
    (z[i], add(sp.Sum(w[m] * x[i, m], (m, 1, k)), b)),
)


def _chain(start: sp.Basic, lhs: sp.Basic, reason: str, **kw: Any) -> Derivation:
    return Derivation(start, lhs=lhs, reason=reason, where=DEFINITIONS, **kw)


def _one_example(start: sp.Basic, lhs: sp.Basic, reason: str) -> Derivation:
    # about example i, shown as Nielsen writes one example: without the i
    return _chain(start, lhs, reason, implicit_index=NIELSEN)


# -- the derivations ---------------------------------------------------------------------------


@derivation("sigma-prime", "σ′(z) = σ(z)(1 − σ(z)), from σ's definition")
def sigma_prime_from_definition() -> Derivation:
    r"""σ′(z) = σ(z)(1 − σ(z)), from :math:`\sigma(z) = 1/(1 + e^{-z})`.

    Examples
    --------
    >>> sigma_prime_from_definition().result
    (1 - σ(z[i]))*σ(z[i])
    """
    t = z[i]
    e = sp.exp(-t)
    return (
        Derivation(
            sp.Derivative(1 / (1 + e), t),
            lhs=sigma_prime(t),
            reason=r"definition of $\sigma$",
            implicit_index=NIELSEN,
        )
        .step(e / (1 + e) ** 2, "chain rule")
        .step(
            mul(sigma(t), 1 - sigma(t)),
            r"$\frac{1}{1 + e^{-z}} = \sigma(z)$, $\frac{e^{-z}}{1 + e^{-z}} = 1 - \sigma(z)$",
        )
    )


@derivation("dCx-dw", "∂C_x/∂w_j = x_j (σ(z) − y) for one example")
def dC_dw_single_example() -> Derivation:
    r"""∂C_x/∂w_j = x_j (σ(z) − y) for one training example x, through the chain rule.

    Examples
    --------
    >>> dC_dw_single_example().result
    (σ(z[i]) - y[i])*x[i, j]
    """
    s = sigma(z[i])
    return (
        _one_example(
            mul(sp.Derivative(C_x[i], a[i]), sp.Derivative(a[i], z[i]), sp.Derivative(z[i], w[j])),
            lhs=sp.Derivative(C_x[i], w[j]),
            reason="chain rule",
        )
        .step(
            mul(neg(add(y[i] / a[i], neg((1 - y[i]) / (1 - a[i])))), sigma_prime(z[i]), x[i, j]),
            "the three derivatives",
        )
        .step(
            mul(neg(add(y[i] / s, neg((1 - y[i]) / (1 - s)))), s, 1 - s, x[i, j]),
            r"$a = \sigma(z)$, $\sigma' = \sigma(1 - \sigma)$",
        )
        .step(
            mul(neg(add(mul(y[i], 1 - s), neg(mul(1 - y[i], s)))), x[i, j]),
            "cancel",
        )
        .step(mul(x[i, j], add(s, -y[i])), "expand")
    )


@derivation("dCx-db", "∂C_x/∂b = σ(z) − y for one example")
def dC_db_single_example() -> Derivation:
    r"""∂C_x/∂b = σ(z) − y for one training example: as for w_j, with ∂z/∂b = 1.

    Examples
    --------
    >>> dC_db_single_example().result
    σ(z[i]) - y[i]
    """
    s = sigma(z[i])
    return (
        _one_example(
            mul(sp.Derivative(C_x[i], a[i]), sp.Derivative(a[i], z[i]), sp.Derivative(z[i], b)),
            lhs=sp.Derivative(C_x[i], b),
            reason="chain rule",
        )
        .step(
            mul(neg(add(y[i] / s, neg((1 - y[i]) / (1 - s)))), s, 1 - s),
            r"as for $w_j$; $\partial z / \partial b = 1$",
        )
        .step(add(s, -y[i]), "cancel, expand")
    )


@derivation("dC-dw", "∂C/∂w_j = (1/n) Σ_x x_j (σ(z) − y)")
def dC_dw() -> Derivation:
    r"""∂C/∂w_j = (1/n) Σ_i x⁽ⁱ⁾_j (σ(z⁽ⁱ⁾) − y⁽ⁱ⁾): the mean of the one-example results.

    Examples
    --------
    >>> dC_dw().result
    Sum((σ(z[i]) - y[i])*x[i, j], (i, 1, n))/n
    """
    return (
        _chain(
            sp.Derivative(sp.Sum(C_x[i], (i, 1, n)) / n, w[j]),
            lhs=sp.Derivative(C, w[j]),
            reason="definition of $C$",
        )
        .step(
            sp.Sum(sp.Derivative(C_x[i], w[j]), (i, 1, n)) / n,
            "sum rule",
        )
        .step(
            sp.Sum(mul(x[i, j], add(sigma(z[i]), -y[i])), (i, 1, n)) / n,
            "each term for one example",
        )
    )


@derivation("dC-db", "∂C/∂b = (1/n) Σ_x (σ(z) − y)")
def dC_db() -> Derivation:
    r"""∂C/∂b = (1/n) Σ_i (σ(z⁽ⁱ⁾) − y⁽ⁱ⁾).

    Examples
    --------
    >>> dC_db().result
    Sum(σ(z[i]) - y[i], (i, 1, n))/n
    """
    return (
        _chain(
            sp.Derivative(sp.Sum(C_x[i], (i, 1, n)) / n, b),
            lhs=sp.Derivative(C, b),
            reason="definition of $C$",
        )
        .step(
            sp.Sum(sp.Derivative(C_x[i], b), (i, 1, n)) / n,
            "sum rule",
        )
        .step(sp.Sum(add(sigma(z[i]), -y[i]), (i, 1, n)) / n, "each term for one example")
    )


@derivation("dCsum-dw", "∂(Σ_x C_x)/∂w_j = Σ_x x_j (σ(z) − y) = n ∂C/∂w_j, the cost as a sum")
def dC_dw_summed_cost() -> Derivation:
    r"""The gradient of the summed cost Σ_x C_x: n times the gradient of the mean cost C.

    Examples
    --------
    >>> dC_dw_summed_cost().result
    n*Derivative(C, w[j])
    """
    return (
        _chain(
            sp.Sum(sp.Derivative(C_x[i], w[j]), (i, 1, n)),
            lhs=sp.Derivative(sp.Sum(C_x[i], (i, 1, n)), w[j]),
            reason="sum rule",
        )
        .step(sp.Sum(mul(x[i, j], add(sigma(z[i]), -y[i])), (i, 1, n)), "each term for one example")
        .step(mul(n, sp.Derivative(C, w[j])), r"$\partial C/\partial w_j$ is $1/n$ times this sum")
    )


@derivation(
    "cross-entropy-from-gradient",
    "wanting ∂C/∂z = a − y gives C = −[y ln a + (1 − y) ln(1 − a)] + constant",
)
def cross_entropy_from_wanted_gradient() -> Derivation:
    r"""The reverse: wanting ∂C/∂z = a − y forces ∂C/∂a = ∂C_x/∂a, so C = C_x + constant.

    By the chain rule ∂C/∂z = (∂C/∂a) σ′(z); for it to equal a − y, ∂C/∂a must be
    (a − y)/σ′(z). The chain shows that this is the derivative in a of the cross-entropy.

    Examples
    --------
    >>> d = cross_entropy_from_wanted_gradient()
    >>> [step.verified for step in d.steps]
    ['proven', 'proven', 'proven']
    """
    cost = neg(add(y[i] * sp.log(a[i]), (1 - y[i]) * sp.log(1 - a[i])))
    return (
        Derivation(
            add(a[i], -y[i]) / sigma_prime(z[i]),
            where=DEFINITIONS[2:],
            implicit_index=NIELSEN,
        )
        .step(
            mul(add(a[i], -y[i]), sp.Pow(mul(a[i], 1 - a[i]), -1, evaluate=False)),
            r"$\sigma'(z) = \sigma(z)(1 - \sigma(z)) = a(1 - a)$",
        )
        .step(add(-y[i] / a[i], (1 - y[i]) / (1 - a[i])), "partial fractions in $a$")
        .step(sp.Derivative(cost, a[i]), r"$(\ln a)' = 1/a$, $(\ln(1 - a))' = -1/(1 - a)$")
    )


def _matrix_names(n_examples: int, n_features: int) -> tuple[sp.Basic, ...]:
    """X, w, y, z, 1 as matrix symbols, and the definitions that tie them to x⁽ⁱ⁾_j, w_j, y⁽ⁱ⁾."""
    X = sp.MatrixSymbol("X", n_examples, n_features)
    wv = sp.MatrixSymbol(r"\mathbf{w}", n_features, 1)
    yv = sp.MatrixSymbol(r"\mathbf{y}", n_examples, 1)
    zv = sp.MatrixSymbol(r"\mathbf{z}", n_examples, 1)
    ones = OneMatrix(n_examples, 1)
    where = (
        *DEFINITIONS,
        (zv, sp.MatAdd(X * wv, b * ones)),
        (X, sp.Matrix(n_examples, n_features, lambda r, c: x[r + 1, c + 1])),
        (wv, sp.Matrix([w[c] for c in range(1, n_features + 1)])),
        (yv, sp.Matrix([y[r] for r in range(1, n_examples + 1)])),
        (n, n_examples),
        (k, n_features),
    )
    return X, wv, yv, zv, ones, where


@derivation("gradient-matrix-form", "∇_w C = Xᵀ(σ(Xw + b) − y)/n, proven for n = 3, k = 2")
def gradient_matrix_form(n_examples: int = 3, n_features: int = 2) -> Derivation:
    r"""∇_w C = Xᵀ(σ(Xw + b1) − y)/n, proven for explicit sizes from the index form.

    ``X`` is the n×k matrix with entries x_ij, ``w`` and ``y`` are column vectors, ``1`` is the
    column of n ones and σ acts entry by entry.

    Parameters
    ----------
    n_examples, n_features : int
        The sizes n and k for which the identity is proven.

    Examples
    --------
    >>> from xentropy.latex import to_latex
    >>> print(to_latex(gradient_matrix_form(2, 1).result))
    \frac{1}{n} X^{T} \left(\sigma\left(X \mathbf{w} + b \mathbf{1}\right) - \mathbf{y}\right)
    """
    features = range(1, n_features + 1)
    return _matrix_form(
        sp.Matrix([sp.Derivative(C, w[c]) for c in features]),
        sp.Matrix([sp.Sum(mul(x[i, c], add(sigma(z[i]), -y[i])), (i, 1, n)) / n for c in features]),
        "the index form, $j = 1, \\dots, k$",
        "X",
        "$(X^T r)_j = \\sum_i x^{(i)}_j r^{(i)}$",
        n_examples,
        n_features,
    )


@derivation("bias-matrix-form", "∂C/∂b = mean(σ(Xw + b) − y), proven for n = 3, k = 2")
def bias_matrix_form(n_examples: int = 3, n_features: int = 2) -> Derivation:
    r"""∂C/∂b = 1ᵀ(σ(Xw + b1) − y)/n, the mean residual, proven for explicit sizes.

    Examples
    --------
    >>> bias_matrix_form(2, 1).steps[-1].verified
    'proven'
    """
    index_form = sp.Sum(add(sigma(z[i]), -y[i]), (i, 1, n)) / n
    return _matrix_form(
        sp.Derivative(C, b),
        index_form,
        "the index form",
        "1",
        "$\\mathbf{1}^T r = \\sum_i r^{(i)}$",
        n_examples,
        n_features,
    )


def _matrix_form(
    start: sp.Basic,
    index_form: sp.Basic,
    index_reason: str,
    left: str,
    left_reason: str,
    n_examples: int,
    n_features: int,
) -> Derivation:
    """From the index form to (1/n) L (σ(z) − y), then z = Xw + b; L is Xᵀ or 1ᵀ (``left``)."""
    X, wv, yv, zv, ones, where = _matrix_names(n_examples, n_features)
    L = X.T if left == "X" else ones.T
    return (
        Derivation(start, where=where)
        .step(index_form, index_reason)
        .step(mul(1 / n, L, sp.MatAdd(zv.applyfunc(sigma), -yv)), left_reason)
        .step(
            mul(1 / n, L, sp.MatAdd(sp.MatAdd(X * wv, b * ones).applyfunc(sigma), -yv)),
            "$z = Xw + b$",
        )
    )
