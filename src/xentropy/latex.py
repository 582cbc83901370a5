r"""The book's LaTeX: SymPy's printer with the conventions a reader of Nielsen expects.

Indices print as their names, derivatives with :math:`\partial`, logarithms as :math:`\ln`,
products and sums in the order they were written, and, with ``implicit_index``, the example
index left out as Nielsen leaves it out (:math:`x_j`, :math:`\sum_x`). A derivation's aligned
block, its definitions and any single expression of a page are printed here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from xentropy.notation import PER_EXAMPLE

__all__ = ["definitions_latex", "printer", "reason_tex", "to_latex"]

Definitions = Sequence[tuple[sp.Basic, sp.Basic]]


def definitions_latex(
    where: Definitions, *, implicit_index: tuple[sp.Idx, str] | None = None
) -> str:
    r"""Definitions as an aligned LaTeX block, one ``symbol = value`` a line.

    Examples
    --------
    >>> import sympy as sp
    >>> a, z = sp.symbols("a z", real=True)
    >>> print(definitions_latex([(a, sp.exp(z))]))
    \begin{aligned}
    a &= e^{z}
    \end{aligned}
    """
    tex = printer(implicit_index)
    rows = [f"{tex(key)} &= {tex(value)}" for key, value in where]
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


def to_latex(expr: sp.Basic, *, implicit_index: tuple[sp.Idx, str] | None = None) -> str:
    r"""LaTeX for one expression, printed as the book writes it.

    Indices print as their names, derivatives with :math:`\partial`, logarithms as :math:`\ln`.
    With ``implicit_index=(i, "x")`` the index i is left out, as Nielsen writes: ``x[i, j]``
    prints as :math:`x_j` and a sum over i as :math:`\sum_x`.

    Examples
    --------
    >>> import sympy as sp
    >>> k = sp.Symbol("k", integer=True, positive=True)
    >>> j = sp.Idx("j", (1, k))
    >>> to_latex(sp.Derivative(sp.Symbol("C"), sp.IndexedBase("w")[j]))
    '\\frac{\\partial C}{\\partial w_{j}}'
    """
    return printer(implicit_index)(expr)


def printer(implicit_index: tuple[sp.Idx, str] | None) -> Callable[[sp.Basic], str]:
    """A function that prints an expression as the book writes it."""
    printer = _BookLatexPrinter(implicit_index)
    return printer.doprint


class _BookLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the book's conventions."""

    def __init__(self, implicit_index: tuple[sp.Idx, str] | None) -> None:
        # order="none": terms and factors print in the order they are stored, so an expression
        # built unevaluated (sp.Add(s, -y, evaluate=False)) prints as written: σ(z) − y.
        super().__init__({"ln_notation": True, "order": "none"})
        self._implicit = implicit_index

    def _print_Mul(self, expr: sp.Mul) -> str:
        factors = expr.args
        if len(factors) == 2 and factors[0] == -1 and factors[1].is_Add:
            return rf"- \left({self._print(factors[1])}\right)"
        sums = [f for f in factors if isinstance(f, sp.Sum)]
        if sums and len(sums) < len(factors):
            # (1/n) Σ ..., not one fraction over the whole sum
            rest = sp.Mul(*[f for f in factors if not isinstance(f, sp.Sum)])
            return " ".join([self.parenthesize(rest, PRECEDENCE["Mul"]), *map(self._print, sums)])
        return super()._print_Mul(expr)

    def _print_Idx(self, expr: sp.Idx) -> str:
        return self._print(expr.label)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        indices = list(expr.indices)
        example = indices.pop(0) if expr.base in PER_EXAMPLE else None
        if self._implicit is not None:
            if example == self._implicit[0]:
                example = None
            indices = [i for i in indices if i != self._implicit[0]]
        # The example as a superscript in parentheses, x^{(i)}; features and classes below.
        above = "" if example is None else f"^{{({self._print(example)})}}"
        printed = [self._print(i) for i in indices]
        joined = ("" if all(len(p) == 1 for p in printed) else ",").join(printed)
        below = f"_{{{joined}}}" if printed else ""
        head, _, tail = expr.base.label.name.partition("_")
        if tail:  # C_x of example i is C_{x^{(i)}}, the cost of the input x^{(i)}
            return f"{self._print(sp.Symbol(head))}_{{{tail}{above}{below}}}"
        return f"{self._print(expr.base.label)}{above}{below}"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp: str | None = None) -> str:
        # [c = d], 1 when c = d and 0 otherwise: δ is kept for the error of a neuron.
        bracket = rf"[{self._print(expr.args[0])} = {self._print(expr.args[1])}]"
        return bracket if exp is None else rf"{bracket}^{{{exp}}}"

    def _print_HadamardProduct(self, expr: sp.Basic) -> str:
        # ⊙, Nielsen's sign for the entrywise product.
        return r" \odot ".join(self.parenthesize(a, PRECEDENCE["Mul"]) for a in expr.args)

    def _print_Sum(self, expr: sp.Sum) -> str:
        if self._implicit is not None and len(expr.limits) == 1:
            index, label = self._implicit
            if expr.limits[0][0] == index:
                summand = self.parenthesize(expr.function, PRECEDENCE["Mul"], strict=True)
                return rf"\sum_{{{label}}} {summand}"
        return super()._print_Sum(expr)

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        order = sum(count for _, count in expr.variable_count)
        top = r"\partial" if order == 1 else rf"\partial^{{{order}}}"
        bottom = " ".join(
            rf"\partial {self._print(v)}" + (f"^{{{c}}}" if c > 1 else "")
            for v, c in expr.variable_count
        )
        f = expr.expr
        if isinstance(f, (sp.Symbol, sp.Indexed, sp.MatrixSymbol)):
            return rf"\frac{{{top} {self._print(f)}}}{{{bottom}}}"
        return rf"\frac{{{top}}}{{{bottom}}}\left({self._print(f)}\right)"

    def _print_Subs(self, expr: sp.Subs) -> str:
        inner = expr.expr
        if (
            isinstance(inner, sp.Derivative)
            and len(expr.variables) == 1
            and inner.variable_count == ((expr.variables[0], 1),)
            and isinstance(inner.expr, sp.Function)
            and inner.expr.args == expr.variables
        ):
            # d/dt f(t) at t = p is f'(p)
            name = self._print(sp.Symbol(inner.expr.func.__name__))
            return f"{name}'{self._call(expr.point[0])}"
        return super()._print_Subs(expr)

    def _print_ElementwiseApplyFunction(self, expr: ElementwiseApplyFunction) -> str:
        f = expr.function
        applied = f.expr if isinstance(f, sp.Lambda) else f(sp.Dummy())
        name = self._print(sp.Symbol(applied.func.__name__))
        return f"{name}{self._call(expr.expr)}"

    def _call(self, argument: sp.Basic) -> str:
        """The bracketed argument of a function: (z) for a name, \\left( \\right) around more."""
        tex = self._print(argument)
        simple = isinstance(argument, (sp.Symbol, sp.Indexed, sp.MatrixSymbol, sp.Number))
        return f"({tex})" if simple else rf"\left({tex}\right)"

    def _print_OneMatrix(self, expr: sp.Basic) -> str:
        rows, columns = expr.shape
        return r"\mathbf{1}^{T}" if rows == 1 and columns != 1 else r"\mathbf{1}"


def reason_tex(reason: str, verified: str) -> str:
    """A step's reason as LaTeX text, with "(checked numerically)" where it was not proven."""
    words = reason if verified == "proven" else f"{reason} (checked numerically)"
    # Text outside $...$ is LaTeX text mode: escape the characters that mean something there.
    parts = words.split("$")
    for n in range(0, len(parts), 2):
        for char in "&%#_":
            parts[n] = parts[n].replace(char, "\\" + char)
    return rf"\text{{{'$'.join(parts)}}}"
