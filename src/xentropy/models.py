r"""The SymPy model the book derives from, and the derivations it shows.

One sigmoid neuron (logistic regression) trained on n examples with k features each. For example
i = 1, …, n and feature j = 1, …, k:

- :math:`z_i = \sum_{m=1}^{k} w_m x_{im} + b`, the weighted input;
- :math:`a_i = \sigma(z_i)`, the output, with σ the logistic function;
- :math:`C_{x_i} = -[y_i \ln a_i + (1 - y_i)\ln(1 - a_i)]`, the cost of example i;
- :math:`C = \frac{1}{n}\sum_{i=1}^{n} C_{x_i}`, the cost the gradient is taken of.

Nielsen writes the same with the example index left out (:math:`x_j`, :math:`z`, :math:`a`,
:math:`\sum_x`); :data:`NIELSEN` prints our expressions that way. Every quantity is real
(``real=True``); n and k are positive integers; the indices carry their ranges (``Idx``). The
functions at the bottom build the book's derivations, each checked as it is built, and
:data:`DERIVATIONS` lists them by name.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy.matrices.expressions.special import OneMatrix

from xentropy.derivation import Derivation

__all__ = [
    "DEFINITIONS",
    "DERIVATIONS",
    "NIELSEN",
    "C",
    "C_x",
    "a",
    "b",
    "bias_matrix_form",
    "cross_entropy_from_wanted_gradient",
    "dC_db",
    "dC_db_single_example",
    "dC_dw",
    "dC_dw_single_example",
    "gradient_matrix_form",
    "i",
    "j",
    "k",
    "m",
    "n",
    "sigma",
    "sigma_prime",
    "sigma_prime_from_definition",
    "w",
    "x",
    "y",
    "z",
]


class sigma(sp.Function):
    r"""The logistic function :math:`\sigma(t) = 1/(1 + e^{-t})`.

    SymPy treats σ as a function of its own, so that expressions print as :math:`\sigma(z)`, with
    its derivative declared as :math:`\sigma(1 - \sigma)`; :func:`sigma_prime_from_definition`
    proves that declaration from the definition, and ``rewrite(sp.exp)`` gives the definition.

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


def _mul(*factors: sp.Expr) -> sp.Expr:
    # Unevaluated, so that the factors print in the order the book reads them; the check is
    # indifferent to the order.
    return sp.Mul(*factors, evaluate=False)


def _add(*terms: sp.Expr) -> sp.Expr:
    return sp.Add(*terms, evaluate=False)


def _neg(e: sp.Expr) -> sp.Expr:
    # -(u + v) would be distributed to -u - v; the book keeps the bracket
    return sp.Mul(-1, e, evaluate=False)


# -- the symbols -------------------------------------------------------------------------------

n = sp.Symbol("n", integer=True, positive=True)  # number of training examples
k = sp.Symbol("k", integer=True, positive=True)  # number of features of each example
i = sp.Idx("i", (1, n))  # which example
j = sp.Idx("j", (1, k))  # which feature (weight)
m = sp.Idx("m", (1, k))  # the feature summed over in z, kept apart from j

w = sp.IndexedBase("w", real=True)  # w[m]: the weights, one per feature
x = sp.IndexedBase("x", real=True)  # x[i, m]: feature m of example i
y = sp.IndexedBase("y", real=True)  # y[i]: the label of example i (0 or 1, or a soft label)
z = sp.IndexedBase("z", real=True)  # z[i]: the weighted input of example i
a = sp.IndexedBase("a", real=True)  # a[i]: the neuron's output for example i
C_x = sp.IndexedBase("C_x", real=True)  # C_x[i]: the cost of example i
b = sp.Symbol("b", real=True)  # the bias
C = sp.Symbol("C", real=True)  # the cost: the mean of the C_x[i]

#: The definitions, outermost first: ``where`` pairs for :class:`~xentropy.derivation.Derivation`.
DEFINITIONS: tuple[tuple[sp.Basic, sp.Basic], ...] = (
    (C, sp.Sum(C_x[i], (i, 1, n)) / n),
    (C_x[i], _neg(_add(y[i] * sp.log(a[i]), (1 - y[i]) * sp.log(1 - a[i])))),
    (a[i], sigma(z[i])),
    (z[i], _add(sp.Sum(w[m] * x[i, m], (m, 1, k)), b)),
)

