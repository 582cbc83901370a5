r"""The logit forms of the binary cross-entropy that the NumPy core computes, derived.

The twin of :mod:`xentropy.numeric.binary`. The cost of one example is defined through the
output, :math:`C_x = -(y \ln a + (1 - y)\ln(1 - a))` with :math:`a = \sigma(z)`; the code never
computes it so, because :math:`\sigma(z)` rounds to 1 at moderate logits and :math:`\ln(1 - a)`
becomes :math:`\ln 0`. It computes it from the logit z instead, in two forms that are equal for
every real z:

- :math:`C_x = \ln(1 + e^{-z}) + (1 - y)z`, used where z ≥ 0, where :math:`e^{-z} = e^{-|z|}`;
- :math:`C_x = \ln(1 + e^{z}) - yz`, used where z < 0, where :math:`e^{z} = e^{-|z|}`;

together :math:`\ln(1 + e^{-|z|}) + \max(z, 0) - yz`: an exponential that cannot overflow and
two terms that are never negative. The residual :math:`\sigma(z) - y`, the derivative of
:math:`C_x` by z, is computed as :math:`((1 - y) - y e^{-z}) / (1 + e^{-z})` where z ≥ 0 and
:math:`((1 - y) e^{z} - y) / (1 + e^{z})` where z < 0. The derivations below show each form
equal to the definition, every step proven by SymPy for real z and y.
"""

from __future__ import annotations

import sympy as sp

from xentropy.derivation import Derivation
from xentropy.expressions import add, mul, neg, sigma
from xentropy.notation import NIELSEN, C_x, a, i, y, z
from xentropy.registry import derivation

__all__ = ["DEFINITIONS", "cost_for_negative_logits", "cost_from_logit", "residual_from_logit"]

#: The cost of one example through its output, and the output through the logit: the
#: definitions of :mod:`xentropy.symbolic.neuron`, with the logit z left a variable.
DEFINITIONS: tuple[tuple[sp.Basic, sp.Basic], ...] = (
    (C_x[i], neg(add(mul(y[i], sp.log(a[i])), mul(add(1, -y[i]), sp.log(add(1, -a[i])))))),
    (a[i], sigma(z[i])),
)


def _e(sign: int) -> sp.Expr:
    """e^{z} or e^{−z}, unevaluated in print order."""
    return sp.exp(z[i] if sign > 0 else neg(z[i]))


@derivation("cost-from-logit", "C_x = ln(1 + e^{−z}) + (1 − y) z, the cost from the logit")
def cost_from_logit() -> Derivation:
    r"""C_x = ln(1 + e^{−z}) + (1 − y) z: the cost of one example from its logit, for every real z.

    The form :func:`xentropy.numeric.binary.losses` computes where z ≥ 0.

    Examples
    --------
    >>> cost_from_logit().result
    (1 - y[i])*z[i] + log(1 + exp(-z[i]))
    >>> {step.verified for step in cost_from_logit().steps}
    {'proven'}
    """
    one_plus = add(1, _e(-1))
    return (
        Derivation(
            neg(
                add(
                    mul(y[i], sp.log(sigma(z[i]))),
                    mul(add(1, -y[i]), sp.log(add(1, -sigma(z[i])))),
                )
            ),
            lhs=C_x[i],
            reason=r"definition of $C_x$, $a = \sigma(z)$",
            where=DEFINITIONS,
            implicit_index=NIELSEN,
        )
        .step(
            neg(
                add(
                    mul(y[i], neg(sp.log(one_plus))),
                    mul(add(1, -y[i]), add(neg(z[i]), neg(sp.log(one_plus)))),
                )
            ),
            r"$\ln \sigma(z) = -\ln(1 + e^{-z})$, "
            r"$\ln(1 - \sigma(z)) = \ln \frac{e^{-z}}{1 + e^{-z}} = -z - \ln(1 + e^{-z})$",
        )
        .step(add(sp.log(one_plus), mul(add(1, -y[i]), z[i])), "collect the logarithms")
    )


@derivation("cost-for-negative-logits", "C_x = ln(1 + e^{z}) − y z, the form used where z < 0")
def cost_for_negative_logits() -> Derivation:
    r"""C_x = ln(1 + e^{z}) − y z: the same cost, with the exponential that is small where z < 0.

    Examples
    --------
    >>> cost_for_negative_logits().result
    log(exp(z[i]) + 1) - y[i]*z[i]
    """
    first = cost_from_logit()
    return (
        Derivation(
            first.result,
            lhs=C_x[i],
            reason=r"$C_x = \ln(1 + e^{-z}) + (1 - y)z$, for every real $z$",
            where=DEFINITIONS,
            implicit_index=NIELSEN,
        )
        .step(
            add(neg(z[i]), sp.log(add(1, _e(+1))), mul(add(1, -y[i]), z[i])),
            r"$1 + e^{-z} = e^{-z}(1 + e^{z})$, so $\ln(1 + e^{-z}) = -z + \ln(1 + e^{z})$",
        )
        .step(add(sp.log(add(1, _e(+1))), neg(mul(y[i], z[i]))), "collect the multiples of $z$")
    )


@derivation(
    "residual-from-logit",
    "∂C_x/∂z = σ(z) − y = ((1 − y) − y e^{−z})/(1 + e^{−z}) = ((1 − y) e^{z} − y)/(1 + e^{z})",
)
def residual_from_logit() -> Derivation:
    r"""∂C_x/∂z = σ(z) − y, and the two forms :func:`xentropy.numeric.binary.residuals` computes.

    For z ≥ 0 the numerator (1 − y) − y e^{−z} has e^{−z} ≤ 1; for z < 0 the second form has
    e^{z} < 1. For a hard label one of the two products is 0, so nothing cancels.

    Examples
    --------
    >>> residual_from_logit().steps[3].expr
    ((1 - y[i]) - exp(-z[i])*y[i])/(1 + exp(-z[i]))
    """
    cost = cost_from_logit()
    minus, plus = _e(-1), _e(+1)
    return (
        Derivation(
            sp.Derivative(cost.result, z[i]),
            lhs=sp.Derivative(C_x[i], z[i]),
            reason=r"$C_x = \ln(1 + e^{-z}) + (1 - y)z$",
            where=DEFINITIONS[1:],
            lemmas=[cost],
            implicit_index=NIELSEN,
        )
        .step(add(neg(minus / add(1, minus)), 1, -y[i]), "differentiate")
        .step(add(sigma(z[i]), -y[i]), r"$1 - \frac{e^{-z}}{1 + e^{-z}} = \sigma(z)$")
        .step(
            add(add(1, -y[i]), neg(mul(y[i], minus))) / add(1, minus),
            "over the denominator $1 + e^{-z}$",
        )
        .step(
            add(mul(add(1, -y[i]), plus), -y[i]) / add(1, plus),
            r"numerator and denominator times $e^{z}$",
        )
    )
