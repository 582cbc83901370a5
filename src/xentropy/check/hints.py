r"""The mistakes students make in this derivation, recognised in a wrong step.

Each hint is a guess made honest by the engine: a wrong line is changed back in one typical way
(its sign, a factor :math:`n`, a factor :math:`x_j`, :math:`\sigma(1 + \sigma)` for
:math:`\sigma(1 - \sigma)`, a :math:`\sigma'` the cross-entropy cancels) or the line before is
changed in the way the mistake would change it, and the hint is given only when
:func:`~xentropy.derivation.verify_equal` finds the changed line equal to what it should be.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

import sympy as sp

from xentropy.derivation import StepError, expand_definitions, verify_equal
from xentropy.expressions import sigma
from xentropy.latex import Definitions
from xentropy.notation import b, i, j, n, w, x

__all__ = ["hint"]

Rewrite = Callable[[sp.Basic], sp.Basic]


def hint(
    previous: sp.Basic,
    new: sp.Basic,
    where: Definitions,
    sample: Mapping[sp.Basic, tuple[float, float]],
    *,
    seed: str,
    difference: str = "",
    given: Mapping[sp.Basic, sp.Basic] | None = None,
) -> str | None:
    """Why ``new`` is not ``previous``, when it is a mistake students make; None otherwise.

    ``difference`` is the engine's message for the step, "the sides differ at …: p against q";
    the values in it rule out at once the mistakes that scale the line (its sign, a factor n).
    ``given``: the lemmas the step was checked with.
    """
    features = _sums_over_features(previous, new)
    if features:
        return features
    alone = _one_example_only(previous, new, where)
    if alone:
        return alone
    at = _values(difference)

    def equal(p: sp.Basic, q: sp.Basic) -> bool:
        try:
            verify_equal(p, q, where, sample, seed=seed + ":hint", given=given)
        except StepError:
            return False
        return True

    for message, expected, written, factor in _mistakes(previous, new):
        if expected == previous and written == new:
            continue  # a rewrite that changed nothing says nothing
        if at is not None and factor is not None and not _close(at, factor):
            continue
        if equal(expected, written):
            return message
    return None


_DIFFER = re.compile(r"the sides differ at (?P<point>.*): (?P<p>\S+) against (?P<q>\S+)$")


def _values(difference: str) -> tuple[float, float, dict[str, float]] | None:
    """The two sides' values and the point, from the engine's message; None if it has none."""
    found = _DIFFER.search(difference)
    if found is None:
        return None
    point = dict(part.split(" = ", 1) for part in re.split(r", (?![^\[]*\])", found.group("point")))
    try:
        values = {name: float(value) for name, value in point.items()}
        return float(found.group("p")), float(found.group("q")), values
    except ValueError:
        return None


def _close(at: tuple[float, float, dict[str, float]], factor: str) -> bool:
    """Whether q = factor · p at the point where the sides differ (a necessary condition)."""
    p, q, point = at
    scale = {"-1": -1.0, "n": point.get("n", 1.0), "1/n": 1 / point.get("n", 1.0)}[factor]
    return abs(q - scale * p) <= 1e-8 * max(1.0, abs(q), abs(p))


Mistake = tuple[str, sp.Basic, sp.Basic, str | None]


def _mistakes(previous: sp.Basic, new: sp.Basic) -> Iterator[Mistake]:
    """(hint, what the line before becomes, what the new line becomes, and for a mistake that
    scales the line, by what: ``new = factor · previous``) for each mistake."""
    yield ("the sign is flipped: the new line is minus the line before", -previous, new, "-1")
    if previous.has(n) or new.has(n):
        yield (
            "a factor 1/n is missing: C is the mean (1/n) Σ_x C_x, not the sum",
            n * previous,
            new,
            "n",
        )
        yield ("a factor 1/n too many: the line is n times too small", previous / n, new, "1/n")
    yield (
        "σ′(z) = σ(z)(1 − σ(z)), not σ(z)(1 + σ(z))",
        previous,
        new.replace(_is_one_plus_sigma, lambda e: 2 - e),
        None,
    )
    yield (
        "σ′(z) is left in: that factor belongs to the quadratic cost; with the cross-entropy it "
        "cancels against the derivative of the logarithms",
        previous,
        new.replace(_is_sigma_prime, lambda e: sp.Integer(1)),
        None,
    )
    if any(isinstance(d, sp.Derivative) and w[j] in d.variables for d in _nodes(previous)):
        yield (
            "this is the bias's derivative: for w_j the chain rule ends in ∂z/∂w_j = x_j, "
            "not ∂z/∂b = 1",
            _by_bias(previous),
            new,
            None,
        )
    if previous.has(x[i, j]):
        yield (
            "a factor x_j is missing: ∂z/∂w_j = x_j",
            previous.xreplace({x[i, j]: 1}),
            new,
            None,
        )


def _nodes(e: sp.Basic) -> Iterator[sp.Basic]:
    return iter(sp.preorder_traversal(e))


def _by_bias(e: sp.Basic) -> sp.Basic:
    """``e`` with every derivative by w_j taken by b instead."""

    def by_bias(d: sp.Derivative) -> sp.Basic:
        return sp.Derivative(d.expr, *[(b if v == w[j] else v, c) for v, c in d.variable_count])

    return e.replace(lambda d: isinstance(d, sp.Derivative) and d.has(w[j]), by_bias)


def _is_one_plus_sigma(e: sp.Basic) -> bool:
    if not isinstance(e, sp.Add) or len(e.args) != 2:
        return False
    one, other = sorted(e.args, key=lambda t: not t.is_number)
    return bool(one == 1 and isinstance(other, sigma))


def _is_sigma_prime(e: sp.Basic) -> bool:
    return (
        isinstance(e, sp.Subs)
        and isinstance(e.expr, sp.Derivative)
        and isinstance(e.expr.expr, sigma)
    )


def _sums_over_features(previous: sp.Basic, new: sp.Basic) -> str | None:
    """A hint when the new line sums over j, the feature the line before differentiates by."""
    summed = {limit[0] for s in new.atoms(sp.Sum) for limit in s.limits}
    if j in summed and j in _free(previous):
        return (
            "Σ_x runs over the n training inputs, not over the features: j is the one feature "
            "of w_j, fixed in every term"
        )
    return None


def _one_example_only(previous: sp.Basic, new: sp.Basic, where: Definitions) -> str | None:
    """A hint when one side is about one example (x_j, z, y outside a sum) and the other not."""
    sides = [_free_example(expand_definitions(e, where)) for e in (previous, new)]
    if sides == [False, True]:
        return (
            "the new line is about one example (x_j, z or y outside a sum), the line before about "
            "all n: C is one number, the mean (1/n) Σ_x C_x of the examples' costs, and its "
            "derivative keeps the sum"
        )
    if sides == [True, False]:
        return (
            "the line before is about one example, the new line about all n: a sum over the "
            "examples appeared; for one example there is no Σ_x and no 1/n"
        )
    return None


def _free_example(e: sp.Basic) -> bool:
    return i in _free(e)


def _free(e: sp.Basic) -> set[sp.Idx]:
    """The indices of ``e`` that no sum binds, those only in a ∂/∂w_j included."""
    bound = {limit[0] for s in e.atoms(sp.Sum) for limit in s.limits}
    return set(e.atoms(sp.Idx)) - bound
