r"""The SymPy model of the last two layers of a network of sigmoid neurons, and backpropagation.

Nielsen's notation for a network (chapter 2 of *Neural Networks and Deep Learning*), for one
training example x: layer L is the output layer, with K sigmoid neurons numbered by j (and l in a
sum); layer L − 1 before it has H neurons numbered by k (and k' in a sum). For output neuron j,

- :math:`z^L_j = \sum_{k'=1}^{H} w^L_{jk'} a^{L-1}_{k'} + b^L_j`, its weighted input, where
  :math:`w^L_{jk}` is the weight from neuron k of layer L − 1 to neuron j of layer L;
- :math:`a^L_j = \sigma(z^L_j)`, its output, and :math:`a^{L-1}_k = \sigma(z^{L-1}_k)` likewise;
- :math:`C_x = -\sum_{l=1}^{K} [y_l \ln a^L_l + (1 - y_l)\ln(1 - a^L_l)]`, the cross-entropy of
  the example, one binary cross-entropy per output neuron (labels :math:`y_l` in [0, 1]).

The error of neuron j of layer l is :math:`\delta^l_j = \partial C_x / \partial z^l_j`. The
derivations below show :math:`\delta^L_j = a^L_j - y_j` (the cross-entropy's gift: no
:math:`\sigma'` factor), the gradients of the output layer's weights and biases, and one step of
backpropagation, :math:`\delta^{L-1} = ((w^L)^T \delta^L) \circ \sigma'(z^{L-1})`, which is
proven for explicit sizes because SymPy writes the matrices out. The functions build the
derivations, each checked as it is built and registered by name (:mod:`xentropy.registry`).
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.hadamard import HadamardProduct

from xentropy.derivation import Derivation
from xentropy.expressions import add, mul, neg, sigma, sigma_prime
from xentropy.registry import derivation

__all__ = [
    "DEFINITIONS",
    "C_x",
    "H",
    "K",
    "a_hidden",
    "a_out",
    "b_out",
    "delta_out",
    "hidden_error",
    "j",
    "k",
    "output_bias_gradient",
    "output_error",
    "output_weight_gradient",
    "w_out",
    "y",
    "z_hidden",
    "z_out",
]

# -- the symbols -------------------------------------------------------------------------------

K = sp.Symbol("K", integer=True, positive=True)  # neurons in the output layer L
H = sp.Symbol("H", integer=True, positive=True)  # neurons in layer L - 1
j = sp.Idx("j", (1, K))  # an output neuron
l = sp.Idx("l", (1, K))  # noqa: E741  the output neuron summed over in the cost
k = sp.Idx("k", (1, H))  # a neuron of layer L - 1
k_ = sp.Idx("k'", (1, H))  # the neuron of layer L - 1 summed over in z^L

z_out = sp.IndexedBase("z^L", real=True)  # z_out[j]: weighted input of output neuron j
a_out = sp.IndexedBase("a^L", real=True)  # a_out[j]: output of output neuron j
w_out = sp.IndexedBase("w^L", real=True)  # w_out[j, k]: weight from neuron k of L - 1 to j of L
b_out = sp.IndexedBase("b^L", real=True)  # b_out[j]: bias of output neuron j
z_hidden = sp.IndexedBase("z^{L-1}", real=True)  # z_hidden[k]: weighted input of neuron k of L - 1
a_hidden = sp.IndexedBase("a^{L-1}", real=True)  # a_hidden[k]: its output
y = sp.IndexedBase("y", real=True)  # y[j]: the label for output neuron j, in [0, 1]
delta_out = sp.IndexedBase(r"\delta^L", real=True)  # delta_out[j]: the error of output neuron j
C_x = sp.Symbol("C_x", real=True)  # the cost of the one training example


def _cost() -> sp.Expr:
    term = add(mul(y[l], sp.log(a_out[l])), mul(add(1, -y[l]), sp.log(add(1, -a_out[l]))))
    return neg(sp.Sum(term, (l, 1, K)))


#: The definitions, outermost first: ``where`` pairs for :class:`~xentropy.derivation.Derivation`.
#: The output error δ^L_j is given by its value, a^L_j − y_j, which :func:`output_error` derives.
DEFINITIONS: tuple[tuple[sp.Basic, sp.Basic], ...] = (
    (C_x, _cost()),
    (delta_out[j], add(a_out[j], -y[j])),
    (a_out[j], sigma(z_out[j])),
    (z_out[j], add(sp.Sum(mul(w_out[j, k_], a_hidden[k_]), (k_, 1, H)), b_out[j])),
    (a_hidden[k], sigma(z_hidden[k])),
)

_COST_AND_OUTPUT = (DEFINITIONS[0], DEFINITIONS[2])  # z^L the variable, not a function of w^L


def _partial_of_cost_by_output(t: sp.Basic) -> sp.Expr:
    """∂C_x/∂a^L_t = −(y_t/a^L_t − (1 − y_t)/(1 − a^L_t)), printed as the book writes it."""
    return neg(add(y[t] / a_out[t], neg((1 - y[t]) / add(1, -a_out[t]))))


# -- the derivations ---------------------------------------------------------------------------


@derivation(
    "output-error", "δ^L_j = ∂C_x/∂z^L_j = a^L_j − y_j for sigmoid outputs with cross-entropy"
)
def output_error() -> Derivation:
    r"""δ^L_j = ∂C_x/∂z^L_j = a^L_j − y_j: the error of output neuron j under the cross-entropy.

    Only the term l = j of the cost depends on z^L_j, through a^L_j; the chain rule gives
    ∂C_x/∂a^L_j times σ′(z^L_j), and σ′ = σ(1 − σ) cancels the denominators.

    Examples
    --------
    >>> output_error().result
    a^L[j] - y[j]
    """
    a_j = a_out[j]
    return (
        Derivation(
            mul(_partial_of_cost_by_output(j), sigma_prime(z_out[j])),
            lhs=sp.Derivative(C_x, z_out[j]),
            reason=r"chain rule through $a^L_j$",
            where=_COST_AND_OUTPUT,
        )
        .step(
            mul(_partial_of_cost_by_output(j), a_j, add(1, -a_j)),
            r"$\sigma' = \sigma (1 - \sigma)$",
        )
        .step(
            neg(add(mul(y[j], add(1, -a_j)), neg(mul(add(1, -y[j]), a_j)))),
            "cancel",
        )
        .step(add(a_j, -y[j]), "expand")
    )


@derivation("output-weight-gradient", "∂C_x/∂w^L_jk = a^{L−1}_k δ^L_j")
def output_weight_gradient() -> Derivation:
    r"""∂C_x/∂w^L_jk = a^{L−1}_k δ^L_j: the weight enters z^L_j only, times a^{L−1}_k.

    Examples
    --------
    >>> output_weight_gradient().result
    (a^L[j] - y[j])*a^{L-1}[k]
    """
    return Derivation(
        mul(a_hidden[k], delta_out[j]),
        lhs=sp.Derivative(C_x, w_out[j, k]),
        reason=r"chain rule through $z^L_j$",
        where=DEFINITIONS[:4],
    ).step(mul(a_hidden[k], add(a_out[j], -y[j])), r"$\delta^L_j = a^L_j - y_j$")


@derivation("output-bias-gradient", "∂C_x/∂b^L_j = δ^L_j")
def output_bias_gradient() -> Derivation:
    r"""∂C_x/∂b^L_j = δ^L_j = a^L_j − y_j: as for the weights, with ∂z^L_j/∂b^L_j = 1.

    Examples
    --------
    >>> output_bias_gradient().result
    a^L[j] - y[j]
    """
    return Derivation(
        delta_out[j],
        lhs=sp.Derivative(C_x, b_out[j]),
        reason=r"chain rule through $z^L_j$",
        where=DEFINITIONS[:4],
    ).step(add(a_out[j], -y[j]), r"$\delta^L_j = a^L_j - y_j$")


@derivation(
    "hidden-error",
    "δ^{L−1} = ((w^L)^T δ^L) ∘ σ′(z^{L−1}), proven for K = 2 outputs and H = 3 hidden neurons",
)
def hidden_error(n_out: int = 2, n_hidden: int = 3) -> Derivation:
    r"""δ^{L−1} = ((w^L)^T δ^L) ∘ σ′(z^{L−1}), proven for explicit sizes K and H.

    δ^{L−1} is the column of the ∂C_x/∂z^{L−1}_k; z^{L−1}_k reaches the cost through every
    z^L_j, with ∂z^L_j/∂z^{L−1}_k = w^L_jk σ′(z^{L−1}_k). ∘ is the entrywise (Hadamard) product,
    which Nielsen writes ⊙.

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
        (delta_hidden, sp.Matrix([sp.Derivative(C_x, z_hidden[h]) for h in hidden])),
        (W, sp.Matrix(n_out, n_hidden, lambda r, s: w_out[r + 1, s + 1])),
        (delta, sp.Matrix([delta_out[r] for r in range(1, n_out + 1)])),
        (slopes, sp.Matrix([sigma_prime(z_hidden[h]) for h in hidden])),
        *DEFINITIONS,
        (K, sp.Integer(n_out)),
        (H, sp.Integer(n_hidden)),
    )

    def back(h: int) -> sp.Expr:
        # Σ_j w^L_jk δ^L_j, written out
        total = add(*(mul(w_out[r, h], delta_out[r]) for r in range(1, n_out + 1)))
        return mul(total, sigma_prime(z_hidden[h]))

    return (
        Derivation(
            sp.Matrix([sp.Derivative(C_x, z_hidden[h]) for h in hidden]),
            lhs=delta_hidden,
            reason=r"definition of $\delta^{L-1}$",
            where=where,
        )
        .step(
            sp.Matrix([back(h) for h in hidden]),
            r"chain rule through every $z^L_j$",
        )
        .step(
            HadamardProduct(W.T * delta, slopes),
            r"$((w^L)^T \delta^L)_k = \sum_j w^L_{jk} \delta^L_j$",
        )
    )
