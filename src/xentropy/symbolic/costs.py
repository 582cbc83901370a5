r"""The other costs of the book, derived and checked: the quadratic cost, L2 regularization.

The neuron of :mod:`xentropy.symbolic.neuron` (its symbols, σ and definitions are reused), with
two changes of cost. The quadratic cost :math:`Q_x = (y - a)^2/2` keeps the factor
:math:`\sigma'(z)` in its gradient, which is why a saturated neuron learns slowly with it;
:math:`\sigma' \le 1/4` says how much smaller its gradient is than the cross-entropy's. L2
regularization, :math:`C = C_0 + \frac{\lambda}{2n}\sum_m w_m^2` with :math:`C_0` the
cross-entropy, adds :math:`(\lambda/n) w_j` to each weight's gradient and leaves the bias's
alone. The identities the exercises ask for (the cost with :math:`a` and :math:`y` swapped, where
the cross-entropy is smallest) are here too. Each function builds a
:class:`~xentropy.derivation.Derivation`, checked as it is built, and is registered by name
(:mod:`xentropy.registry`).
"""

from __future__ import annotations

import sympy as sp

from xentropy.derivation import Derivation
from xentropy.expressions import add, mul, neg, sigma, sigma_prime
from xentropy.notation import (
    C_0,
    NIELSEN,
    C,
    C_swapped,
    C_x,
    Q,
    Q_x,
    a,
    b,
    eta,
    i,
    j,
    k,
    lam,
    m,
    n,
    w,
    x,
    y,
    z,
)
from xentropy.registry import derivation
from xentropy.symbolic.neuron import DEFINITIONS

__all__ = [
    "QUADRATIC_DEFINITIONS",
    "REGULARIZED_DEFINITIONS",
    "SWAPPED_DEFINITIONS",
    "cross_entropy_da",
    "dQ_db",
    "dQ_dw",
    "dQx_db",
    "dQx_dw",
    "logit_of_target",
    "regularized_dC_db",
    "regularized_dC_dw",
    "sigma_prime_at_most_a_quarter",
    "swapped_cost_da",
    "swapped_cost_dw",
    "weight_decay",
]

# Labels strictly between 0 and 1, where the swapped cost is defined.
_LABELS_INSIDE = {y: (0.05, 0.95)}

#: The quadratic cost of the same neuron, outermost first; ``a`` and ``z`` as in ``DEFINITIONS``.
QUADRATIC_DEFINITIONS: tuple[tuple[sp.Basic, sp.Basic], ...] = (
    (Q, sp.Sum(Q_x[i], (i, 1, n)) / n),
    (Q_x[i], sp.Pow(add(y[i], -a[i]), 2, evaluate=False) / 2),
    *DEFINITIONS[2:],
)

#: The cross-entropy with L2 regularization: ``C`` is regularized, ``C_0`` is the cross-entropy.
REGULARIZED_DEFINITIONS: tuple[tuple[sp.Basic, sp.Basic], ...] = (
    (C, add(C_0, lam / (2 * n) * sp.Sum(w[m] ** 2, (m, 1, k)))),
    (C_0, sp.Sum(C_x[i], (i, 1, n)) / n),
    *DEFINITIONS[1:],
)

#: The cost with a and y swapped, for the exercise; ``a`` and ``z`` as in ``DEFINITIONS``.
SWAPPED_DEFINITIONS: tuple[tuple[sp.Basic, sp.Basic], ...] = (
    (C_swapped[i], neg(add(a[i] * sp.log(y[i]), (1 - a[i]) * sp.log(1 - y[i])))),
    *DEFINITIONS[2:],
)


def _quadratic(start: sp.Basic, lhs: sp.Basic, reason: str) -> Derivation:
    return Derivation(
        start,
        lhs=lhs,
        reason=reason,
        where=QUADRATIC_DEFINITIONS,
        implicit_index=NIELSEN,
    )


def _regularized(start: sp.Basic, lhs: sp.Basic, reason: str) -> Derivation:
    return Derivation(start, lhs=lhs, reason=reason, where=REGULARIZED_DEFINITIONS)


# -- the quadratic cost ------------------------------------------------------------------------


