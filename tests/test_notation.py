"""One notation: every symbol is defined once, in xentropy.notation, and means one thing."""

from __future__ import annotations

import importlib
import types

import pytest
import sympy as sp
from sympy.tensor.indexed import IndexException

from xentropy import notation
from xentropy.latex import to_latex
from xentropy.symbolic.catalog import TOPICS

SYMBOLIC = [importlib.import_module(f"xentropy.symbolic.{topic}") for topic in TOPICS]
SYMBOL_KINDS = (sp.Symbol, sp.Idx, sp.IndexedBase)


def foreign_symbols(module: types.ModuleType) -> list[str]:
    """The SymPy symbols a module holds under a name that is not the notation's for them."""
    found = []
    for name, value in vars(module).items():
        if name.startswith("__") or not isinstance(value, SYMBOL_KINDS):
            continue
        if getattr(notation, name, None) is not value:
            found.append(f"{module.__name__}.{name} = {value!r}")
    return found


@pytest.mark.parametrize("module", SYMBOLIC, ids=lambda m: m.__name__)
def test_a_symbolic_module_defines_no_symbol_of_its_own(module: types.ModuleType) -> None:
    # Every symbol a module holds is the notation's, under the notation's name: the same name
    # means the same object in every module.
    assert foreign_symbols(module) == []


def test_the_check_sees_a_symbol_defined_again_with_another_meaning() -> None:
    planted = types.ModuleType("xentropy.symbolic.planted")
    planted.a = sp.IndexedBase("a", real=True)  # the notation's a is one neuron's output
    planted.w = notation.softmax_w  # a matrix under the vector's name
    planted.z = notation.z  # the notation's own: fine
    assert foreign_symbols(planted) == [
        "xentropy.symbolic.planted.a = a",
        "xentropy.symbolic.planted.w = w",
    ]


def test_a_weight_vector_cannot_be_indexed_as_a_matrix() -> None:
    with pytest.raises(IndexException, match="Rank mismatch"):
        notation.w[notation.c, notation.j]
    with pytest.raises(IndexException, match="Rank mismatch"):
        notation.softmax_w[notation.j]


def test_every_entry_of_the_table_is_written_differently() -> None:
    written = [to_latex(entry.symbol) for entry in notation.TABLE]
    repeated = {w for w in written if written.count(w) > 1}
    # x^{(i)}_j is listed for one neuron and again for the training set, on purpose.
    assert repeated == {to_latex(notation.x[notation.i, notation.j])}
    assert all(entry.meaning and entry.kind for entry in notation.TABLE)


def test_the_example_is_a_superscript_and_other_indices_are_subscripts() -> None:
    i, j, c = notation.i, notation.j, notation.c
    assert to_latex(notation.x[i, j]) == "x^{(i)}_{j}"
    assert to_latex(notation.x[2, 1]) == "x^{(2)}_{1}"
    assert to_latex(notation.C_x[i]) == "C_{x^{(i)}}"
    assert to_latex(notation.softmax_a[i, c]) == "a^{(i)}_{c}"
    assert to_latex(notation.softmax_w[c, j]) == "w_{cj}"
    assert to_latex(notation.a_out[c]) == "a^{L}_{c}"
    # Nielsen's form, one example: the superscript left out.
    assert to_latex(notation.x[i, j], implicit_index=notation.NIELSEN) == "x_{j}"
    assert to_latex(notation.C_x[i], implicit_index=notation.NIELSEN) == "C_{x}"


def test_delta_is_only_an_error_and_the_entrywise_product_is_odot() -> None:
    c, d = notation.c, notation.d
    assert to_latex(sp.KroneckerDelta(c, d)) == "[c = d]"
    A, B = sp.MatrixSymbol("A", 2, 1), sp.MatrixSymbol("B", 2, 1)
    assert to_latex(sp.HadamardProduct(A, B)) == r"A \odot B"
