"""The reader's vocabulary comes from the book's printer: every quantity of every derivation,
printed as the book prints it, is read back as itself; a quantity the printer writes another way
is read that way, with nothing typed twice."""

from __future__ import annotations

import pytest
import sympy as sp

from xentropy.check.reader import read
from xentropy.check.vocabulary import build
from xentropy.check.vocabulary import latex_key
from xentropy.check.vocabulary import nielsen
from xentropy.check.vocabulary import of_derivation
from xentropy.latex import printer
from xentropy.notation import NIELSEN
from xentropy.notation import i
from xentropy.notation import j
from xentropy.notation import n
from xentropy.symbolic import catalog

DERIVATIONS = catalog.derivations()


@pytest.mark.slow  # every derivation of the book built again: the slow tier
@pytest.mark.parametrize("name", list(DERIVATIONS))
def test_every_quantity_of_a_derivation_reads_back_as_itself(name: str, built) -> None:
    d = built(name)
    vocabulary = of_derivation(d, name)
    tex = printer(d.implicit_index)
    quantities = {
        e
        for s in [d.start, *(step.expr for step in d.steps)]
        for e in s.atoms(sp.Indexed, sp.MatrixSymbol, sp.KroneckerDelta)
    }
    assert quantities
    for quantity in quantities:
        assert read(tex(quantity), vocabulary) == quantity, tex(quantity)


def test_the_reader_follows_the_printer() -> None:
    # An example index printed as a superscript, x^{(i)}_j: no table to change, it is read.
    example = sp.IndexedBase("x^{(i)}", real=True)
    feature = sp.Idx("j", (1, sp.Symbol("k", integer=True, positive=True)))
    vocabulary = build("a test notation", [example[feature]], (), implicit=None)
    assert vocabulary.get(r"x^{(i)}_{j}") == example[feature]
    assert vocabulary.get(r"x_j^{(i)}") is None  # the key is as printed; the reader reorders
    assert read(r"x_j^{(i)}", vocabulary) == example[feature]


def test_keys_ignore_only_what_changes_the_looks() -> None:
    assert latex_key(r"\left( x_{j} \right)") == latex_key("(x_j)")
    assert latex_key(r"\boldsymbol{w}") == latex_key(r"\mathbf{w}")
    assert latex_key("x_{ij}") != latex_key("x_{ji}")


def test_nielsens_notation_leaves_the_example_index_out_and_knows_it_written_out() -> None:
    vocabulary = nielsen()
    assert vocabulary.indices["x"] == NIELSEN[0] == i
    for tex in (r"x_j", r"x_{ij}", r"x_{i j}", r"x_{i,j}"):
        assert vocabulary.get(tex) is not None or tex == r"x_{i,j}", tex
    assert vocabulary.get(r"x_{ij}") == vocabulary.get("x_j")
    assert n in vocabulary.symbols.values()
    assert j in vocabulary.indices.values()


def test_the_accepted_notation_is_the_books_table_cut_to_what_is_read() -> None:
    from xentropy.check.vocabulary import accepted
    from xentropy.notation import TABLE

    v = nielsen()
    listed = accepted(v)
    nielsens = {forms[1] if len(forms) > 1 else forms[0] for _, forms in listed}
    # what issue 16 lists as the notation a student writes
    assert {"x_{j}", "w_{j}", "b", "z", "a", "y", "C_{x}", "C", "n", "k"} <= nielsens
    assert all(meaning in TABLE for meaning, _ in listed)
    assert all(v.get(form) == meaning.symbol for meaning, forms in listed for form in forms)
    # a symbol the notation does not read (the softmax's weights) is not listed
    assert all(meaning.group in ("one neuron", "the training set") for meaning, _ in listed)