@derivation("dQx-dw", "quadratic cost: ∂Q_x/∂w_j = (a − y) σ′(z) x_j for one example")
def dQx_dw() -> Derivation:
    r"""∂Q_x/∂w_j = (a − y) σ′(z) x_j = σ′(z) · x_j (σ(z) − y) for the quadratic cost.

    The last line is the cross-entropy's gradient times σ′(z).

    Examples
    --------
    >>> dQx_dw().result
    (σ(z[i]) - y[i])*x[i, j]*Subs(Derivative(σ(_u), _u), _u, z[i])
    """
    return (
        _quadratic(
            mul(sp.Derivative(Q_x[i], a[i]), sp.Derivative(a[i], z[i]), sp.Derivative(z[i], w[j])),
            lhs=sp.Derivative(Q_x[i], w[j]),
            reason="chain rule",
        )
        .step(mul(add(a[i], -y[i]), sigma_prime(z[i]), x[i, j]), "the three derivatives")
        .step(
            mul(sigma_prime(z[i]), x[i, j], add(sigma(z[i]), -y[i])),
            r"$a = \sigma(z)$, reordered",
        )
    )


@derivation("dQx-db", "quadratic cost: ∂Q_x/∂b = (a − y) σ′(z) for one example")
def dQx_db() -> Derivation:
    r"""∂Q_x/∂b = (a − y) σ′(z) = σ′(z) (σ(z) − y): as for w_j, with ∂z/∂b = 1.

    Examples
    --------
    >>> dQx_db().result
    (σ(z[i]) - y[i])*Subs(Derivative(σ(_u), _u), _u, z[i])
    """
    return (
        _quadratic(
            mul(sp.Derivative(Q_x[i], a[i]), sp.Derivative(a[i], z[i]), sp.Derivative(z[i], b)),
            lhs=sp.Derivative(Q_x[i], b),
            reason="chain rule",
        )
        .step(mul(add(a[i], -y[i]), sigma_prime(z[i])), r"$\partial z / \partial b = 1$")
        .step(mul(sigma_prime(z[i]), add(sigma(z[i]), -y[i])), r"$a = \sigma(z)$")
    )


@derivation("dQ-dw", "quadratic cost: ∂Q/∂w_j = (1/n) Σ_x x_j (σ(z) − y) σ′(z)")
def dQ_dw() -> Derivation:
    r"""∂Q/∂w_j = (1/n) Σ_i x⁽ⁱ⁾_j (σ(z⁽ⁱ⁾) − y⁽ⁱ⁾) σ′(z⁽ⁱ⁾): the mean over the n examples.

    Examples
    --------
    >>> dQ_dw().steps[-1].verified
    'proven'
    """
    term = mul(x[i, j], add(sigma(z[i]), -y[i]), sigma_prime(z[i]))
    return (
        Derivation(
            sp.Derivative(sp.Sum(Q_x[i], (i, 1, n)) / n, w[j]),
            lhs=sp.Derivative(Q, w[j]),
            reason="definition of $Q$",
            where=QUADRATIC_DEFINITIONS,
        )
        .step(sp.Sum(sp.Derivative(Q_x[i], w[j]), (i, 1, n)) / n, "sum rule")
        .step(sp.Sum(term, (i, 1, n)) / n, "each term for one example")
    )


@derivation("dQ-db", "quadratic cost: ∂Q/∂b = (1/n) Σ_x (σ(z) − y) σ′(z)")
def dQ_db() -> Derivation:
    r"""∂Q/∂b = (1/n) Σ_i (σ(z⁽ⁱ⁾) − y⁽ⁱ⁾) σ′(z⁽ⁱ⁾).

    Examples
    --------
    >>> dQ_db().steps[-1].verified
    'proven'
    """
    term = mul(add(sigma(z[i]), -y[i]), sigma_prime(z[i]))
    return (
        Derivation(
            sp.Derivative(sp.Sum(Q_x[i], (i, 1, n)) / n, b),
            lhs=sp.Derivative(Q, b),
            reason="definition of $Q$",
            where=QUADRATIC_DEFINITIONS,
        )
        .step(sp.Sum(sp.Derivative(Q_x[i], b), (i, 1, n)) / n, "sum rule")
        .step(sp.Sum(term, (i, 1, n)) / n, "each term for one example")
    )


