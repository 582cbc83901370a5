"""The registry of the book's derivations: every one is named once, labelled by its name, and
checked as the book says; which steps are only checked numerically is pinned here."""

from __future__ import annotations

import pytest
import sympy as sp

from xentropy import registry
from xentropy.derivation import CHECKED_NUMERICALLY
from xentropy.derivation import PROVEN
from xentropy.derivation import Derivation
from xentropy.symbolic import catalog

NAMES = list(catalog.derivations())

#: The steps SymPy cannot decide, checked at random points instead: (derivation, step number).
#: Each would be stated on its page as "checked numerically"; a step that stops being provable
#: must be added here, with the reason. Three were (Σ_l y_l = 1 with K a symbol) until the
#: engine renamed summed indices.
CHECKED_ONLY_NUMERICALLY: set[tuple[str, int]] = set()


def test_the_book_has_its_derivations_in_the_order_of_its_topics() -> None:
    modules = [catalog.derivations()[name].factory.__module__ for name in NAMES]
    topics = [module.rpartition(".")[2] for module in modules]
    assert topics == sorted(topics, key=catalog.TOPICS.index)
    assert NAMES[:3] == ["sigma-prime", "dCx-dw", "dCx-db"]
    assert len(NAMES) == len(set(NAMES)) == 37


@pytest.mark.parametrize("name", NAMES)
def test_each_derivation_is_labelled_by_its_name_and_checked_as_pinned(name: str, built) -> None:
    d = built(name)
    assert isinstance(d, Derivation)
    assert d.label == name
    numeric = {(name, s.number) for s in d.steps if s.verified == CHECKED_NUMERICALLY}
    assert numeric == {pair for pair in CHECKED_ONLY_NUMERICALLY if pair[0] == name}
    assert {s.verified for s in d.steps} <= {PROVEN, CHECKED_NUMERICALLY}
    tex = d.latex()
    for s in d.steps:
        assert s.reason.replace("%", r"\%").replace("&", r"\&") in tex
    assert tex.count("(checked numerically)") == len(numeric)
    assert r"\left(-1\right)" not in tex  # −Σ printed as such, not (−1) Σ


@pytest.mark.parametrize("name", NAMES)
def test_each_derivation_rebuilds_unchanged(name: str, built) -> None:
    # Rebuilding with a step given as itself passes: what makes the wrong steps of the topic
    # tests fail is the wrong step, not the rebuilding.
    d = built(name)
    last = max(s.number for s in d.steps)
    assert d.with_step(last, d.result).latex() == d.latex()


def test_an_unknown_name_is_refused_with_the_names_there_are() -> None:
    with pytest.raises(KeyError, match=r"no derivation named 'dC-dW'; .* are: sigma-prime, dCx"):
        catalog.build("dC-dW")


def test_a_name_registered_twice_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^derivation 'sigma-prime' is defined twice$"):
        registry.derivation("sigma-prime", "again")(lambda: None)


def test_a_derivation_built_directly_is_labelled_by_its_name_too() -> None:
    from xentropy.symbolic import neuron
    from xentropy.symbolic import softmax

    assert neuron.dC_db_single_example().label == "dCx-db"
    assert softmax.dC_dz_softmax(3).label == "softmax-dCx-dz-3"  # registered with classes=3
    assert catalog.derivations()["softmax-dCx-dz-3"].build().label == "softmax-dCx-dz-3"


def test_a_label_given_explicitly_wins_and_none_is_given_outside_the_registry() -> None:
    t = sp.Symbol("t", real=True)
    assert Derivation(t).label is None
    from xentropy.derivation import default_label

    with default_label("outer"), default_label("inner"):
        assert Derivation(t).label == "outer"
        assert Derivation(t, label="mine").label == "mine"
