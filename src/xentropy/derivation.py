"""Checked derivations: chains of SymPy expressions, each verified equal to the one before.

A :class:`Derivation` starts from an expression and grows by :meth:`Derivation.step`, which takes
the next expression and the reason in words. Every step is verified when it is added: exactly when
``simplify(previous - new) == 0`` (after writing out the definitions and evaluating derivatives and
sums), otherwise by a 50-digit numeric comparison at 200 random points, which the rendering then
reports as "checked numerically" rather than proven. A step that fails raises :class:`StepError`.
The chain renders as one aligned LaTeX block with each step's reason beside it, so the equation a
reader sees is the object that was checked.

Symbols may stand for longer expressions (``where``): a line can say ``σ(z)`` and ``∂z/∂w_j`` while
the check writes ``z`` out in full. A derivative with respect to such a symbol is the partial
derivative with the symbol as the variable, evaluated at its definition, which is the meaning of
the chain rule's ``∂C/∂a``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from xentropy.latex import Definitions, printer, reason_tex

__all__ = [
    "CHECKED_NUMERICALLY",
    "PROVEN",
    "Derivation",
    "Step",
    "StepError",
    "default_label",
    "evaluate",
    "expand_definitions",
    "verify_equal",
]

PROVEN = "proven"
CHECKED_NUMERICALLY = "checked numerically"

DIGITS = 50
POINTS = 200
TOLERANCE = sp.Float("1e-30", DIGITS)


_DEFAULT_LABEL: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "default_label", default=None
)


@contextlib.contextmanager
def default_label(label: str) -> Iterator[None]:
    """Within the block, a :class:`Derivation` built without a label takes ``label``.

    The outermost block wins: a derivation registered twice, under its own name and under
    another with fixed arguments, is labelled by the name it was built for.

    Examples
    --------
    >>> t = sp.Symbol("t", real=True)
    >>> with default_label("demo"):
    ...     Derivation(t + t).label
    'demo'
    """
    if _DEFAULT_LABEL.get() is not None:
        yield
        return
    token = _DEFAULT_LABEL.set(label)
    try:
        yield
    finally:
        _DEFAULT_LABEL.reset(token)


class StepError(ValueError):
    """A step of a :class:`Derivation` is not equal to the expression before it."""


@dataclass(frozen=True)
class Step:
    """One checked line of a derivation.

    Attributes
    ----------
    number : int
        1 for the first call to :meth:`Derivation.step`; 0 for the opening line ``lhs = start``.
    expr : sympy.Basic
        The expression this line shows.
    reason : str
        Why it equals the line before, in words (``$...$`` marks math inside the words).
    verified : str
        ``"proven"`` or ``"checked numerically"``.
    """

    number: int
    expr: sp.Basic
    reason: str
    verified: str


class Derivation:
    r"""A chain of equal expressions, each step checked when it is added.

    Parameters
    ----------
    start : sympy expression or matrix
        The first expression of the chain.
    lhs : sympy expression, optional
        What the chain computes, shown as ``lhs = start`` on the first line; ``lhs = start`` is
        itself checked, with ``reason``.
    label : str, optional
        A name used in error messages; by default the one :func:`default_label` gives, which
        for a derivation of the book is its registered name.
    reason : str
        Why ``lhs`` equals ``start``; used only when ``lhs`` is given.
    where : sequence of (symbol, definition) pairs
        Symbols that stand for longer expressions, outermost first: a definition may use symbols
        defined after it, never before. A key may be a ``Symbol``, a ``MatrixSymbol`` or an
        ``Indexed`` such as ``z[i]`` (a template: ``z[3]`` means the definition with ``i = 3``).
    sample : mapping, optional
        Intervals ``(low, high)`` for the numeric check, by symbol or ``IndexedBase``, where the
        symbol's assumptions do not say enough (for example ``a`` in (0, 1)).
    implicit_index : (Idx, str), optional
        The notation :meth:`latex` uses unless told otherwise; see :func:`to_latex`.
    lemmas : sequence of Derivation, optional
        Results already derived and checked, used as given. Before a line is checked, its
        derivatives are moved inside sums and past constant factors (the sum rule, for a finite
        sum), and wherever it then holds a lemma's ``lhs`` (the very expression, indices
        included), that is replaced by the lemma's result. A step that rests on one says so in
        its reason.

    Raises
    ------
    StepError
        If ``lhs`` is given and is not equal to ``start``.

    Examples
    --------
    >>> import sympy as sp
    >>> t = sp.Symbol("t", real=True)
    >>> d = Derivation(sp.Derivative(t * sp.exp(t), t), label="demo")
    >>> d.step(t*sp.exp(t) + sp.exp(t), "product rule").result
    t*exp(t) + exp(t)
    >>> d.steps[-1].verified
    'proven'
    >>> print(d.latex())
    \begin{aligned}
    \frac{\partial}{\partial t}\left(t e^{t}\right) &= t e^{t} + e^{t} && \text{product rule}
    \end{aligned}
    >>> d.step(t*sp.exp(t), "dropped a term")
    Traceback (most recent call last):
    ...
    xentropy.derivation.StepError: derivation 'demo', step 2 (dropped a term): ...
    """

    def __init__(
        self,
        start: Any,
        lhs: Any = None,
        label: str | None = None,
        *,
        reason: str = "definition",
        where: Definitions = (),
        sample: Mapping[sp.Basic, tuple[float, float]] | None = None,
        implicit_index: tuple[sp.Idx, str] | None = None,
        lemmas: Sequence[Derivation] = (),
    ) -> None:
        self.label = label if label is not None else _DEFAULT_LABEL.get()
        self.implicit_index = implicit_index
        self.where = _checked_definitions(where)
        self.sample = dict(sample or {})
        self.start = _sympify(start, "start")
        self.lhs: sp.Basic | None = None if lhs is None else _sympify(lhs, "lhs")
        self.lemmas = tuple(lemmas)
        if any(lemma.lhs is None for lemma in self.lemmas):
            raise ValueError("lemmas: each must be a derivation with an lhs, what it derives")
        self._given = {lemma.lhs: lemma.result for lemma in self.lemmas}
        self._steps: list[Step] = []
        if self.lhs is not None:
            self._add(0, self.lhs, self.start, reason)

    @property
    def steps(self) -> tuple[Step, ...]:
        """The checked lines: the opening line (number 0) if ``lhs`` was given, then each step."""
        return tuple(self._steps)

    @property
    def result(self) -> sp.Basic:
        """The last expression of the chain."""
        return self._steps[-1].expr if self._steps else self.start

    def step(self, expr: Any, reason: str) -> Derivation:
        """Add ``expr`` as the next line, checked equal to the current result.

        Parameters
        ----------
        expr : sympy expression or matrix
            The next line.
        reason : str
            Why it equals the line before, in words.

        Returns
        -------
        Derivation
            ``self``, so that steps can be chained.

        Raises
        ------
        StepError
            If ``expr`` is not equal to the current result.
        """
        number = sum(1 for s in self._steps if s.number) + 1
        self._add(number, self.result, _sympify(expr, "expr"), reason)
        return self

    def with_step(self, number: int, expr: Any) -> Derivation:
        r"""The same chain built again with step ``number`` given as ``expr``, step by step.

        This is how a page or a test shows that a wrong line cannot get through. The lines
        before ``number`` ask the questions already answered when this chain was built, and
        are answered from memory; the changed line and every line after it are checked.

        Raises
        ------
        StepError
            At the first step that no longer follows.

        Examples
        --------
        >>> import sympy as sp
        >>> t = sp.Symbol("t", real=True)
        >>> d = Derivation(sp.Derivative(t**2, t), label="square").step(2 * t, "power rule")
        >>> d.with_step(1, 3 * t)
        Traceback (most recent call last):
        ...
        xentropy.derivation.StepError: derivation 'square', step 1 (power rule): ...
        """
        opening = [s for s in self._steps if s.number == 0]
        rebuilt = Derivation(
            self.start,
            lhs=self.lhs,
            label=self.label,
            reason=opening[0].reason if opening else "definition",
            where=self.where,
            sample=self.sample,
            implicit_index=self.implicit_index,
            lemmas=self.lemmas,
        )
        for s in self._steps:
            if s.number:
                rebuilt.step(expr if s.number == number else s.expr, s.reason)
        return rebuilt

    def _add(self, number: int, previous: sp.Basic, expr: sp.Basic, reason: str) -> None:
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"step {number}: reason must be a non-empty string, got {reason!r}")
        seed = f"{self.label}:{number}"
        try:
            verified = verify_equal(
                previous, expr, self.where, self.sample, seed=seed, given=self._given
            )
        except StepError as mismatch:
            where = "the opening line" if number == 0 else f"step {number}"
            raise StepError(
                f"derivation {self.label!r}, {where} ({reason}): {mismatch}\n"
                f"  previous: {sp.sstr(previous)}\n"
                f"  new:      {sp.sstr(expr)}"
            ) from None
        self._steps.append(Step(number, expr, reason, verified))

    def latex(self) -> str:
        """The chain as one amsmath ``aligned`` block, the reason of each step beside it.

        Printed in the derivation's own notation (``implicit_index``); see :func:`to_latex`.
        """
        tex = printer(self.implicit_index)
        rows = []
        steps = [s for s in self._steps if s.number]
        if self.lhs is not None:
            opening = self._steps[0]
            reason = reason_tex(opening.reason, opening.verified)
            rows.append(f"{tex(self.lhs)} &= {tex(self.start)} && {reason}")
        elif steps:
            first, steps = steps[0], steps[1:]
            reason = reason_tex(first.reason, first.verified)
            rows.append(f"{tex(self.start)} &= {tex(first.expr)} && {reason}")
        else:
            rows.append(tex(self.start))
        rows += [f"&= {tex(s.expr)} && {reason_tex(s.reason, s.verified)}" for s in steps]
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"

    def _repr_latex_(self) -> str:
        # Jupyter's display-math convention; MyST-NB's glue:math strips the $$ again.
        return f"$${self.latex()}$$"

    def __repr__(self) -> str:
        lines = [f"Derivation {self.label!r}" if self.label else "Derivation"]
        if self.lhs is None:
            lines.append(f"  {sp.sstr(self.start)}")
        else:
            lines.append(f"  {sp.sstr(self.lhs)}")
        lines += [f"  = {sp.sstr(s.expr)}    [{s.reason}; {s.verified}]" for s in self._steps]
        return "\n".join(lines)


def _with_lemmas(expr: sp.Basic, given: Mapping[sp.Basic, sp.Basic]) -> sp.Basic:
    """``expr`` with every derivative taken inside sums and past constant factors, and then each
    derivative a lemma has derived replaced by its result."""
    if not given:
        return expr
    # What a lemma is about (C_x of example i, say) depends on the variable even though SymPy
    # cannot see it: a factor holding it is not a constant.
    about = set()
    for lhs in given:
        f = lhs.expr if isinstance(lhs, sp.Derivative) else lhs
        about |= f.atoms(sp.Indexed) | ({f} if isinstance(f, sp.Symbol) else set())

    def depends(e: sp.Basic, v: sp.Basic) -> bool:
        return e.has(v) or any(e.has(a) for a in about)

    def linear(e: sp.Basic) -> sp.Basic:
        if not isinstance(e, sp.Derivative) or len(e.variable_count) != 1:
            return e
        f, (v, count) = e.expr, e.variable_count[0]
        if count != 1:
            return e
        if isinstance(f, sp.Sum):
            return sp.Sum(linear(sp.Derivative(f.function, v)), *f.limits)
        if isinstance(f, sp.Mul):
            constant = [a for a in f.args if not depends(a, v)]
            if constant and len(constant) < len(f.args):
                rest = sp.Mul(*[a for a in f.args if depends(a, v)])
                return sp.Mul(*constant) * linear(sp.Derivative(rest, v))
        return e

    result = expr.replace(lambda e: isinstance(e, sp.Derivative), linear).xreplace(dict(given))
    # A derivative of what a lemma is about that no lemma gives would evaluate to 0, SymPy
    # seeing no dependence: refuse it rather than prove something with it.
    for left in result.atoms(sp.Derivative):
        if any(left.expr.has(a) for a in about):
            raise _Mismatch(f"undecided: no lemma gives {sp.sstr(left)}")
    return result


class _Mismatch(Exception):
    """Internal: why two expressions were found unequal."""


def _verdict(
    a: sp.Basic,
    b: sp.Basic,
    where: Definitions,
    sample: dict[sp.Basic, tuple[float, float]],
    seed: str,
    given: Mapping[sp.Basic, sp.Basic],
) -> str:
    """Return ``"proven"`` or ``"checked numerically"`` if ``a == b``; else raise ``_Mismatch``.

    ``given``: lemmas, derivatives already derived, put in once the definitions are written out.
    """
    a_full, b_full = (_with_lemmas(expand_definitions(e, where), given) for e in (a, b))
    shape_a, left = _evaluated_entries(a_full, "previous")
    shape_b, right = _evaluated_entries(b_full, "new")
    if shape_a != shape_b:
        raise _Mismatch(f"the two sides have different shapes, {shape_a} and {shape_b}")
    differences = [p - q for p, q in zip(left, right, strict=True)]
    if all(d == 0 or _is_zero_by_algebra(d) for d in differences):
        return PROVEN
    # A few points first: a wrong step is usually caught here in a fraction of a second, before
    # simplify spends seconds failing to prove it. A difference found at any point is final.
    _check_numerically(a_full, b_full, sample, seed + ":screen", points=3, rounds=1)
    if all(_is_zero_exactly(d) for d in differences):
        return PROVEN
    compared, attempts = _check_numerically(a_full, b_full, sample, seed)
    if compared < POINTS:
        raise _Mismatch(
            f"undecided: simplification could not prove the step, and only {compared} of "
            f"{attempts} random points could be evaluated (at least {POINTS} are needed)"
        )
    return CHECKED_NUMERICALLY


def verify_equal(
    a: sp.Basic,
    b: sp.Basic,
    where: Definitions = (),
    sample: Mapping[sp.Basic, tuple[float, float]] | None = None,
    *,
    seed: str = "",
    given: Mapping[sp.Basic, sp.Basic] | None = None,
) -> str:
    """Check one step outside a chain: is ``b`` equal to ``a``, given the definitions ``where``?

    The check :meth:`Derivation.step` makes, for a caller that reads its lines from elsewhere
    (a student's LaTeX) and reports each verdict rather than stopping at the first. ``given``:
    lemmas, derivatives already derived (``{lhs: result}``), used once the definitions are
    written out.

    Returns
    -------
    str
        :data:`PROVEN` or :data:`CHECKED_NUMERICALLY`.

    Raises
    ------
    StepError
        If the two differ, or cannot be compared; the message says why, with the point where
        they differ when one was found.

    Examples
    --------
    >>> t = sp.Symbol("t", real=True)
    >>> verify_equal(sp.Derivative(t**2, t), 2 * t)
    'proven'
    >>> verify_equal(sp.Derivative(t**2, t), 3 * t, seed="demo")
    Traceback (most recent call last):
    ...
    xentropy.derivation.StepError: the sides differ at t = ...: ... against ...
    """
    try:
        a, b = _sympify(a, "a"), _sympify(b, "b")
        question = (a, b, _checked_definitions(where), _frozen(sample), seed, _frozen(given))
        try:
            hash(question)
        except TypeError:
            return _verdict(a, b, question[2], dict(sample or {}), seed, given or {})
        return _verdict_once(*question)
    except _Mismatch as mismatch:
        raise StepError(str(mismatch)) from None


def _frozen(mapping: Mapping[Any, Any] | None) -> tuple[tuple[Any, Any], ...]:
    return tuple((mapping or {}).items())


@functools.lru_cache(maxsize=1024)
def _verdict_once(
    a: sp.Basic,
    b: sp.Basic,
    where: tuple[tuple[sp.Basic, sp.Basic], ...],
    sample: tuple[tuple[sp.Basic, tuple[float, float]], ...],
    seed: str,
    given: tuple[tuple[sp.Basic, sp.Basic], ...],
) -> str:
    # The verdict depends on nothing else (the random points are drawn from ``seed``), so the
    # same question asked again in a process is answered from memory: a chain rebuilt with one
    # line changed (Derivation.with_step) computes only the lines from the change on. A
    # mismatch raises, and is not remembered.
    return _verdict(a, b, where, dict(sample), seed, dict(given))


def expand_definitions(expr: sp.Basic, where: Definitions) -> sp.Basic:
    """Write out every symbol of ``where`` in ``expr``, outermost definition first.

    Examples
    --------
    >>> import sympy as sp
    >>> a, z, w = sp.symbols("a z w", real=True)
    >>> expand_definitions(sp.Derivative(a, w), [(a, sp.exp(z)), (z, 2*w)])
    Derivative(exp(2*w), w)
    """
    for key, definition in where:
        if isinstance(key, sp.Indexed):
            expr = _as_variable_then_value(expr, key)
            expr = expr.replace(_same_base(key), _instantiate(key, definition))
        elif _is_integer_symbol(key):
            # A size such as n also sits in the ranges of indices (Idx("i", (1, n))); subs would
            # change the index inside a sum but not the sum's own variable, xreplace changes both.
            expr = expr.xreplace({key: definition})
        else:
            # subs, not xreplace: a derivative with respect to `key` becomes Subs(..., key, value)
            expr = expr.subs(key, definition)
    return expr


def _as_variable_then_value(expr: sp.Basic, key: sp.Indexed) -> sp.Basic:
    """Write ∂F/∂a_i as (∂F/∂t at t = a_i), so that a_i can then be replaced by its definition.

    This is what ``subs`` does by itself for a Symbol; for a template it is done here.
    """
    is_key = _same_base(key)

    def differentiates_by_key(e: sp.Basic) -> bool:
        return isinstance(e, sp.Derivative) and any(is_key(v) for v in e.variables)

    def rewrite(d: sp.Derivative) -> sp.Basic:
        variables = {v for v in d.variables if is_key(v)}
        if any(is_key(e) and e not in variables for e in d.expr.atoms(sp.Indexed)):
            # Other entries of the same base, such as z[i, l] in a sum over l, may be the very
            # entry differentiated by (l = c): a dummy for z[i, c] alone would miss them and give
            # 0 where the derivative is not 0. SymPy differentiates Indexed by Indexed with
            # Kronecker deltas, which is exact; the definitions are put in afterwards.
            return d.doit()
        mapping = {
            v: sp.Dummy(str(v.base.label), **v.assumptions0) for v in d.variables if is_key(v)
        }
        inner = sp.Derivative(
            d.expr.xreplace(mapping), *[(mapping.get(v, v), c) for v, c in d.variable_count]
        )
        return sp.Subs(inner, tuple(mapping.values()), tuple(mapping.keys()))

    return expr.replace(differentiates_by_key, rewrite)


def evaluate(expr: sp.Basic) -> sp.Basic:
    """Evaluate derivatives, sums and substitutions, using the declared ranges of indices.

    Examples
    --------
    >>> import sympy as sp
    >>> k = sp.Symbol("k", integer=True, positive=True)
    >>> j, m = sp.Idx("j", (1, k)), sp.Idx("m", (1, k))
    >>> w, x = sp.IndexedBase("w"), sp.IndexedBase("x")
    >>> evaluate(sp.Derivative(sp.Sum(w[m] * x[m], (m, 1, k)), w[j]))
    x[j]
    """
    for _ in range(10):
        new = _within_declared_ranges(_doit(expr))
        if new == expr:
            break
        expr = new
    if isinstance(expr, sp.MatrixExpr):
        expr = expr.as_explicit()
    return expr


def _doit(expr: sp.Basic) -> sp.Basic:
    """``expr.doit()``, except that a sum up to a symbolic n is not searched for a closed form.

    SymPy's search (Gosper's algorithm and others) finds nothing for sums of σ terms and takes
    seconds. A sum is evaluated only when its length is a number, when its terms do not depend
    on the index, or when they hold a Kronecker delta of the index (which picks out one term);
    a delta of another index, as in Σ_i f_i Σ_m δ_jm x_im, picks out nothing of this sum.
    """
    if not isinstance(expr, sp.Basic) or not expr.args or isinstance(expr, sp.Idx):
        return expr
    args = [_doit(arg) for arg in expr.args]
    node = expr.func(*args) if args != list(expr.args) else expr
    if isinstance(node, sp.Sum):
        f, limits = node.function, node.limits
        bounded = all(low.is_number and high.is_number for _, low, high in limits)
        indices = {index for index, _, _ in limits}
        picks = any(delta.free_symbols & indices for delta in f.atoms(sp.KroneckerDelta))
        if bounded or not (f.free_symbols & indices) or picks:
            return node.doit(deep=False)
        return node
    return node.doit(deep=False) if hasattr(node, "doit") else node


def _canonical_sums(expr: sp.Basic) -> sp.Basic:
    """``expr`` with the summed index of every sum renamed after what it sums.

    Σ_d q_d and Σ_d' q_d' are the same sum; SymPy sees two, and cannot cancel one against the
    other. Renaming bound indices (alpha-equivalence) changes no value: each sum's index is
    renamed after its range and its summand, so equal sums become one object wherever they
    stand, and a sum inside another keeps an index of its own.
    """
    if not isinstance(expr, sp.Basic) or not expr.args or isinstance(expr, sp.Idx):
        return expr
    args = [_canonical_sums(arg) for arg in expr.args]
    expr = expr.func(*args) if args != list(expr.args) else expr
    if not isinstance(expr, sp.Sum) or not all(isinstance(v, sp.Idx) for v, _, _ in expr.limits):
        return expr
    function, limits = expr.function, []
    for index, low, high in expr.limits:
        placeholder = sp.Idx("_", (low, high))
        summand = sp.srepr(function.xreplace({index: placeholder}))
        tag = hashlib.sha256(summand.encode()).hexdigest()[:8]
        canonical = sp.Idx(f"s{tag}", (low, high))
        function = function.xreplace({index: canonical})
        limits.append((canonical, low, high))
    return sp.Sum(function, *limits)


def _sums_factored(expr: sp.Basic) -> sp.Basic:
    """Every factor that does not depend on a sum's index moved out of the sum: Σ c f = c Σ f."""
    from sympy.simplify.simplify import factor_sum

    return expr.replace(lambda e: isinstance(e, sp.Sum), factor_sum)


