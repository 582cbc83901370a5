r"""The other costs of the book, derived and checked: the quadratic cost, L2 regularization.

The same neuron as :mod:`xentropy.models` (its symbols, σ and definitions are reused), with two
changes of cost. The quadratic cost :math:`Q_x = (y - a)^2/2` keeps the factor :math:`\sigma'(z)`
in its gradient, which is why a saturated neuron learns slowly with it; :math:`\sigma' \le 1/4`
says how much smaller its gradient is than the cross-entropy's. L2 regularization,
:math:`C = C_0 + \frac{\lambda}{2n}\sum_m w_m^2` with :math:`C_0` the cross-entropy, adds
:math:`(\lambda/n) w_j` to each weight's gradient and leaves the bias's alone. The identities the
exercises ask for (the cost with :math:`a` and :math:`y` swapped, where the cross-entropy is
smallest) are here too. Each function builds a :class:`~xentropy.derivation.Derivation`, checked
as it is built, and :data:`DERIVATIONS` lists them by name, in the shape of
:data:`xentropy.models.DERIVATIONS`.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from xentropy.derivation import Derivation
from xentropy.models import (
    DEFINITIONS,
    NIELSEN,
    C,
    C_x,
    _add,
    _mul,
    _neg,
    a,
    b,
    i,
    j,
    k,
    m,
    n,
    sigma,
    sigma_prime,
    w,
    x,
    y,
    z,
)

__all__ = [
    "C_0",
    "DERIVATIONS",
    "QUADRATIC_DEFINITIONS",
    "REGULARIZED_DEFINITIONS",
    "SWAPPED_DEFINITIONS",
    "C_swapped",
    "Q",
    "Q_x",
    "cross_entropy_da",
    "dQ_db",
    "dQ_dw",
    "dQx_db",
    "dQx_dw",
    "eta",
    "lam",
    "logit_of_target",
    "regularized_dC_db",
    "regularized_dC_dw",
    "sigma_prime_at_most_a_quarter",
    "swapped_cost_da",
    "swapped_cost_dw",
    "weight_decay",
]

# -- the symbols -------------------------------------------------------------------------------

Q_x = sp.IndexedBase("Q_x", real=True)  # Q_x[i]: the quadratic cost of example i
Q = sp.Symbol("Q", real=True)  # the quadratic cost: the mean of the Q_x[i]
C_0 = sp.Symbol("C_0", real=True)  # the cost before regularization: the cross-entropy
lam = sp.Symbol("lambda", positive=True)  # the regularization parameter λ
eta = sp.Symbol("eta", positive=True)  # the learning rate η
C_swapped = sp.IndexedBase(r"\tilde{C}_x", real=True)  # the cost with a and y swapped

#: The quadratic cost of the same neuron, outermost first; ``a`` and ``z`` as in ``DEFINITIONS``.
QUADRATIC_DEFINITIONS: tuple[tuple[sp.Basic, sp.Basic], ...] = (
    (Q, sp.Sum(Q_x[i], (i, 1, n)) / n),
    (Q_x[i], sp.Pow(_add(y[i], -a[i]), 2, evaluate=False) / 2),
    *DEFINITIONS[2:],
)

#: The cross-entropy with L2 regularization: ``C`` is regularized, ``C_0`` is the cross-entropy.
REGULARIZED_DEFINITIONS: tuple[tuple[sp.Basic, sp.Basic], ...] = (
    (C, _add(C_0, lam / (2 * n) * sp.Sum(w[m] ** 2, (m, 1, k)))),
    (C_0, sp.Sum(C_x[i], (i, 1, n)) / n),
    *DEFINITIONS[1:],
)

#: The cost with a and y swapped, for the exercise; ``a`` and ``z`` as in ``DEFINITIONS``.
SWAPPED_DEFINITIONS: tuple[tuple[sp.Basic, sp.Basic], ...] = (
    (C_swapped[i], _neg(_add(a[i] * sp.log(y[i]), (1 - a[i]) * sp.log(1 - y[i])))),
    *DEFINITIONS[2:],
)
# Labels strictly between 0 and 1, where the swapped cost is defined.
_LABELS_INSIDE = {y: (0.05, 0.95)}


def _quadratic(start: sp.Basic, lhs: sp.Basic, label: str, reason: str) -> Derivation:
    return Derivation(
        start,
        lhs=lhs,
        label=label,
        reason=reason,
        where=QUADRATIC_DEFINITIONS,
        implicit_index=NIELSEN,
    )


def _regularized(start: sp.Basic, lhs: sp.Basic, label: str, reason: str) -> Derivation:
    return Derivation(start, lhs=lhs, label=label, reason=reason, where=REGULARIZED_DEFINITIONS)


# -- the quadratic cost ------------------------------------------------------------------------


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
            _mul(sp.Derivative(Q_x[i], a[i]), sp.Derivative(a[i], z[i]), sp.Derivative(z[i], w[j])),
            lhs=sp.Derivative(Q_x[i], w[j]),
            label="dQx-dw",
            reason="chain rule",
        )
        .step(_mul(_add(a[i], -y[i]), sigma_prime(z[i]), x[i, j]), "the three derivatives")
        .step(
            _mul(sigma_prime(z[i]), x[i, j], _add(sigma(z[i]), -y[i])),
            r"$a = \sigma(z)$, reordered",
        )
    )


def dQx_db() -> Derivation:
    r"""∂Q_x/∂b = (a − y) σ′(z) = σ′(z) (σ(z) − y): as for w_j, with ∂z/∂b = 1.

    Examples
    --------
    >>> dQx_db().result
    (σ(z[i]) - y[i])*Subs(Derivative(σ(_u), _u), _u, z[i])
    """
    return (
        _quadratic(
            _mul(sp.Derivative(Q_x[i], a[i]), sp.Derivative(a[i], z[i]), sp.Derivative(z[i], b)),
            lhs=sp.Derivative(Q_x[i], b),
            label="dQx-db",
            reason="chain rule",
        )
        .step(_mul(_add(a[i], -y[i]), sigma_prime(z[i])), r"$\partial z / \partial b = 1$")
        .step(_mul(sigma_prime(z[i]), _add(sigma(z[i]), -y[i])), r"$a = \sigma(z)$")
    )


def dQ_dw() -> Derivation:
    r"""∂Q/∂w_j = (1/n) Σ_i x_ij (σ(z_i) − y_i) σ′(z_i): the mean over the n examples.

    Examples
    --------
    >>> dQ_dw().steps[-1].verified
    'proven'
    """
    term = _mul(x[i, j], _add(sigma(z[i]), -y[i]), sigma_prime(z[i]))
    return (
        Derivation(
            sp.Derivative(sp.Sum(Q_x[i], (i, 1, n)) / n, w[j]),
            lhs=sp.Derivative(Q, w[j]),
            label="dQ-dw",
            reason="definition of $Q$",
            where=QUADRATIC_DEFINITIONS,
        )
        .step(sp.Sum(sp.Derivative(Q_x[i], w[j]), (i, 1, n)) / n, "sum rule")
        .step(sp.Sum(term, (i, 1, n)) / n, "each term for one example")
    )


def dQ_db() -> Derivation:
    r"""∂Q/∂b = (1/n) Σ_i (σ(z_i) − y_i) σ′(z_i).

    Examples
    --------
    >>> dQ_db().steps[-1].verified
    'proven'
    """
    term = _mul(_add(sigma(z[i]), -y[i]), sigma_prime(z[i]))
    return (
        Derivation(
            sp.Derivative(sp.Sum(Q_x[i], (i, 1, n)) / n, b),
            lhs=sp.Derivative(Q, b),
            label="dQ-db",
            reason="definition of $Q$",
            where=QUADRATIC_DEFINITIONS,
        )
        .step(sp.Sum(sp.Derivative(Q_x[i], b), (i, 1, n)) / n, "sum rule")
        .step(sp.Sum(term, (i, 1, n)) / n, "each term for one example")
    )


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
            label="sigma-prime-bound",
            implicit_index=NIELSEN,
        )
        .step(_mul(s, 1 - s), r"$\sigma' = \sigma(1 - \sigma)$")
        .step(
            _add(sp.Rational(1, 4), _neg(sp.Pow(_add(s, -half), 2, evaluate=False))),
            "complete the square",
        )
    )


# -- L2 regularization -------------------------------------------------------------------------


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
            sp.Derivative(_add(C_0, penalty), w[j]),
            lhs=sp.Derivative(C, w[j]),
            label="dC-dw-L2",
            reason="definition of $C$",
        )
        .step(
            _add(
                sp.Derivative(C_0, w[j]),
                _mul(lam / (2 * n), sp.Derivative(sp.Sum(w[m] ** 2, (m, 1, k)), w[j])),
            ),
            "sum rule",
        )
        .step(
            _add(sp.Derivative(C_0, w[j]), _mul(lam / n, w[j])),
            r"only the term $m = j$ depends on $w_j$",
        )
        .step(
            _add(
                sp.Sum(_mul(x[i, j], _add(sigma(z[i]), -y[i])), (i, 1, n)) / n,
                _mul(lam / n, w[j]),
            ),
            r"the gradient of $C_0$, the cross-entropy",
        )
    )


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
            sp.Derivative(_add(C_0, penalty), b),
            lhs=sp.Derivative(C, b),
            label="dC-db-L2",
            reason="definition of $C$",
        )
        .step(
            _add(
                sp.Derivative(C_0, b),
                _mul(lam / (2 * n), sp.Derivative(sp.Sum(w[m] ** 2, (m, 1, k)), b)),
            ),
            "sum rule",
        )
        .step(sp.Derivative(C_0, b), r"no $w_m$ depends on $b$")
        .step(
            sp.Sum(_add(sigma(z[i]), -y[i]), (i, 1, n)) / n,
            r"the gradient of $C_0$, the cross-entropy",
        )
    )


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
            _add(w[j], _neg(_mul(eta, sp.Derivative(C, w[j])))),
            label="weight-decay",
            where=REGULARIZED_DEFINITIONS,
        )
        .step(
            _add(w[j], _neg(_mul(eta, _add(sp.Derivative(C_0, w[j]), _mul(lam / n, w[j]))))),
            r"$\partial C / \partial w_j$ with the penalty",
        )
        .step(
            _add(
                _mul(_add(1, _neg(eta * lam / n)), w[j]), _neg(_mul(eta, sp.Derivative(C_0, w[j])))
            ),
            r"collect $w_j$",
        )
    )


# -- the exercises -----------------------------------------------------------------------------


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
            label="swapped-cost-da",
            where=SWAPPED_DEFINITIONS[:1],
            sample=_LABELS_INSIDE,
            implicit_index=NIELSEN,
        )
        .step(
            sp.Derivative(SWAPPED_DEFINITIONS[0][1], a[i]),
            r"definition of $\tilde{C}_x$",
        )
        .step(_neg(_add(sp.log(y[i]), _neg(sp.log(1 - y[i])))), r"$a$ appears only as a factor")
    )


def swapped_cost_dw() -> Derivation:
    r"""The swapped cost keeps σ′(z): ∂/∂w_j = −(ln y − ln(1 − y)) σ′(z) x_j.

    Examples
    --------
    >>> swapped_cost_dw().steps[-1].verified
    'proven'
    """
    return Derivation(
        _mul(
            sp.Derivative(C_swapped[i], a[i]),
            sp.Derivative(a[i], z[i]),
            sp.Derivative(z[i], w[j]),
        ),
        lhs=sp.Derivative(C_swapped[i], w[j]),
        label="swapped-cost-dw",
        reason="chain rule",
        where=SWAPPED_DEFINITIONS,
        sample=_LABELS_INSIDE,
        implicit_index=NIELSEN,
    ).step(
        _mul(_neg(_add(sp.log(y[i]), _neg(sp.log(1 - y[i])))), sigma_prime(z[i]), x[i, j]),
        "the three derivatives",
    )


def cross_entropy_da() -> Derivation:
    r"""∂C_x/∂a = (a − y)/(a(1 − a)): negative for a < y, positive for a > y.

    So for 0 < y < 1 the cross-entropy, as a function of a in (0, 1), is smallest at a = y.

    Examples
    --------
    >>> from xentropy.derivation import to_latex
    >>> print(to_latex(cross_entropy_da().result, implicit_index=NIELSEN))
    \frac{a - y}{a \left(1 - a\right)}
    """
    return (
        Derivation(
            sp.Derivative(C_x[i], a[i]),
            label="cross-entropy-da",
            where=DEFINITIONS[1:2],
            sample={a: (0.05, 0.95)},
            implicit_index=NIELSEN,
        )
        .step(
            _neg(_add(y[i] / a[i], _neg((1 - y[i]) / (1 - a[i])))),
            r"$(\ln a)' = 1/a$, $(\ln(1 - a))' = -1/(1 - a)$",
        )
        .step(
            _mul(_add(a[i], -y[i]), sp.Pow(_mul(a[i], 1 - a[i]), -1, evaluate=False)),
            "common denominator",
        )
    )


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
            label="logit-of-y",
            sample=_LABELS_INSIDE,
            implicit_index=NIELSEN,
        )
        .step(
            1 / _add(1, (1 - y[i]) / y[i]),
            r"$\sigma(z) = 1/(1 + e^{-z})$, $e^{-\ln u} = 1/u$",
        )
        .step(y[i], "simplify")
    )


#: The derivations by name: (what it shows, in one line; the function that builds and checks it).
DERIVATIONS: dict[str, tuple[str, Callable[[], Derivation]]] = {
    "dQx-dw": ("quadratic cost: ∂Q_x/∂w_j = (a − y) σ′(z) x_j for one example", dQx_dw),
    "dQx-db": ("quadratic cost: ∂Q_x/∂b = (a − y) σ′(z) for one example", dQx_db),
    "dQ-dw": ("quadratic cost: ∂Q/∂w_j = (1/n) Σ_x x_j (σ(z) − y) σ′(z)", dQ_dw),
    "dQ-db": ("quadratic cost: ∂Q/∂b = (1/n) Σ_x (σ(z) − y) σ′(z)", dQ_db),
    "sigma-prime-bound": (
        "σ′(z) = 1/4 − (σ(z) − 1/2)², so σ′(z) ≤ 1/4",
        sigma_prime_at_most_a_quarter,
    ),
    "dC-dw-L2": ("L2 regularization: ∂C/∂w_j = ∂C_0/∂w_j + (λ/n) w_j", regularized_dC_dw),
    "dC-db-L2": ("L2 regularization: ∂C/∂b = ∂C_0/∂b, unchanged", regularized_dC_db),
    "weight-decay": ("w_j − η ∂C/∂w_j = (1 − ηλ/n) w_j − η ∂C_0/∂w_j", weight_decay),
    "swapped-cost-da": (
        "−[a ln y + (1 − a) ln(1 − y)] has ∂/∂a = −(ln y − ln(1 − y)), free of a",
        swapped_cost_da,
    ),
    "swapped-cost-dw": (
        "the swapped cost keeps σ′(z) in ∂/∂w_j",
        swapped_cost_dw,
    ),
    "cross-entropy-da": ("∂C_x/∂a = (a − y)/(a(1 − a)): smallest at a = y", cross_entropy_da),
    "logit-of-y": ("σ(ln(y/(1 − y))) = y", logit_of_target),
}
