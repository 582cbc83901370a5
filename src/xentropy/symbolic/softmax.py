r"""The SymPy model of a softmax output layer with the log-likelihood cost, and its derivations.

K output neurons, one per class, on the inputs of :mod:`xentropy.symbolic.neuron` (example
i = 1, …, n, feature j = 1, …, k). For example i and class c = 1, …, K:

- :math:`z_{ic} = \sum_{m=1}^{k} w_{cm} x_{im} + b_c`, the weighted input of output neuron c;
- :math:`a_{ic} = e^{z_{ic}} / \sum_{l'=1}^{K} e^{z_{il'}}`, the softmax output, a probability;
- :math:`C_{x_i} = -\sum_{l=1}^{K} y_{il} \ln a_{il}`, the log-likelihood (categorical
  cross-entropy) of example i, with labels :math:`y_{i1}, \dots, y_{iK}` that form a probability
  distribution (one-hot for a hard label);
- :math:`C = \frac{1}{n}\sum_{i=1}^{n} C_{x_i}`.

The class index is c (and l, l' where a sum runs over the classes); many texts write k, which is
here already the number of features. The weight :math:`w_{cj}` connects feature j to output c.

SymPy is told that the labels sum to 1 by writing them as normalized non-negative weights,
:math:`y_{ic} = q_{ic} / \sum_l q_{il}`; every distribution can be written so (take q = y). For a
number of classes given as a number, SymPy then proves :math:`\sum_l y_{il} = 1`; for a symbolic K
it cannot (it does not rename :math:`\sum_{l'} q_{l'}` to :math:`\sum_l q_l`), and that one step is
checked numerically, at random points for K = 1, …, 5.

The functions at the bottom build the derivations, each checked as it is built and registered by
name (:mod:`xentropy.registry`).
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from xentropy.derivation import Derivation
from xentropy.expressions import add, mul, neg, sigma
from xentropy.notation import NIELSEN, C, C_x, i, j, k, m, n, x
from xentropy.registry import derivation

__all__ = [
    "K",
    "a",
    "b",
    "c",
    "dC_db_softmax",
    "dC_dw_softmax",
    "dC_dz_softmax",
    "definitions",
    "l",
    "l_",
    "log_likelihood_two_classes",
    "log_softmax_derivative",
    "q",
    "softmax_two_classes",
    "w",
    "y",
    "z",
]

# -- the symbols -------------------------------------------------------------------------------

K = sp.Symbol("K", integer=True, positive=True)  # number of classes (output neurons)
c = sp.Idx("c", (1, K))  # the class differentiated by
l = sp.Idx("l", (1, K))  # noqa: E741  the class summed over in the cost
l_ = sp.Idx("l'", (1, K))  # the class summed over in the softmax's denominator

w = sp.IndexedBase("w", real=True)  # w[c, m]: the weight from feature m to output c
b = sp.IndexedBase("b", real=True)  # b[c]: the bias of output c
z = sp.IndexedBase("z", real=True)  # z[i, c]: the weighted input of output c for example i
a = sp.IndexedBase("a", real=True)  # a[i, c]: the softmax output, the probability of class c
y = sp.IndexedBase("y", real=True)  # y[i, c]: the label, the wanted probability of class c
q = sp.IndexedBase("q", nonnegative=True)  # q[i, c]: y[i, c] before normalization


def _over_classes(
    f: Callable[[sp.Basic], sp.Expr], index: sp.Idx, classes: int | None, *, shown: bool = True
) -> sp.Expr:
    """Σ_index f(index): a Sum for a symbolic K, written out term by term for a number.

    Written out for a line of a derivation (``shown``), the terms keep their order; in a
    definition they are added as SymPy adds them, which its simplification handles better.
    """
    if classes is None:
        return sp.Sum(f(index), (index, 1, K))
    terms = [f(sp.Integer(v)) for v in range(1, classes + 1)]
    return add(*terms) if shown else sp.Add(*terms)


def definitions(
    classes: int | None = None, *, logits: bool = True
) -> tuple[tuple[sp.Basic, sp.Basic], ...]:
    """The definitions, outermost first, for K classes (a symbol) or for ``classes`` classes.

    With ``logits=False`` the weighted inputs z are left undefined: the variables of a
    derivative by z, not functions of the weights.

    Examples
    --------
    >>> dict(definitions())[a[i, c]]
    exp(z[i, c])/Sum(exp(z[i, l']), (l', 1, K))
    >>> dict(definitions(2))[C_x[i]]
    -(log(a[i, 1])*y[i, 1] + log(a[i, 2])*y[i, 2])
    """
    pairs = [
        (C, sp.Sum(C_x[i], (i, 1, n)) / n),
        (
            C_x[i],
            neg(_over_classes(lambda t: mul(y[i, t], sp.log(a[i, t])), l, classes, shown=False)),
        ),
        (
            a[i, c],
            sp.exp(z[i, c]) / _over_classes(lambda t: sp.exp(z[i, t]), l_, classes, shown=False),
        ),
        (z[i, c], add(sp.Sum(mul(w[c, m], x[i, m]), (m, 1, k)), b[c])),
        (y[i, c], q[i, c] / _over_classes(lambda t: q[i, t], l, classes, shown=False)),
    ]
    if not logits:
        pairs = [p for p in pairs if p[0] != z[i, c]]
    if classes is not None:
        pairs.append((K, sp.Integer(classes)))
    return tuple(pairs)


def _one_example(
    start: sp.Basic,
    lhs: sp.Basic,
    reason: str,
    classes: int | None = None,
    *,
    logits: bool = True,
    label: str | None = None,
) -> Derivation:
    return Derivation(
        start,
        lhs=lhs,
        label=label,
        reason=reason,
        where=definitions(classes, logits=logits),
        implicit_index=NIELSEN,
    )


# -- the derivations ---------------------------------------------------------------------------


@derivation(
    "log-softmax-derivative", "∂ ln a_l/∂z_c = δ_cl − a_c for the softmax a_l = e^{z_l}/Σ e^{z_l'}"
)
def log_softmax_derivative() -> Derivation:
    r"""∂ ln a_l / ∂z_c = δ_cl − a_c: the derivative of the logarithm of a softmax output.

    Examples
    --------
    >>> log_softmax_derivative().result
    KroneckerDelta(c, l) - a[i, c]
    """
    total = sp.Sum(sp.exp(z[i, l_]), (l_, 1, K))
    return (
        _one_example(
            sp.Derivative(add(z[i, l], neg(sp.log(total))), z[i, c]),
            lhs=sp.Derivative(sp.log(a[i, l]), z[i, c]),
            reason=r"$\ln a_l = z_l - \ln \sum_{l'} e^{z_{l'}}$",
            logits=False,
        )
        .step(
            add(sp.KroneckerDelta(l, c), neg(sp.exp(z[i, c]) / total)),
            r"$\partial z_l / \partial z_c = \delta_{cl}$, chain rule",
        )
        .step(add(sp.KroneckerDelta(l, c), -a[i, c]), "definition of $a_c$")
    )


@derivation(
    "softmax-dCx-dz-3",
    "∂C_x/∂z_c = a_c − y_c for softmax with log-likelihood, written out for K = 3",
    classes=3,
)
@derivation("softmax-dCx-dz", "∂C_x/∂z_c = a_c − y_c for softmax with log-likelihood")
def dC_dz_softmax(classes: int | None = None) -> Derivation:
    r"""∂C_x/∂z_c = a_c − y_c for one example: the output error of softmax with log-likelihood.

    Parameters
    ----------
    classes : int, optional
        The number of classes K. By default K is a symbol and the sums over the classes are
        indexed; with a number the derivation is written out for every class, as a column.

    Examples
    --------
    >>> dC_dz_softmax().result
    a[i, c] - y[i, c]
    >>> dC_dz_softmax(3).steps[-1].verified
    'proven'
    """
    if classes is None:
        columns = [c]
        label = None  # the registered name
    else:
        columns = [sp.Integer(v) for v in range(1, classes + 1)]
        label = f"softmax-dCx-dz-{classes}"

    def column(entry: Callable[[sp.Basic], sp.Expr]) -> sp.Basic:
        entries = [entry(t) for t in columns]
        return entries[0] if classes is None else sp.Matrix(entries)

    def a_minus_delta(u: sp.Basic, t: sp.Basic) -> sp.Expr:
        if classes is None:
            return add(a[i, t], -sp.KroneckerDelta(u, t))
        return add(a[i, t], -1) if u == t else a[i, t]  # δ_lc written out

    opening = column(
        lambda t: neg(
            _over_classes(
                lambda u: mul(y[i, u], sp.Derivative(sp.log(a[i, u]), z[i, t])), l, classes
            )
        )
    )
    by_delta = column(
        lambda t: _over_classes(lambda u: mul(y[i, u], a_minus_delta(u, t)), l, classes)
    )
    lhs = column(lambda t: sp.Derivative(C_x[i], z[i, t]))
    reason = r"$\partial \ln a_l / \partial z_c = \delta_{cl} - a_c$"
    if classes is None:
        d = _one_example(
            opening, lhs, r"definition of $C_x$, sum rule", logits=False, label=label
        ).step(by_delta, reason)
    else:
        # Written out, the first line would be three times as wide; start at the second.
        d = _one_example(by_delta, lhs, reason, classes, logits=False, label=label)
    return d.step(
        column(lambda t: add(mul(a[i, t], _over_classes(lambda u: y[i, u], l, classes)), -y[i, t])),
        r"$\delta_{cl}$ picks out $l = c$",
    ).step(column(lambda t: add(a[i, t], -y[i, t])), r"$\sum_l y_l = 1$")


@derivation("softmax-dCx-dw", "∂C_x/∂w_cj = x_j (a_c − y_c) for softmax with log-likelihood")
def dC_dw_softmax() -> Derivation:
    r"""∂C_x/∂w_cj = x_j (a_c − y_c) for one example: the weight from feature j to output c.

    The weight enters only z_c, so the chain rule has one term, ∂C_x/∂z_c times
    ∂z_c/∂w_cj = x_j.

    Examples
    --------
    >>> dC_dw_softmax().result
    (a[i, c] - y[i, c])*x[i, j]
    """
    sum_y = sp.Sum(y[i, l], (l, 1, K))
    return _one_example(
        mul(add(mul(a[i, c], sum_y), -y[i, c]), x[i, j]),
        lhs=sp.Derivative(C_x[i], w[c, j]),
        reason=r"chain rule through $z_c$: $\partial z_c / \partial w_{cj} = x_j$",
    ).step(mul(x[i, j], add(a[i, c], -y[i, c])), r"$\sum_l y_l = 1$")


@derivation("softmax-dCx-db", "∂C_x/∂b_c = a_c − y_c for softmax with log-likelihood")
def dC_db_softmax() -> Derivation:
    r"""∂C_x/∂b_c = a_c − y_c for one example: as for w_cj, with ∂z_c/∂b_c = 1.

    Examples
    --------
    >>> dC_db_softmax().result
    a[i, c] - y[i, c]
    """
    sum_y = sp.Sum(y[i, l], (l, 1, K))
    return _one_example(
        add(mul(a[i, c], sum_y), -y[i, c]),
        lhs=sp.Derivative(C_x[i], b[c]),
        reason=r"chain rule through $z_c$: $\partial z_c / \partial b_c = 1$",
    ).step(add(a[i, c], -y[i, c]), r"$\sum_l y_l = 1$")


@derivation("softmax-two-classes", "with two classes, softmax a_1 = σ(z_1 − z_2)")
def softmax_two_classes() -> Derivation:
    r"""With K = 2 classes, the softmax output of class 1 is σ(z_1 − z_2).

    Examples
    --------
    >>> softmax_two_classes().result
    σ(z[i, 1] - z[i, 2])
    """
    z1, z2 = z[i, 1], z[i, 2]
    return (
        _one_example(
            sp.exp(z1) / add(sp.exp(z1), sp.exp(z2)),
            lhs=a[i, 1],
            reason="definition of $a_1$, $K = 2$",
            classes=2,
            logits=False,
        )
        .step(1 / add(1, sp.exp(neg(add(z1, -z2)))), r"divide by $e^{z_1}$")
        .step(sigma(add(z1, -z2)), r"definition of $\sigma$")
    )


@derivation(
    "log-likelihood-two-classes",
    "with two classes, the log-likelihood is the binary cross-entropy of a_1 and y_1",
)
def log_likelihood_two_classes() -> Derivation:
    r"""With K = 2 classes, the log-likelihood is the binary cross-entropy of a_1 against y_1.

    Together with :func:`softmax_two_classes`, a_1 = σ(z_1 − z_2), this is the cost of one
    sigmoid neuron with weighted input z_1 − z_2 and label y_1.

    Examples
    --------
    >>> log_likelihood_two_classes().result
    -((1 - y[i, 1])*log(1 - a[i, 1]) + log(a[i, 1])*y[i, 1])
    """
    y1, y2, a1, a2 = y[i, 1], y[i, 2], a[i, 1], a[i, 2]
    return _one_example(
        neg(add(mul(y1, sp.log(a1)), mul(y2, sp.log(a2)))),
        lhs=C_x[i],
        reason="definition of $C_x$, $K = 2$",
        classes=2,
        logits=False,
    ).step(
        neg(add(mul(y1, sp.log(a1)), mul(add(1, -y1), sp.log(add(1, -a1))))),
        r"$a_2 = 1 - a_1$, $y_2 = 1 - y_1$",
    )