@functools.lru_cache(maxsize=256)
def _evaluated_entries(expr: sp.Basic, side: str) -> tuple[tuple[int, ...], list[sp.Basic]]:
    # A chain checks each line twice, as the new side of one step and the previous side of the
    # next: evaluated once.
    return _entries(evaluate(expr), side)


def _is_zero_by_algebra(d: sp.Basic) -> bool:
    """Zero by expanding, or by putting over one denominator, after naming equal sums alike and
    moving out of each sum what does not depend on its index: exact, and far cheaper than
    ``simplify``, which most steps of the book do not need."""
    if sp.expand(d) == 0 or sp.cancel(d) == 0:
        return True
    if not d.has(sp.Sum):
        return False
    canonical = _canonical_sums(_sums_factored(_canonical_sums(d)))
    return bool(sp.expand(canonical) == 0 or sp.cancel(canonical) == 0)


def _is_zero_exactly(d: sp.Basic) -> bool:
    if d == 0 or sp.simplify(d) == 0:
        return True
    # Functions that declare how to write themselves with exp (σ does) get a second chance.
    rewritten = d.rewrite(sp.exp)
    return rewritten != d and sp.simplify(rewritten) == 0


def _check_numerically(
    a: sp.Basic,
    b: sp.Basic,
    sample: dict[sp.Basic, tuple[float, float]],
    seed: str,
    points: int = POINTS,
    rounds: int = 5,
) -> tuple[int, int]:
    """Compare ``a`` and ``b`` at random points with DIGITS digits; raise on a difference.

    Integer sizes (n, k) are drawn afresh in each of several rounds, free indices within their
    ranges, every other quantity from an interval its assumptions allow. Returns how many points
    were compared and how many were drawn (a pole or a non-finite value does not count).
    """
    rng = random.Random(seed)
    integers = sorted(
        (s for s in _symbols_with_bounds(a) | _symbols_with_bounds(b) if _is_integer_symbol(s)),
        key=str,
    )
    rounds = rounds if integers else 1
    compared = attempts = 0
    for r in range(rounds):
        sizes = {s: sp.Integer(_draw_integer(s, rng)) for s in integers}
        sized = [e.xreplace(sizes) for e in (a, b)]
        indices = {}  # one value per free index, the same on both sides
        for idx in sorted(_free_indices(sized[0]) | _free_indices(sized[1]), key=str):
            low, high = idx.lower, idx.upper
            if low is None or high is None or not (low.is_Integer and high.is_Integer):
                raise _Mismatch(f"undecided: the index {idx} has no numeric range to sample")
            indices[idx] = sp.Integer(rng.randint(int(low), int(high)))
        sides = [
            evaluate(e.xreplace({v: indices[v] for v in _free_indices(e)})).rewrite(sp.exp)
            for e in sized
        ]
        (shape_a, left), (shape_b, right) = (_entries(e, "side") for e in sides)
        if shape_a != shape_b:
            raise _Mismatch(f"the two sides have different shapes, {shape_a} and {shape_b}")
        names = sorted({*_leaves(left), *_leaves(right)}, key=sp.default_sort_key)
        if any(isinstance(s, sp.Idx) for s in names):
            raise _Mismatch("undecided: an index is both free and summed over")
        # Plain symbols with identifiers for names: lambdify renames Dummy arguments (and names
        # such as x^{(i)}_j) itself, rewriting the whole expression once per argument.
        arguments = [sp.Symbol(f"_xe{p}") for p in range(len(names))]
        to_argument = dict(zip(names, arguments, strict=True))
        f = sp.lambdify(arguments, [e.xreplace(to_argument) for e in left], modules="mpmath")
        g = sp.lambdify(arguments, [e.xreplace(to_argument) for e in right], modules="mpmath")
        target = points * (r + 1) // rounds
        while compared < target and attempts < 3 * points:
            attempts += 1
            with mpmath.workdps(DIGITS):
                values = [_draw_value(s, sample, rng) for s in names]
                try:
                    pairs = list(zip(f(*values), g(*values), strict=True))
                except (ZeroDivisionError, ValueError):
                    continue  # a pole or the edge of a domain: the identity is not at stake there
                if not all(mpmath.isfinite(p) and mpmath.isfinite(q) for p, q in pairs):
                    continue
                for p, q in pairs:
                    if abs(p - q) > TOLERANCE * max(1, abs(p), abs(q)):
                        point = ", ".join(
                            f"{s} = {mpmath.nstr(v, 8)}"
                            for s, v in [
                                *sizes.items(),
                                *indices.items(),
                                *zip(names, values, strict=True),
                            ]
                        )
                        raise _Mismatch(
                            f"the sides differ at {point}: "
                            f"{mpmath.nstr(p, 12)} against {mpmath.nstr(q, 12)}"
                        )
            compared += 1
    return compared, attempts


