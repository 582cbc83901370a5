"""The checked-derivation engine: true steps pass, wrong ones fail loudly, rendering is honest."""

from __future__ import annotations

import pytest
import sympy as sp

from xentropy.derivation import CHECKED_NUMERICALLY
from xentropy.derivation import POINTS
from xentropy.derivation import PROVEN
from xentropy.derivation import Derivation
from xentropy.derivation import StepError

t = sp.Symbol("t", real=True)
u = sp.Symbol("u", real=True)
y = sp.Symbol("y", real=True)


def logistic(v: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-v))


# -- exact steps --------------------------------------------------------------------------------


def test_a_true_step_is_proven_and_becomes_the_result() -> None:
    d = Derivation((t + 1) ** 2, label="square").step(t**2 + 2 * t + 1, "expand")
    assert d.result == t**2 + 2 * t + 1
    assert [(s.number, s.reason, s.verified) for s in d.steps] == [(1, "expand", PROVEN)]


def test_step_returns_the_derivation_so_steps_chain() -> None:
    d = Derivation(sp.sin(t) ** 2 + sp.cos(t) ** 2)
    assert d.step(sp.Integer(1), "Pythagoras") is d


def test_the_opening_line_is_checked_when_lhs_is_given() -> None:
    d = Derivation(2 * t, lhs=sp.Derivative(t**2, t), label="power", reason="power rule")
    assert d.steps[0].number == 0
    assert d.steps[0].verified == PROVEN
    with pytest.raises(StepError, match=r"'power', the opening line \(power rule\)"):
        Derivation(3 * t, lhs=sp.Derivative(t**2, t), label="power", reason="power rule")


@pytest.mark.parametrize(
    ("wrong", "what"),
    [
        (-(t**2) - 2 * t - 1, "sign flipped"),
        (t**2 + 2 * t, "a term dropped"),
        (t**2 + t + 1, "a factor dropped"),
        ((t**2 + 2 * t + 1) / 2, "a factor 1/2 added"),
    ],
)
def test_a_wrong_step_raises_step_error_naming_it(wrong: sp.Expr, what: str) -> None:
    d = Derivation((t + 1) ** 2, label="square").step((t + 1) * (t + 1), "a square is a product")
    with pytest.raises(StepError) as caught:
        d.step(wrong, what)
    message = str(caught.value)
    assert "derivation 'square', step 2" in message
    assert f"({what})" in message
    assert sp.sstr((t + 1) * (t + 1)) in message  # the previous side
    assert sp.sstr(wrong) in message  # the new side
    assert len(d.steps) == 1  # the wrong step was not added


def test_step_error_is_a_value_error() -> None:
    assert issubclass(StepError, ValueError)


def test_a_reason_is_required() -> None:
    d = Derivation(t)
    with pytest.raises(ValueError, match="reason must be a non-empty string"):
        d.step(t, "  ")


def test_expressions_must_be_sympy() -> None:
    with pytest.raises(TypeError, match="start must be a SymPy expression, got object"):
        Derivation(object())


# -- the numeric fallback -----------------------------------------------------------------------

#: True for real t, and beyond what simplify decides: the stable form of the per-example cost.
NAIVE_COST = -(y * sp.log(logistic(t)) + (1 - y) * sp.log(1 - logistic(t)))
STABLE_COST = sp.log(1 + sp.exp(-sp.Abs(t))) + sp.Max(t, 0) - y * t


def test_an_identity_simplify_cannot_decide_is_checked_numerically() -> None:
    d = Derivation(NAIVE_COST, label="stable").step(STABLE_COST, "stable form")
    assert d.steps[-1].verified == CHECKED_NUMERICALLY
    assert r"\text{stable form (checked numerically)}" in d.latex()


def test_a_proven_step_is_not_labelled_numeric() -> None:
    d = Derivation((t + 1) ** 2).step(t**2 + 2 * t + 1, "expand")
    assert "checked numerically" not in d.latex()


def test_a_false_identity_simplify_cannot_decide_is_caught_numerically() -> None:
    # W(t e^t) = t holds only for t >= -1.
    with pytest.raises(StepError, match=r"step 1 \(inverse\): the sides differ at t = "):
        Derivation(sp.LambertW(t * sp.exp(t)), label="lambert").step(t, "inverse")


