r"""What derivations are written with: σ, σ′, and products, sums and negations kept as written.

SymPy puts what it builds into a canonical order and distributes signs, so
:math:`-(y \ln a + (1 - y)\ln(1 - a))` would print as :math:`-y \ln a - \dots` and
:math:`x_j (\sigma(z) - y)` as :math:`(-y + \sigma(z)) x_j`. A derivation shows the reader each
line as it is written, so its lines are built from :func:`mul`, :func:`add` and :func:`neg`,
which leave the terms where they are; the check that two lines are equal is indifferent to the
order. σ is a SymPy function of its own, so that expressions print as :math:`\sigma(z)` and its
derivative is declared once.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["add", "mul", "neg", "sigma", "sigma_prime"]


class sigma(sp.Function):
    r"""The logistic function :math:`\sigma(t) = 1/(1 + e^{-t})`.

    SymPy treats σ as a function of its own, so that expressions print as :math:`\sigma(z)`, with
    its derivative declared as :math:`\sigma(1 - \sigma)`; the derivation ``sigma-prime`` proves
    that declaration from the definition, and ``rewrite(sp.exp)`` gives the definition.

    Examples
    --------
    >>> t = sp.Symbol("t", real=True)
    >>> sp.diff(sigma(t), t)
    (1 - σ(t))*σ(t)
    >>> sigma(t).rewrite(sp.exp)
    1/(1 + exp(-t))
    >>> sigma(sp.Integer(2)).evalf(20)
    0.88079707797788244406
    """

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigma(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, t: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-t))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def _eval_is_extended_real(self) -> bool | None:
        return self.args[0].is_extended_real

    def _eval_is_positive(self) -> bool | None:
        # σ(t) lies in (0, 1) for every real t
        return True if self.args[0].is_extended_real else None

    def _latex(self, printer: sp.printing.latex.LatexPrinter, exp: str | None = None) -> str:
        t = self.args[0]
        # \left( \right) only around tall arguments: σ(z), not σ (z)
        simple = isinstance(t, (sp.Symbol, sp.Indexed, sp.Number))
        inner = (
            rf"\sigma({printer._print(t)})"
            if simple
            else rf"\sigma\left({printer._print(t)}\right)"
        )
        return inner if exp is None else f"{inner}^{{{exp}}}"

    def _sympystr(self, printer: sp.printing.str.StrPrinter) -> str:
        return f"σ({printer._print(self.args[0])})"


def sigma_prime(t: sp.Expr) -> sp.Subs:
    r"""The derivative of σ at ``t``, unevaluated: :math:`\sigma'(t)`.

    Examples
    --------
    >>> s = sigma_prime(sp.Symbol("t", real=True))
    >>> s.doit()
    (1 - σ(t))*σ(t)
    """
    u = sp.Dummy("u", real=True)
    return sp.Subs(sp.Derivative(sigma(u), u), u, t)


def mul(*factors: sp.Basic) -> sp.Expr:
    """The product of ``factors``, unevaluated: they print in the order given.

    Examples
    --------
    >>> from xentropy.latex import to_latex
    >>> x, y = sp.symbols("x y")
    >>> to_latex(mul(y, x)), to_latex(y * x)
    ('y x', 'x y')
    """
    return sp.Mul(*factors, evaluate=False)


def add(*terms: sp.Basic) -> sp.Expr:
    """The sum of ``terms``, unevaluated: they print in the order given.

    Examples
    --------
    >>> from xentropy.latex import to_latex
    >>> x, y = sp.symbols("x y")
    >>> to_latex(add(y, x)), to_latex(y + x)
    ('y + x', 'x + y')
    """
    return sp.Add(*terms, evaluate=False)


def neg(e: sp.Basic) -> sp.Expr:
    r"""``-e``, unevaluated: :math:`-(u + v)` keeps its bracket and :math:`-\sum` stays a minus.

    Examples
    --------
    >>> from xentropy.latex import to_latex
    >>> x, y = sp.symbols("x y")
    >>> to_latex(neg(add(x, y)))
    '- \\left(x + y\\right)'
    """
    if isinstance(e, sp.Sum):
        # Printed −Σ, not (−1) Σ; UnevaluatedExpr changes nothing but the printing.
        return sp.Mul(-1, sp.UnevaluatedExpr(e), evaluate=False)
    return sp.Mul(-1, e, evaluate=False)
