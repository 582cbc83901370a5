r"""The last two layers of a network of sigmoid neurons, and backpropagation, derived.

Nielsen's network (chapter 2 of *Neural Networks and Deep Learning*) in the book's notation
(:mod:`xentropy.notation`), for one training example x: layer L is the output layer, with K
sigmoid neurons numbered by c (and d in a sum); layer L − 1 before it has H hidden neurons
numbered by u (and u' in a sum). Nielsen numbers them j and k; here j numbers features and k
counts them. For output neuron c,

- :math:`z^L_c = \sum_{u'=1}^{H} w^L_{cu'} a^{L-1}_{u'} + b^L_c`, its weighted input, where
  :math:`w^L_{cu}` is the weight from hidden neuron u to output neuron c (one row of
  :math:`w^L` per output neuron, as in Nielsen);
- :math:`a^L_c = \sigma(z^L_c)`, its output, and :math:`a^{L-1}_u = \sigma(z^{L-1}_u)` likewise;
- :math:`C_x = -\sum_{d=1}^{K} [y_d \ln a^L_d + (1 - y_d)\ln(1 - a^L_d)]`, the cross-entropy of
  the example, one binary cross-entropy per output neuron (labels :math:`y_d` in [0, 1]).

The error of output neuron c is :math:`\delta^L_c = \partial C_x / \partial z^L_c`. The
derivations below show :math:`\delta^L_c = a^L_c - y_c` (the cross-entropy's gift: no
:math:`\sigma'` factor), the gradients of the output layer's weights and biases, and one step of
backpropagation, :math:`\delta^{L-1} = ((w^L)^T \delta^L) \odot \sigma'(z^{L-1})`, which is
proven for explicit sizes because SymPy writes the matrices out. The functions build the
derivations, each checked as it is built and registered by name (:mod:`xentropy.registry`).
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.hadamard import HadamardProduct

from xentropy.derivation import Derivation
from xentropy.expressions import add, mul, neg, sigma, sigma_prime
from xentropy.notation import (
    C_one,
    H,
    K,
    a_hidden,
    a_out,
    b_out,
    c,
    d,
    delta_out,
    u,
    u_,
    w_out,
    y_out,
    z_hidden,
    z_out,
)
from xentropy.registry import derivation

__all__ = [
    "DEFINITIONS",
    "hidden_error",
    "output_bias_gradient",
    "output_error",
    "output_weight_gradient",
]


def _cost() -> sp.Expr:
    term = add(mul(y_out[d], sp.log(a_out[d])), mul(add(1, -y_out[d]), sp.log(add(1, -a_out[d]))))
    return neg(sp.Sum(term, (d, 1, K)))


#: The definitions, outermost first: ``where`` pairs for :class:`~xentropy.derivation.Derivation`.
#: The output error δ^L_c is given by its value, a^L_c − y_c, which :func:`output_error` derives.
DEFINITIONS: tuple[tuple[sp.Basic, sp.Basic], ...] = (
    (C_one, _cost()),
    (delta_out[c], add(a_out[c], -y_out[c])),
    (a_out[c], sigma(z_out[c])),
    (z_out[c], add(sp.Sum(mul(w_out[c, u_], a_hidden[u_]), (u_, 1, H)), b_out[c])),
    (a_hidden[u], sigma(z_hidden[u])),
)

_COST_AND_OUTPUT = (DEFINITIONS[0], DEFINITIONS[2])  # z^L the variable, not a function of w^L


def _partial_of_cost_by_output(t: sp.Basic) -> sp.Expr:
    """∂C_x/∂a^L_t = −(y_t/a^L_t − (1 − y_t)/(1 − a^L_t)), printed as the book writes it."""
    return neg(add(y_out[t] / a_out[t], neg((1 - y_out[t]) / add(1, -a_out[t]))))


# -- the derivations ---------------------------------------------------------------------------


@derivation(
    "output-error", "δ^L_c = ∂C_x/∂z^L_c = a^L_c − y_c for sigmoid outputs with cross-entropy"
)
def output_error() -> Derivation:
    r"""δ^L_c = ∂C_x/∂z^L_c = a^L_c − y_c: the error of output neuron c under the cross-entropy.

    Only the term d = c of the cost depends on z^L_c, through a^L_c; the chain rule gives
    ∂C_x/∂a^L_c times σ′(z^L_c), and σ′ = σ(1 − σ) cancels the denominators.

    Examples
    --------
    >>> output_error().result
    a^L[c] - y[c]
    """
    a_c = a_out[c]
    return (
        Derivation(
            mul(_partial_of_cost_by_output(c), sigma_prime(z_out[c])),
            lhs=sp.Derivative(C_one, z_out[c]),
            reason=r"chain rule through $a^L_c$",
            where=_COST_AND_OUTPUT,
        )
        .step(
            mul(_partial_of_cost_by_output(c), a_c, add(1, -a_c)),
            r"$\sigma' = \sigma (1 - \sigma)$",
        )
        .step(
            neg(add(mul(y_out[c], add(1, -a_c)), neg(mul(add(1, -y_out[c]), a_c)))),
            "cancel",
        )
        .step(add(a_c, -y_out[c]), "expand")
    )


@derivation("output-weight-gradient", "∂C_x/∂w^L_cu = a^{L−1}_u δ^L_c")
def output_weight_gradient() -> Derivation:
    r"""∂C_x/∂w^L_cu = a^{L−1}_u δ^L_c: the weight enters z^L_c only, times a^{L−1}_u.

    Examples
    --------
    >>> output_weight_gradient().result
    (a^L[c] - y[c])*a^{L-1}[u]
    """
    return Derivation(
        mul(a_hidden[u], delta_out[c]),
        lhs=sp.Derivative(C_one, w_out[c, u]),
        reason=r"chain rule through $z^L_c$",
        where=DEFINITIONS[:4],
    ).step(mul(a_hidden[u], add(a_out[c], -y_out[c])), r"$\delta^L_c = a^L_c - y_c$")


@derivation("output-bias-gradient", "∂C_x/∂b^L_c = δ^L_c")
def output_bias_gradient() -> Derivation:
    r"""∂C_x/∂b^L_c = δ^L_c = a^L_c − y_c: as for the weights, with ∂z^L_c/∂b^L_c = 1.

    Examples
    --------
    >>> output_bias_gradient().result
    a^L[c] - y[c]
    """
    return Derivation(
        delta_out[c],
        lhs=sp.Derivative(C_one, b_out[c]),
        reason=r"chain rule through $z^L_c$",
        where=DEFINITIONS[:4],
    ).step(add(a_out[c], -y_out[c]), r"$\delta^L_c = a^L_c - y_c$")


@derivation(
    "hidden-error",
    "δ^{L−1} = ((w^L)^T δ^L) ⊙ σ′(z^{L−1}), proven for K = 2 outputs and H = 3 hidden neurons",
)
def hidden_error(n_out: int = 2, n_hidden: int = 3) -> Derivation:
    r"""δ^{L−1} = ((w^L)^T δ^L) ⊙ σ′(z^{L−1}), proven for explicit sizes K and H.

    δ^{L−1} is the column of the ∂C_x/∂z^{L−1}_u; z^{L−1}_u reaches the cost through every
    z^L_c, with ∂z^L_c/∂z^{L−1}_u = w^L_cu σ′(z^{L−1}_u). ⊙ is the entrywise (Hadamard)
    product.

    ``n_out`` and ``n_hidden`` are the sizes K and H for which the identity is proven; SymPy
    writes the matrices out entry by entry.

    Examples
    --------
    >>> [s.verified for s in hidden_error(1, 2).steps]
    ['proven', 'proven', 'proven']
    """
    W = sp.MatrixSymbol("w^L", n_out, n_hidden)
    delta = sp.MatrixSymbol(r"\delta^L", n_out, 1)
    delta_hidden = sp.MatrixSymbol(r"\delta^{L-1}", n_hidden, 1)
    slopes = sp.MatrixSymbol(r"\sigma'(z^{L-1})", n_hidden, 1)
    hidden = range(1, n_hidden + 1)
    where = (
        (delta_hidden, sp.Matrix([sp.Derivative(C_one, z_hidden[u]) for u in hidden])),
        (W, sp.Matrix(n_out, n_hidden, lambda r, s: w_out[r + 1, s + 1])),
        (delta, sp.Matrix([delta_out[r] for r in range(1, n_out + 1)])),
        (slopes, sp.Matrix([sigma_prime(z_hidden[u]) for u in hidden])),
        *DEFINITIONS,
        (K, sp.Integer(n_out)),
        (H, sp.Integer(n_hidden)),
    )

    def back(u: int) -> sp.Expr:
        # Σ_c w^L_cu δ^L_c, written out
        total = add(*(mul(w_out[r, u], delta_out[r]) for r in range(1, n_out + 1)))
        return mul(total, sigma_prime(z_hidden[u]))

    return (
        Derivation(
            sp.Matrix([sp.Derivative(C_one, z_hidden[u]) for u in hidden]),
            lhs=delta_hidden,
            reason=r"definition of $\delta^{L-1}$",
            where=where,
        )
        .step(
            sp.Matrix([back(u) for u in hidden]),
            r"chain rule through every $z^L_c$",
        )
        .step(
            HadamardProduct(W.T * delta, slopes),
            r"$((w^L)^T \delta^L)_u = \sum_c w^L_{cu} \delta^L_c$",
        )
    )