def _free_indices(expr: sp.Basic) -> set[sp.Idx]:
    """The indices not bound by a sum, including those only in ∂/∂w_j (free_symbols omits them)."""
    bound = {limit[0] for s in expr.atoms(sp.Sum, sp.Product) for limit in s.limits}
    return expr.atoms(sp.Idx) - bound


def _symbols_with_bounds(expr: sp.Basic) -> set[sp.Basic]:
    """Free symbols, including those in the ranges of indices (n in i = 1..n)."""
    found = set(expr.free_symbols)
    for idx in expr.atoms(sp.Idx):
        if idx.lower is not None:
            found |= idx.lower.free_symbols | idx.upper.free_symbols
    return found


def _leaves(entries: Iterable[sp.Basic]) -> set[sp.Basic]:
    """The free quantities to draw values for: symbols and concrete indexed entries."""
    out: set[sp.Basic] = set()
    for e in entries:
        out |= e.atoms(sp.Indexed, MatrixElement)
        out |= {s for s in e.free_symbols if isinstance(s, sp.Symbol)}
    # an Indexed's free symbols include its base's label, which is not a value of its own
    labels = {x.base.label for x in out if isinstance(x, sp.Indexed)}
    matrices = {x.parent for x in out if isinstance(x, MatrixElement)}
    return out - labels - matrices


