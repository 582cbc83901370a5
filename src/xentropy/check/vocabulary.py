r"""What the checker's reader knows: each symbol of a notation, by the LaTeX the book prints for it.

A reader of LaTeX must turn ``x_{j}`` into ``x[i, j]`` and ``C_{x}`` into ``C_x[i]``. Rather
than a table typed by hand, a :class:`Vocabulary` is made from SymPy objects and the book's
printer (:mod:`xentropy.latex`): each symbol, and each indexed symbol with every index the
notation has (and the numbers 1 to 9), is printed in the explicit form and in the form that
leaves the example index out, and what was printed is what is read back. When the notation
module or the printer changes, what the checker reads changes with it.

:func:`nielsen` is the one-neuron notation of Nielsen's chapter 3 that students write;
:func:`of_derivation` is the notation of any derivation of the book (its symbols, indices and
definitions), for derivations written in another notation (softmax, a network's layers,
matrices).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sympy as sp

from xentropy.derivation import Derivation
from xentropy.latex import Definitions, printer
from xentropy.notation import (
    NIELSEN,
    TABLE,
    C,
    C_x,
    Meaning,
    Q,
    Q_x,
    a,
    b,
    i,
    j,
    k,
    m,
    n,
    w,
    x,
    y,
    z,
)
from xentropy.symbolic.costs import QUADRATIC_DEFINITIONS
from xentropy.symbolic.neuron import DEFINITIONS

__all__ = ["Vocabulary", "accepted", "latex_key", "nielsen", "of_derivation", "subscripted"]

#: Numbers an index may be written as: x^{(2)}_1 is x[2, 1].
NUMBERED = range(1, 10)

_TOKEN = re.compile(r"\\[a-zA-Z]+|\\.|\S")
# Size and spacing commands change how a formula looks, not what it says.
_IGNORED = re.compile(
    r"\\(left|right|[bB]igg?[lr]?|middle|displaystyle|limits|nolimits|[,;:! ]|q?quad)$"
)
_SAME = {r"\boldsymbol": r"\mathbf", r"\bm": r"\mathbf", r"\log": r"\ln"}

Key = tuple[str, ...]


def latex_key(tex: str) -> Key:
    r"""What LaTeX says, without what changes only its looks: spaces, \left, braces around a token.

    Examples
    --------
    >>> latex_key(r"C_{x_{i}}") == latex_key(r"C_{x_i}")
    True
    >>> latex_key(r"w^{L}_{jk}")
    ('w', '^', 'L', '_', '{', 'j', 'k', '}')
    """
    tokens = [_SAME.get(t, t) for t in _TOKEN.findall(tex) if not _IGNORED.match(t)]
    changed = True
    while changed:
        changed = False
        for p in range(len(tokens) - 2):
            if tokens[p] == "{" and tokens[p + 2] == "}" and tokens[p + 1] not in "{}":
                tokens[p : p + 3] = [tokens[p + 1]]
                changed = True
                break
    return tuple(tokens)


@dataclass(frozen=True)
class Vocabulary:
    r"""The symbols, indices and definitions of one notation, as a reader of its LaTeX needs them.

    Attributes
    ----------
    name : str
        The notation, in words, for messages: "Nielsen's one-neuron notation".
    symbols : mapping
        What each piece of LaTeX (its :func:`latex_key`) stands for.
    indices : mapping
        The indices a sum may run over, by name; the implicit example index also by its label
        (``x`` in :math:`\sum_x`).
    where : definitions
        The definitions every step is checked with.
    sample : mapping
        Intervals for the numeric check, as :class:`~xentropy.derivation.Derivation` takes them.
    examples : tuple of str
        A few symbols as the notation writes them, to say what was expected.
    given : mapping
        Results already derived (a derivation's lemmas), used as given in every step.
    """

    name: str
    symbols: Mapping[Key, sp.Basic]
    indices: Mapping[str, sp.Idx]
    where: Definitions = ()
    sample: Mapping[sp.Basic, tuple[float, float]] = field(default_factory=dict)
    examples: tuple[str, ...] = ()
    given: Mapping[sp.Basic, sp.Basic] = field(default_factory=dict)

    def get(self, tex: str) -> sp.Basic | None:
        """The object ``tex`` stands for, or None."""
        return self.symbols.get(latex_key(tex))


def _atoms(exprs: Iterable[sp.Basic]) -> list[sp.Basic]:
    """The named quantities of ``exprs``, in the order they appear, each once."""
    seen: dict[sp.Basic, None] = {}
    kinds = (sp.Indexed, sp.MatrixSymbol, sp.KroneckerDelta, sp.Symbol)
    for e in exprs:
        # the names of indexed quantities and of indices are not quantities of their own
        labels = {s.base.label for s in e.atoms(sp.Indexed)} | {s.label for s in e.atoms(sp.Idx)}
        for node in sp.preorder_traversal(e):
            if isinstance(node, kinds) and not isinstance(node, (sp.Dummy, sp.Idx)):
                if node not in labels:
                    seen.setdefault(node, None)
            elif isinstance(node, sp.matrices.expressions.special.OneMatrix):
                seen.setdefault(node, None)
    return list(seen)


# The example as the book writes it, x^{(i)}_j, and as a subscript before the others, x_{ij}.
# Only an index letter moves: a numbered subscript (a_1) numbers a feature or a class in the
# book's notation, so it is never read as example 1.
_EXAMPLE_ABOVE = re.compile(r"\^\{\((?P<example>[a-zA-Z]+'?)\)\}(?:_\{(?P<below>[^{}]*)\})?")


def subscripted(tex: str) -> str:
    r"""``tex`` with the example index written first among the subscripts, as many courses do;
    an example given as a number keeps its superscript.

    Examples
    --------
    >>> subscripted(r"x^{(i)}_{j}"), subscripted(r"C_{x^{(i)}}"), subscripted(r"z^{(2)}")
    ('x_{ij}', 'C_{x_{i}}', 'z^{(2)}')
    """

    def below(found: re.Match[str]) -> str:
        parts = [found["example"], *([found["below"]] if found["below"] else [])]
        return "_{" + ("" if all(len(p) == 1 for p in parts) else ",").join(parts) + "}"

    return _EXAMPLE_ABOVE.sub(below, tex)


def build(
    name: str,
    exprs: Iterable[sp.Basic],
    where: Definitions,
    *,
    implicit: tuple[sp.Idx, str] | None,
    sample: Mapping[sp.Basic, tuple[float, float]] | None = None,
    given: Mapping[sp.Basic, sp.Basic] | None = None,
) -> Vocabulary:
    """A vocabulary for the quantities of ``exprs`` and ``where``, printed as the book prints
    (the example index above, :math:`x^{(i)}_j`, or left out, :math:`x_j`) and with the example
    index as the first subscript (:math:`x_{ij}`, :math:`C_{x_i}`), which a student may write."""
    pairs = tuple(where)
    everything = [*exprs, *(p for pair in pairs for p in pair)]
    atoms = _atoms(everything)
    indices = sorted({ix for e in everything for ix in e.atoms(sp.Idx)}, key=str)
    prints = [printer(None)] + ([printer(implicit)] if implicit else [])
    symbols: dict[Key, sp.Basic] = {}

    def learn(obj: sp.Basic) -> None:
        for tex in prints:
            symbols.setdefault(latex_key(tex(obj)), obj)

    for atom in atoms:  # the quantities as written first: they win where two print alike
        learn(atom)
    # an index may also be a size (w_k, the last weight) or a number (x^{(2)}_1, w_1)
    sizes = [s for s in atoms if isinstance(s, sp.Symbol) and s.is_integer]
    candidates: list[sp.Basic] = [*indices, *sizes, *map(sp.Integer, NUMBERED)]
    families = {(e.base, len(e.indices)) for e in atoms if isinstance(e, sp.Indexed)}
    for base, arity in sorted(families, key=str):
        for combo in itertools.product(candidates, repeat=arity):
            learn(base[combo])
    if any(isinstance(e, sp.KroneckerDelta) for e in atoms):
        for u, v in itertools.product(indices, repeat=2):
            if u != v:
                learn(sp.KroneckerDelta(u, v))
    # the subscript forms last: the book's own forms win where one reads as both
    for obj in list(symbols.values()):
        symbols.setdefault(latex_key(subscripted(prints[0](obj))), obj)
    known = {ix.name: ix for ix in indices}
    if implicit:
        known[implicit[1]] = implicit[0]
    examples = tuple(dict.fromkeys(prints[-1](e) for e in atoms))
    return Vocabulary(name, symbols, known, pairs, dict(sample or {}), examples, dict(given or {}))


def nielsen() -> Vocabulary:
    r"""Nielsen's one-neuron notation: :math:`x_j`, :math:`w_j`, :math:`b`, :math:`z`, :math:`a`,
    :math:`y`, :math:`C_x`, :math:`C`, the quadratic cost's :math:`Q_x` and :math:`Q`, sums over
    the examples (:math:`\sum_x` or :math:`\sum_i`) and over the features, with the definitions
    of :mod:`xentropy.symbolic.neuron` and the quadratic cost of :mod:`xentropy.symbolic.costs`.

    Examples
    --------
    >>> v = nielsen()
    >>> v.get("x_j"), v.get("x_{ij}"), v.get(r"C_{x}"), v.get(r"C_{x_i}")
    (x[i, j], x[i, j], C_x[i], C_x[i])
    """
    where = (*QUADRATIC_DEFINITIONS[:2], *DEFINITIONS)
    shown = [x[i, j], w[j], b, z[i], a[i], y[i], C_x[i], C, Q_x[i], Q, n, k, m]
    # a label lies in [0, 1] (notation.TABLE), where ln y and ln(1 - y) are real
    labels = {y: (0.05, 0.95)}
    return build("Nielsen's one-neuron notation", shown, where, implicit=NIELSEN, sample=labels)


def of_derivation(d: Derivation, name: str) -> Vocabulary:
    """The notation of the derivation ``d`` of the book, registered as ``name``: its symbols,
    indices, definitions and sampling intervals, printed as its own LaTeX prints them."""
    lines = [d.start, *([d.lhs] if d.lhs is not None else []), *(s.expr for s in d.steps)]
    return build(
        f"the notation of derivation {name!r}",
        lines,
        d.where,
        implicit=d.implicit_index,
        sample=d.sample,
        given={lemma.lhs: lemma.result for lemma in d.lemmas},
    )


def accepted(vocabulary: Vocabulary) -> list[tuple[Meaning, tuple[str, ...]]]:
    r"""The lines of the book's notation table (:data:`xentropy.notation.TABLE`) that
    ``vocabulary`` reads, each with the LaTeX it reads the symbol in: as the book prints it, with
    the example left out as Nielsen writes it, and with the example as the first subscript.

    Every form listed is read back as the symbol, so the list cannot promise more than is read.

    Examples
    --------
    >>> [forms for meaning, forms in accepted(nielsen()) if meaning.symbol == x[i, j]][0]
    ('x^{(i)}_{j}', 'x_{j}', 'x_{ij}')
    """
    printers = (printer(None), printer(NIELSEN))
    out: list[tuple[Meaning, tuple[str, ...]]] = []
    seen: set[sp.Basic] = set()
    for meaning in TABLE:
        if meaning.symbol in seen:
            continue
        book, nielsens = (tex(meaning.symbol) for tex in printers)
        forms = tuple(
            form
            for form in dict.fromkeys((book, nielsens, subscripted(book)))
            if vocabulary.get(form) == meaning.symbol
        )
        if forms:
            seen.add(meaning.symbol)
            out.append((meaning, forms))
    return out