#: Leave the example index out, as Nielsen does: ``to_latex(e, implicit_index=NIELSEN)``.
NIELSEN = (i, "x")


def _chain(start: sp.Basic, lhs: sp.Basic, label: str, reason: str, **kw: object) -> Derivation:
    return Derivation(start, lhs=lhs, label=label, reason=reason, where=DEFINITIONS, **kw)


def _one_example(start: sp.Basic, lhs: sp.Basic, label: str, reason: str) -> Derivation:
    # about example i, shown as Nielsen writes one example: without the i
    return _chain(start, lhs, label, reason, implicit_index=NIELSEN)


# -- the derivations ---------------------------------------------------------------------------


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
            label="sigma-prime",
            reason=r"definition of $\sigma$",
            implicit_index=NIELSEN,
        )
        .step(e / (1 + e) ** 2, "chain rule")
        .step(
            _mul(sigma(t), 1 - sigma(t)),
            r"$\frac{1}{1 + e^{-z}} = \sigma(z)$, $\frac{e^{-z}}{1 + e^{-z}} = 1 - \sigma(z)$",
        )
    )


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
            _mul(sp.Derivative(C_x[i], a[i]), sp.Derivative(a[i], z[i]), sp.Derivative(z[i], w[j])),
            lhs=sp.Derivative(C_x[i], w[j]),
            label="dCx-dw",
            reason="chain rule",
        )
        .step(
            _mul(
                _neg(_add(y[i] / a[i], _neg((1 - y[i]) / (1 - a[i])))), sigma_prime(z[i]), x[i, j]
            ),
            "the three derivatives",
        )
        .step(
            _mul(_neg(_add(y[i] / s, _neg((1 - y[i]) / (1 - s)))), s, 1 - s, x[i, j]),
            r"$a = \sigma(z)$, $\sigma' = \sigma(1 - \sigma)$",
        )
        .step(
            _mul(_neg(_add(_mul(y[i], 1 - s), _neg(_mul(1 - y[i], s)))), x[i, j]),
            "cancel",
        )
        .step(_mul(x[i, j], _add(s, -y[i])), "expand")
    )


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
            _mul(sp.Derivative(C_x[i], a[i]), sp.Derivative(a[i], z[i]), sp.Derivative(z[i], b)),
            lhs=sp.Derivative(C_x[i], b),
            label="dCx-db",
            reason="chain rule",
        )
        .step(
            _mul(_neg(_add(y[i] / s, _neg((1 - y[i]) / (1 - s)))), s, 1 - s),
            r"as for $w_j$; $\partial z / \partial b = 1$",
        )
        .step(_add(s, -y[i]), "cancel, expand")
    )


def dC_dw() -> Derivation:
    r"""∂C/∂w_j = (1/n) Σ_i x_ij (σ(z_i) − y_i): the mean of the one-example results.

    Examples
    --------
    >>> dC_dw().result
    Sum((σ(z[i]) - y[i])*x[i, j], (i, 1, n))/n
    """
    return (
        _chain(
            sp.Derivative(sp.Sum(C_x[i], (i, 1, n)) / n, w[j]),
            lhs=sp.Derivative(C, w[j]),
            label="dC-dw",
            reason="definition of $C$",
        )
        .step(
            sp.Sum(sp.Derivative(C_x[i], w[j]), (i, 1, n)) / n,
            "sum rule",
        )
        .step(
            sp.Sum(_mul(x[i, j], _add(sigma(z[i]), -y[i])), (i, 1, n)) / n,
            "each term for one example",
        )
    )