def _is_integer_symbol(s: sp.Basic) -> bool:
    return isinstance(s, sp.Symbol) and not isinstance(s, sp.Idx) and bool(s.is_integer)


def _draw_integer(s: sp.Symbol, rng: random.Random) -> int:
    low = 1 if s.is_positive else 0 if s.is_nonnegative else -3
    return rng.randint(low, 5)


def _draw_value(s: sp.Basic, sample: Mapping[Any, tuple[float, float]], rng: random.Random) -> Any:
    key = s
    if isinstance(s, sp.Indexed) and s not in sample:
        # the base's shape has its sizes drawn (y of shape (4,), not (n,)): match by the label
        key = next((b for b in sample if getattr(b, "label", None) == s.base.label), s.base)
    if key in sample:
        low, high = sample[key]
    elif s.is_positive:
        low, high = 0.05, 4.0
    elif s.is_negative:
        low, high = -4.0, -0.05
    elif s.is_nonnegative:
        low, high = 0.0, 4.0
    else:
        low, high = -4.0, 4.0
    return mpmath.mpf(rng.uniform(low, high))


def _entries(expr: sp.Basic, side: str) -> tuple[tuple[int, ...], list[sp.Basic]]:
    if isinstance(expr, sp.MatrixExpr):
        expr = expr.as_explicit()
    if isinstance(expr, sp.MatrixBase) and expr.shape == (1, 1):
        expr = expr[0, 0]  # 1ᵀr is a number
    if isinstance(expr, sp.MatrixBase):
        return expr.shape, list(expr)
    if not isinstance(expr, sp.Expr):
        raise _Mismatch(f"the {side} side is not an expression: {expr!r}")
    return (), [expr]