@derivation("sigma-prime-bound", "σ′(z) = 1/4 − (σ(z) − 1/2)², so σ′(z) ≤ 1/4")
def sigma_prime_at_most_a_quarter() -> Derivation:
    r"""σ′(z) = 1/4 − (σ(z) − 1/2)², so σ′(z) ≤ 1/4, with equality only at σ(z) = 1/2 (z = 0).

    Examples
    --------
    >>> sigma_prime_at_most_a_quarter().result
    1/4 - (σ(z[i]) - 1/2)**2
    """
    s = sigma(z[i])
    half = sp.Rational(1, 2)
    return (
        Derivation(
            sigma_prime(z[i]),
            implicit_index=NIELSEN,
        )
        .step(mul(s, 1 - s), r"$\sigma' = \sigma(1 - \sigma)$")
        .step(
            add(sp.Rational(1, 4), neg(sp.Pow(add(s, -half), 2, evaluate=False))),
            "complete the square",
        )
    )


# -- L2 regularization -------------------------------------------------------------------------


@derivation("dC-dw-L2", "L2 regularization: ∂C/∂w_j = ∂C_0/∂w_j + (λ/n) w_j")
def regularized_dC_dw() -> Derivation:
    r"""∂C/∂w_j = ∂C_0/∂w_j + (λ/n) w_j for C = C_0 + (λ/2n) Σ_m w_m², C_0 the cross-entropy.

    Examples
    --------
    >>> regularized_dC_dw().result
    (lambda/n)*w[j] + Sum((σ(z[i]) - y[i])*x[i, j], (i, 1, n))/n
    """
    penalty = lam / (2 * n) * sp.Sum(w[m] ** 2, (m, 1, k))
    return (
        _regularized(
            sp.Derivative(add(C_0, penalty), w[j]),
            lhs=sp.Derivative(C, w[j]),
            reason="definition of $C$",
        )
        .step(
            add(
                sp.Derivative(C_0, w[j]),
                mul(lam / (2 * n), sp.Derivative(sp.Sum(w[m] ** 2, (m, 1, k)), w[j])),
            ),
            "sum rule",
        )
        .step(
            add(sp.Derivative(C_0, w[j]), mul(lam / n, w[j])),
            r"only the term $m = j$ depends on $w_j$",
        )
        .step(
            add(
                sp.Sum(mul(x[i, j], add(sigma(z[i]), -y[i])), (i, 1, n)) / n,
                mul(lam / n, w[j]),
            ),
            r"the gradient of $C_0$, the cross-entropy",
        )
    )


@derivation("dC-db-L2", "L2 regularization: ∂C/∂b = ∂C_0/∂b, unchanged")
def regularized_dC_db() -> Derivation:
    r"""∂C/∂b = ∂C_0/∂b: no weight depends on b, so the penalty adds nothing.

    Examples
    --------
    >>> regularized_dC_db().result
    Sum(σ(z[i]) - y[i], (i, 1, n))/n
    """
    penalty = lam / (2 * n) * sp.Sum(w[m] ** 2, (m, 1, k))
    return (
        _regularized(
            sp.Derivative(add(C_0, penalty), b),
            lhs=sp.Derivative(C, b),
            reason="definition of $C$",
        )
        .step(
            add(
                sp.Derivative(C_0, b),
                mul(lam / (2 * n), sp.Derivative(sp.Sum(w[m] ** 2, (m, 1, k)), b)),
            ),
            "sum rule",
        )
        .step(sp.Derivative(C_0, b), r"no $w_m$ depends on $b$")
        .step(
            sp.Sum(add(sigma(z[i]), -y[i]), (i, 1, n)) / n,
            r"the gradient of $C_0$, the cross-entropy",
        )
    )


@derivation("weight-decay", "w_j − η ∂C/∂w_j = (1 − ηλ/n) w_j − η ∂C_0/∂w_j")
def weight_decay() -> Derivation:
    r"""One step of gradient descent on the regularized cost first shrinks w_j by 1 − ηλ/n.

    w_j − η ∂C/∂w_j = (1 − ηλ/n) w_j − η ∂C_0/∂w_j.

    Examples
    --------
    >>> weight_decay().result
    -eta*Derivative(C_0, w[j]) + (1 - eta*lambda/n)*w[j]
    """
    return (
        Derivation(
            add(w[j], neg(mul(eta, sp.Derivative(C, w[j])))),
            where=REGULARIZED_DEFINITIONS,
        )
        .step(
            add(w[j], neg(mul(eta, add(sp.Derivative(C_0, w[j]), mul(lam / n, w[j]))))),
            r"$\partial C / \partial w_j$ with the penalty",
        )
        .step(
            add(mul(add(1, neg(eta * lam / n)), w[j]), neg(mul(eta, sp.Derivative(C_0, w[j])))),
            r"collect $w_j$",
        )
    )