def test_a_small_error_is_caught_at_fifty_digits() -> None:
    # off by 1e-25 everywhere: far below float64's resolution, far above the 1e-30 tolerance
    with pytest.raises(StepError, match="the sides differ"):
        Derivation(NAIVE_COST).step(STABLE_COST + sp.Float("1e-25", 50), "stable form")


def test_too_few_evaluable_points_is_an_error_not_a_pass() -> None:
    # log(max(t - 3.5, 0)) is -inf below 3.5, so few of the random points can be compared
    blind = sp.log(sp.Max(t - sp.Rational(7, 2), 0))
    with pytest.raises(StepError, match=f"at least {POINTS} are needed"):
        Derivation(blind + sp.atan(t) + sp.atan(1 / t)).step(blind + sp.pi / 2, "arctangents")


def test_sample_intervals_are_respected() -> None:
    # true for t in (0, 1), where the default interval (-4, 4) would find it false
    claim = sp.Max(t, 0) + sp.Min(t, 1)
    with pytest.raises(StepError):
        Derivation(claim).step(2 * t, "inside (0, 1)")
    d = Derivation(claim, sample={t: (0, 1)}).step(2 * t, "inside (0, 1)")
    # Max and Min do not simplify without t's range, which only the sample states.
    assert d.steps[-1].verified == CHECKED_NUMERICALLY


def test_the_sample_interval_of_an_indexed_quantity_holds_whatever_its_sizes() -> None:
    # y has the shape (n,): the check draws n, which makes another y of shape (4,), and the
    # interval given for y must still be the one drawn from (ln y is complex for y > 1)
    from xentropy.notation import i
    from xentropy.notation import y

    logs = sp.log(y[i]) - sp.log(1 - y[i])
    with pytest.raises(StepError):
        Derivation(logs).step(sp.log(y[i] / (1 - y[i])), "one logarithm")
    d = Derivation(logs, sample={y: (0.05, 0.95)}).step(sp.log(y[i] / (1 - y[i])), "one log")
    assert d.steps[-1].verified == CHECKED_NUMERICALLY


# -- definitions (where) --------------------------------------------------------------------------

a, z, w, x, b, C = sp.symbols("a z w x b C", real=True)
DEFS = ((C, -(y * sp.log(a) + (1 - y) * sp.log(1 - a))), (a, logistic(z)), (z, w * x + b))


def test_a_derivative_with_respect_to_a_defined_symbol_is_the_chain_rule_factor() -> None:
    chain = sp.Derivative(C, a) * sp.Derivative(a, z) * sp.Derivative(z, w)
    d = Derivation(chain, lhs=sp.Derivative(C, w), reason="chain rule", where=DEFS)
    d.step(x * (logistic(w * x + b) - y), "simplify")
    assert all(s.verified == PROVEN for s in d.steps)


def test_a_defined_symbol_depends_on_what_it_is_defined_by() -> None:
    # Without the definition, a would be a constant and ∂a/∂w = 0.
    with pytest.raises(StepError, match="step 1"):
        Derivation(sp.Derivative(a, w), where=DEFS).step(sp.Integer(0), "a is a constant")


def test_definitions_must_be_listed_outermost_first() -> None:
    with pytest.raises(ValueError, match="outermost first"):
        Derivation(C, where=(DEFS[2], DEFS[1]))


def test_a_wrong_step_is_caught_through_definitions() -> None:
    d = Derivation(sp.Derivative(C, w), where=DEFS)
    with pytest.raises(StepError, match=r"step 1 \(bias derivative\)"):
        d.step(logistic(z) - y, "bias derivative")


# -- indexed sums with declared ranges ----------------------------------------------------------

n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
i = sp.Idx("i", (1, n))
j = sp.Idx("j", (1, k))
m = sp.Idx("m", (1, k))
W = sp.IndexedBase("w", real=True)
X = sp.IndexedBase("x", real=True)


def test_declared_index_ranges_let_a_kronecker_sum_be_proven() -> None:
    # ∂/∂w_j Σ_m w_m x_m = x_j needs 1 <= j <= k, which the Idx declares
    d = Derivation(sp.Derivative(sp.Sum(W[m] * X[m], (m, 1, k)), W[j])).step(X[j], "one term")
    assert d.steps[-1].verified == PROVEN