def _within_declared_ranges(expr: sp.Basic) -> sp.Basic:
    """Replace ``lower <= j`` and ``j <= upper`` by true for every index j with a declared range.

    Summing a Kronecker delta gives Piecewise((x[j], j <= k), (0, True)); the range j = 1..k
    declared on the ``Idx`` settles the condition, which SymPy does not use on its own.
    """
    facts = {}
    for idx in expr.atoms(sp.Idx):
        if idx.lower is not None:
            facts[sp.Ge(idx, idx.lower, evaluate=False)] = sp.true
            facts[sp.Le(idx.lower, idx, evaluate=False)] = sp.true
        if idx.upper is not None:
            facts[sp.Le(idx, idx.upper, evaluate=False)] = sp.true
            facts[sp.Ge(idx.upper, idx, evaluate=False)] = sp.true
    return expr.xreplace(facts) if facts else expr


def _same_base(key: sp.Indexed) -> Callable[[sp.Basic], bool]:
    return lambda e: (
        isinstance(e, sp.Indexed) and e.base == key.base and len(e.indices) == len(key.indices)
    )


def _instantiate(key: sp.Indexed, definition: sp.Basic) -> Callable[[sp.Indexed], sp.Basic]:
    return lambda e: definition.xreplace(dict(zip(key.indices, e.indices, strict=True)))


def _checked_definitions(where: Definitions) -> tuple[tuple[sp.Basic, sp.Basic], ...]:
    pairs = tuple((sp.sympify(k), sp.sympify(v)) for k, v in where)
    for position, (key, definition) in enumerate(pairs):
        if not isinstance(key, (sp.Symbol, sp.MatrixSymbol, sp.Indexed)):
            raise TypeError(f"where: {key} must be a Symbol, MatrixSymbol or Indexed")
        for earlier_key, _ in pairs[: position + 1]:
            if _mentions(definition, earlier_key):
                raise ValueError(
                    f"where: the definition of {key} uses {earlier_key}, which is defined at "
                    "or before it; list definitions outermost first"
                )
    return pairs


def _mentions(expr: sp.Basic, key: sp.Basic) -> bool:
    if isinstance(key, sp.Indexed):
        return any(_same_base(key)(e) for e in sp.preorder_traversal(expr))
    return expr.has(key)


def _sympify(expr: Any, name: str) -> sp.Basic:
    try:
        return sp.sympify(expr, strict=True)
    except sp.SympifyError:
        raise TypeError(f"{name} must be a SymPy expression, got {type(expr).__name__}") from None