# -- the exercises -----------------------------------------------------------------------------


@derivation(
    "swapped-cost-da", "−[a ln y + (1 − a) ln(1 − y)] has ∂/∂a = −(ln y − ln(1 − y)), free of a"
)
def swapped_cost_da() -> Derivation:
    r"""The cost with a and y swapped, −[a ln y + (1 − a) ln(1 − y)], is linear in a.

    Its derivative in a does not depend on a, so it has no minimum for 0 < a < 1.

    Examples
    --------
    >>> swapped_cost_da().result
    -(-log(1 - y[i]) + log(y[i]))
    """
    return (
        Derivation(
            sp.Derivative(C_swapped[i], a[i]),
            where=SWAPPED_DEFINITIONS[:1],
            sample=_LABELS_INSIDE,
            implicit_index=NIELSEN,
        )
        .step(
            sp.Derivative(SWAPPED_DEFINITIONS[0][1], a[i]),
            r"definition of $\tilde{C}_x$",
        )
        .step(neg(add(sp.log(y[i]), neg(sp.log(1 - y[i])))), r"$a$ appears only as a factor")
    )


@derivation("swapped-cost-dw", "the swapped cost keeps σ′(z) in ∂/∂w_j")
def swapped_cost_dw() -> Derivation:
    r"""The swapped cost keeps σ′(z): ∂/∂w_j = −(ln y − ln(1 − y)) σ′(z) x_j.

    Examples
    --------
    >>> swapped_cost_dw().steps[-1].verified
    'proven'
    """
    return Derivation(
        mul(
            sp.Derivative(C_swapped[i], a[i]),
            sp.Derivative(a[i], z[i]),
            sp.Derivative(z[i], w[j]),
        ),
        lhs=sp.Derivative(C_swapped[i], w[j]),
        reason="chain rule",
        where=SWAPPED_DEFINITIONS,
        sample=_LABELS_INSIDE,
        implicit_index=NIELSEN,
    ).step(
        mul(neg(add(sp.log(y[i]), neg(sp.log(1 - y[i])))), sigma_prime(z[i]), x[i, j]),
        "the three derivatives",
    )


@derivation("cross-entropy-da", "∂C_x/∂a = (a − y)/(a(1 − a)): smallest at a = y")
def cross_entropy_da() -> Derivation:
    r"""∂C_x/∂a = (a − y)/(a(1 − a)): negative for a < y, positive for a > y.

    So for 0 < y < 1 the cross-entropy, as a function of a in (0, 1), is smallest at a = y.

    Examples
    --------
    >>> from xentropy.latex import to_latex
    >>> print(to_latex(cross_entropy_da().result, implicit_index=NIELSEN))
    \frac{a - y}{a \left(1 - a\right)}
    """
    return (
        Derivation(
            sp.Derivative(C_x[i], a[i]),
            where=DEFINITIONS[1:2],
            sample={a: (0.05, 0.95)},
            implicit_index=NIELSEN,
        )
        .step(
            neg(add(y[i] / a[i], neg((1 - y[i]) / (1 - a[i])))),
            r"$(\ln a)' = 1/a$, $(\ln(1 - a))' = -1/(1 - a)$",
        )
        .step(
            mul(add(a[i], -y[i]), sp.Pow(mul(a[i], 1 - a[i]), -1, evaluate=False)),
            "common denominator",
        )
    )


@derivation("logit-of-y", "σ(ln(y/(1 − y))) = y")
def logit_of_target() -> Derivation:
    r"""σ(ln(y/(1 − y))) = y: for 0 < y < 1 some z gives σ(z) = y.

    Examples
    --------
    >>> logit_of_target().result
    y[i]
    """
    return (
        Derivation(
            sigma(sp.log(y[i] / (1 - y[i]))),
            sample=_LABELS_INSIDE,
            implicit_index=NIELSEN,
        )
        .step(
            1 / add(1, (1 - y[i]) / y[i]),
            r"$\sigma(z) = 1/(1 + e^{-z})$, $e^{-\ln u} = 1/u$",
        )
        .step(y[i], "simplify")
    )