def dC_db() -> Derivation:
    r"""∂C/∂b = (1/n) Σ_i (σ(z_i) − y_i).

    Examples
    --------
    >>> dC_db().result
    Sum(σ(z[i]) - y[i], (i, 1, n))/n
    """
    return (
        _chain(
            sp.Derivative(sp.Sum(C_x[i], (i, 1, n)) / n, b),
            lhs=sp.Derivative(C, b),
            label="dC-db",
            reason="definition of $C$",
        )
        .step(
            sp.Sum(sp.Derivative(C_x[i], b), (i, 1, n)) / n,
            "sum rule",
        )
        .step(sp.Sum(_add(sigma(z[i]), -y[i]), (i, 1, n)) / n, "each term for one example")
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
    cost = _neg(_add(y[i] * sp.log(a[i]), (1 - y[i]) * sp.log(1 - a[i])))
    return (
        Derivation(
            _add(a[i], -y[i]) / sigma_prime(z[i]),
            label="cross-entropy-from-gradient",
            where=DEFINITIONS[2:],
            implicit_index=NIELSEN,
        )
        .step(
            _mul(_add(a[i], -y[i]), sp.Pow(_mul(a[i], 1 - a[i]), -1, evaluate=False)),
            r"$\sigma'(z) = \sigma(z)(1 - \sigma(z)) = a(1 - a)$",
        )
        .step(_add(-y[i] / a[i], (1 - y[i]) / (1 - a[i])), "partial fractions in $a$")
        .step(sp.Derivative(cost, a[i]), r"$(\ln a)' = 1/a$, $(\ln(1 - a))' = -1/(1 - a)$")
    )


def _matrix_names(n_examples: int, n_features: int) -> tuple[sp.Basic, ...]:
    """X, w, y, z, 1 as matrix symbols, and the definitions that tie them to x_ij, w_j, y_i."""
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
    >>> gradient_matrix_form(2, 1).steps[-1].verified
    'proven'
    """
    X, wv, yv, zv, ones, where = _matrix_names(n_examples, n_features)
    features = range(1, n_features + 1)
    return (
        Derivation(
            sp.Matrix([sp.Derivative(C, w[c]) for c in features]),
            label="gradient-matrix-form",
            where=where,
        )
        .step(
            sp.Matrix(
                [sp.Sum(_mul(x[i, c], _add(sigma(z[i]), -y[i])), (i, 1, n)) / n for c in features]
            ),
            "the index form, $j = 1, \\dots, k$",
        )
        .step(
            _mul(1 / n, X.T, sp.MatAdd(zv.applyfunc(sigma), -yv)),
            "$(X^T r)_j = \\sum_i x_{ij} r_i$",
        )
        .step(
            _mul(1 / n, X.T, sp.MatAdd(sp.MatAdd(X * wv, b * ones).applyfunc(sigma), -yv)),
            "$z = Xw + b$",
        )
    )


def bias_matrix_form(n_examples: int = 3, n_features: int = 2) -> Derivation:
    r"""∂C/∂b = 1ᵀ(σ(Xw + b1) − y)/n, the mean residual, proven for explicit sizes.

    Examples
    --------
    >>> bias_matrix_form(2, 1).steps[-1].verified
    'proven'
    """
    X, wv, yv, zv, ones, where = _matrix_names(n_examples, n_features)
    return (
        Derivation(sp.Derivative(C, b), label="bias-matrix-form", where=where)
        .step(sp.Sum(_add(sigma(z[i]), -y[i]), (i, 1, n)) / n, "the index form")
        .step(
            _mul(1 / n, ones.T, sp.MatAdd(zv.applyfunc(sigma), -yv)),
            "$\\mathbf{1}^T r = \\sum_i r_i$",
        )
        .step(
            _mul(1 / n, ones.T, sp.MatAdd(sp.MatAdd(X * wv, b * ones).applyfunc(sigma), -yv)),
            "$z = Xw + b$",
        )
    )


#: The derivations by name: (what it shows, in one line; the function that builds and checks it).
DERIVATIONS: dict[str, tuple[str, Callable[[], Derivation]]] = {
    "sigma-prime": ("σ′(z) = σ(z)(1 − σ(z)), from σ's definition", sigma_prime_from_definition),
    "dCx-dw": ("∂C_x/∂w_j = x_j (σ(z) − y) for one example", dC_dw_single_example),
    "dCx-db": ("∂C_x/∂b = σ(z) − y for one example", dC_db_single_example),
    "dC-dw": ("∂C/∂w_j = (1/n) Σ_x x_j (σ(z) − y)", dC_dw),
    "dC-db": ("∂C/∂b = (1/n) Σ_x (σ(z) − y)", dC_db),
    "cross-entropy-from-gradient": (
        "wanting ∂C/∂z = a − y gives C = −[y ln a + (1 − y) ln(1 − a)] + constant",
        cross_entropy_from_wanted_gradient,
    ),
    "gradient-matrix-form": (
        "∇_w C = Xᵀ(σ(Xw + b) − y)/n, proven for n = 3, k = 2",
        gradient_matrix_form,
    ),
    "bias-matrix-form": ("∂C/∂b = mean(σ(Xw + b) − y), proven for n = 3, k = 2", bias_matrix_form),
}