def test_a_dropped_one_over_n_is_caught_with_symbolic_n() -> None:
    mean = sp.Sum(X[i, j], (i, 1, n)) / n
    with pytest.raises(StepError, match=r"step 1 \(mean\)"):
        Derivation(mean).step(sp.Sum(X[i, j], (i, 1, n)), "mean")


# -- matrices -----------------------------------------------------------------------------------


def test_matrices_are_compared_entry_by_entry() -> None:
    M = sp.Matrix([[t, 1], [0, t]])
    d = Derivation(M * M).step(sp.Matrix([[t**2, 2 * t], [0, t**2]]), "multiply")
    assert d.steps[-1].verified == PROVEN
    with pytest.raises(StepError, match="step 1"):
        Derivation(M * M).step(sp.Matrix([[t**2, 2], [0, t**2]]), "multiply")


def test_shapes_must_agree() -> None:
    with pytest.raises(StepError, match="different shapes"):
        Derivation(sp.Matrix([t, t])).step(sp.Matrix([[t, t]]), "transpose")


# -- rendering ----------------------------------------------------------------------------------


def test_the_rendering_is_one_aligned_block_with_every_reason() -> None:
    d = Derivation(sp.Derivative(t * sp.exp(t), t), lhs=None, label="r")
    d.step(t * sp.exp(t) + sp.exp(t), "product rule").step((t + 1) * sp.exp(t), "factor")
    tex = d.latex()
    assert tex.startswith(r"\begin{aligned}")
    assert tex.endswith(r"\end{aligned}")
    assert tex.count("&=") == 2
    assert r"\text{product rule}" in tex
    assert r"\text{factor}" in tex
    # Sphinx splits display math at blank lines; the block must not contain any
    assert "\n\n" not in tex


def test_the_opening_line_shows_lhs_equals_start() -> None:
    d = Derivation(2 * t, lhs=sp.Derivative(t**2, t), reason="power rule")
    first = d.latex().splitlines()[1]
    assert first.startswith(r"\frac{\partial}{\partial t}\left(t^{2}\right) &= 2 t")
    assert first.endswith(r"\text{power rule}")


def test_repr_latex_is_display_math_for_jupyter_and_glue() -> None:
    d = Derivation(t).step(t + 0, "nothing")
    assert d._repr_latex_() == f"$${d.latex()}$$"


def test_reasons_are_escaped_outside_math() -> None:
    d = Derivation(t).step(t, "50% & #1 of $a_j$")
    assert r"\text{50\% \& \#1 of $a_j$}" in d.latex()


def test_repr_lists_every_line_with_its_reason_and_verdict() -> None:
    d = Derivation(2 * t, lhs=sp.Derivative(t**2, t), label="power", reason="power rule")
    d.step(t + t, "doubling")
    assert repr(d).splitlines() == [
        "Derivation 'power'",
        "  Derivative(t**2, t)",
        "  = 2*t    [power rule; proven]",
        "  = 2*t    [doubling; proven]",
    ]


def test_derivative_by_an_entry_sees_the_same_entry_inside_a_sum() -> None:
    # ∂/∂z[i, c] of a cost holding z[i, d] in a sum over d: the term d = c depends on z[i, c].
    # Replacing only the literal z[i, c] by a variable once made this derivative 0, so the
    # false step below was "proven".
    from xentropy import notation as N
    from xentropy.symbolic import softmax as mc

    where = mc.definitions()[1:]
    start = sp.Derivative(N.C_x[N.i], N.softmax_z[N.i, N.c])
    with pytest.raises(StepError, match=r"step 1 \(zero\)"):
        Derivation(start, where=where, label="entry-in-sum").step(0, "zero")
    labels = sp.Sum(N.softmax_y[N.i, N.d], (N.d, 1, N.K))
    right = N.softmax_a[N.i, N.c] * labels - N.softmax_y[N.i, N.c]
    chain = Derivation(start, where=where, label="entry-in-sum").step(right, "softmax derivative")
    assert chain.steps[-1].verified == PROVEN
