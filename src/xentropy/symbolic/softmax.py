r"""A softmax output layer with the log-likelihood cost: its definitions and derivations.

K output neurons, one per class, on the inputs of :mod:`xentropy.symbolic.neuron`. For training
example i, feature j and class c (:mod:`xentropy.notation`):

- :math:`z^{(i)}_c = \sum_{m=1}^{k} w_{cm} x^{(i)}_m + b_c`, the weighted input of class c;
- :math:`a^{(i)}_c = e^{z^{(i)}_c} / \sum_{d'=1}^{K} e^{z^{(i)}_{d'}}`, the softmax output;
- :math:`C_{x^{(i)}} = -\sum_{d=1}^{K} y^{(i)}_d \ln a^{(i)}_d`, the log-likelihood (categorical
  cross-entropy) of the example, with labels :math:`y^{(i)}_1, \dots, y^{(i)}_K` that form a
  probability distribution (one-hot for a hard label);
- :math:`C = \frac{1}{n}\sum_{i=1}^{n} C_{x^{(i)}}`.

The class index is c (and d, d' where a sum runs over the classes); many texts write k, which is
here the number of features. The weight :math:`w_{cj}` connects feature j to class c: the
weights of the layer form a K × k matrix, one row per class, as in Nielsen's layers.

SymPy is told that the labels sum to 1 by writing them as normalized non-negative weights,
:math:`y^{(i)}_c = q^{(i)}_c / \sum_d q^{(i)}_d`; every distribution can be written so (take
q = y). The engine renames the summed index of each sum before it compares two lines, so
:math:`\sum_d q_d / \sum_{d'} q_{d'} = 1` is proven for a symbolic K as for a number.

The functions at the bottom build the derivations, each checked as it is built and registered by
name (:mod:`xentropy.registry`).
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from xentropy.derivation import Derivation
from xentropy.expressions import add, mul, neg, sigma
from xentropy.notation import (
    NIELSEN,
    C,
    C_x,
    K,
    c,
    d,
    d_,
    i,
    j,
    k,
    m,
    n,
    q,
    softmax_a,
    softmax_b,
    softmax_w,
    softmax_y,
    softmax_z,
    x,
)
from xentropy.registry import derivation

__all__ = [
    "dC_db_softmax",
    "dC_dw_softmax",
    "dC_dz_softmax",
    "definitions",
    "log_likelihood_two_classes",
    "log_softmax_derivative",
    "softmax_two_classes",
]


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
    >>> dict(definitions())[softmax_a[i, c]]
    exp(z[i, c])/Sum(exp(z[i, d']), (d', 1, K))
    >>> dict(definitions(2))[C_x[i]]
    -(log(a[i, 1])*y[i, 1] + log(a[i, 2])*y[i, 2])
    """
    pairs = [
        (C, sp.Sum(C_x[i], (i, 1, n)) / n),
        (
            C_x[i],
            neg(
                _over_classes(
                    lambda t: mul(softmax_y[i, t], sp.log(softmax_a[i, t])), d, classes, shown=False
                )
            ),
        ),
        (
            softmax_a[i, c],
            sp.exp(softmax_z[i, c])
            / _over_classes(lambda t: sp.exp(softmax_z[i, t]), d_, classes, shown=False),
        ),
        (softmax_z[i, c], add(sp.Sum(mul(softmax_w[c, m], x[i, m]), (m, 1, k)), softmax_b[c])),
        (softmax_y[i, c], q[i, c] / _over_classes(lambda t: q[i, t], d, classes, shown=False)),
    ]
    if not logits:
        pairs = [p for p in pairs if p[0] != softmax_z[i, c]]
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
    "log-softmax-derivative",
    "∂ ln a_d/∂z_c = [c = d] − a_c for the softmax a_d = e^{z_d}/Σ e^{z_d'}",
)
def log_softmax_derivative() -> Derivation:
    r"""∂ ln a_d / ∂z_c = [c = d] − a_c: the derivative of the logarithm of a softmax output.

    Examples
    --------
    >>> log_softmax_derivative().result
    KroneckerDelta(c, d) - a[i, c]
    """
    total = sp.Sum(sp.exp(softmax_z[i, d_]), (d_, 1, K))
    return (
        _one_example(
            sp.Derivative(add(softmax_z[i, d], neg(sp.log(total))), softmax_z[i, c]),
            lhs=sp.Derivative(sp.log(softmax_a[i, d]), softmax_z[i, c]),
            reason=r"$\ln a_d = z_d - \ln \sum_{d'} e^{z_{d'}}$",
            logits=False,
        )
        .step(
            add(sp.KroneckerDelta(d, c), neg(sp.exp(softmax_z[i, c]) / total)),
            r"$\partial z_d / \partial z_c = [c = d]$, chain rule",
        )
        .step(add(sp.KroneckerDelta(d, c), -softmax_a[i, c]), "definition of $a_c$")
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
            return add(softmax_a[i, t], -sp.KroneckerDelta(u, t))
        return add(softmax_a[i, t], -1) if u == t else softmax_a[i, t]  # [c = d] written out

    opening = column(
        lambda t: neg(
            _over_classes(
                lambda u: mul(
                    softmax_y[i, u], sp.Derivative(sp.log(softmax_a[i, u]), softmax_z[i, t])
                ),
                d,
                classes,
            )
        )
    )
    by_delta = column(
        lambda t: _over_classes(lambda u: mul(softmax_y[i, u], a_minus_delta(u, t)), d, classes)
    )
    lhs = column(lambda t: sp.Derivative(C_x[i], softmax_z[i, t]))
    reason = r"$\partial \ln a_d / \partial z_c = [c = d] - a_c$"
    if classes is None:
        chain = _one_example(
            opening, lhs, r"definition of $C_x$, sum rule", logits=False, label=label
        ).step(by_delta, reason)
    else:
        # Written out, the first line would be three times as wide; start at the second.
        chain = _one_example(by_delta, lhs, reason, classes, logits=False, label=label)
    return chain.step(
        column(
            lambda t: add(
                mul(softmax_a[i, t], _over_classes(lambda u: softmax_y[i, u], d, classes)),
                -softmax_y[i, t],
            )
        ),
        r"$[c = d]$ picks out $d = c$",
    ).step(column(lambda t: add(softmax_a[i, t], -softmax_y[i, t])), r"$\sum_d y_d = 1$")


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
    sum_y = sp.Sum(softmax_y[i, d], (d, 1, K))
    return _one_example(
        mul(add(mul(softmax_a[i, c], sum_y), -softmax_y[i, c]), x[i, j]),
        lhs=sp.Derivative(C_x[i], softmax_w[c, j]),
        reason=r"chain rule through $z_c$: $\partial z_c / \partial w_{cj} = x_j$",
    ).step(mul(x[i, j], add(softmax_a[i, c], -softmax_y[i, c])), r"$\sum_d y_d = 1$")


@derivation("softmax-dCx-db", "∂C_x/∂b_c = a_c − y_c for softmax with log-likelihood")
def dC_db_softmax() -> Derivation:
    r"""∂C_x/∂b_c = a_c − y_c for one example: as for w_cj, with ∂z_c/∂b_c = 1.

    Examples
    --------
    >>> dC_db_softmax().result
    a[i, c] - y[i, c]
    """
    sum_y = sp.Sum(softmax_y[i, d], (d, 1, K))
    return _one_example(
        add(mul(softmax_a[i, c], sum_y), -softmax_y[i, c]),
        lhs=sp.Derivative(C_x[i], softmax_b[c]),
        reason=r"chain rule through $z_c$: $\partial z_c / \partial b_c = 1$",
    ).step(add(softmax_a[i, c], -softmax_y[i, c]), r"$\sum_d y_d = 1$")


def _mean_over_examples(parameter: sp.Basic, one_example: Derivation) -> Derivation:
    """∂C/∂parameter, the mean over the examples of ``one_example``'s result, which it rests on."""
    return (
        Derivation(
            sp.Derivative(sp.Sum(C_x[i], (i, 1, n)) / n, parameter),
            lhs=sp.Derivative(C, parameter),
            reason="definition of $C$",
            where=[(C, sp.Sum(C_x[i], (i, 1, n)) / n)],
            lemmas=[one_example],
        )
        .step(sp.Sum(sp.Derivative(C_x[i], parameter), (i, 1, n)) / n, "sum rule")
        .step(sp.Sum(one_example.result, (i, 1, n)) / n, "each term for one example")
    )


@derivation("softmax-dC-dw", "∂C/∂w_cj = (1/n) Σ_x x_j (a_c − y_c), the mean over the examples")
def dC_dw_softmax_mean() -> Derivation:
    r"""∂C/∂w_cj = (1/n) Σ_i x⁽ⁱ⁾_j (a⁽ⁱ⁾_c − y⁽ⁱ⁾_c): the mean of the one-example results.

    Examples
    --------
    >>> dC_dw_softmax_mean().steps[-1].verified
    'proven'
    """
    return _mean_over_examples(softmax_w[c, j], dC_dw_softmax())


@derivation("softmax-dC-db", "∂C/∂b_c = (1/n) Σ_x (a_c − y_c), the mean over the examples")
def dC_db_softmax_mean() -> Derivation:
    r"""∂C/∂b_c = (1/n) Σ_i (a⁽ⁱ⁾_c − y⁽ⁱ⁾_c).

    Examples
    --------
    >>> dC_db_softmax_mean().steps[-1].verified
    'proven'
    """
    return _mean_over_examples(softmax_b[c], dC_db_softmax())


@derivation("softmax-two-classes", "with two classes, softmax a_1 = σ(z_1 − z_2)")
def softmax_two_classes() -> Derivation:
    r"""With K = 2 classes, the softmax output of class 1 is σ(z_1 − z_2).

    Examples
    --------
    >>> softmax_two_classes().result
    σ(z[i, 1] - z[i, 2])
    """
    z1, z2 = softmax_z[i, 1], softmax_z[i, 2]
    return (
        _one_example(
            sp.exp(z1) / add(sp.exp(z1), sp.exp(z2)),
            lhs=softmax_a[i, 1],
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
    y1, y2, a1, a2 = softmax_y[i, 1], softmax_y[i, 2], softmax_a[i, 1], softmax_a[i, 2]
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
