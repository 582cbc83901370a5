"""The book's derivations, all of them: every topic imported, in the book's order.

What the command line lists and the tests build: the registry (:mod:`xentropy.registry`) holds
what the imported modules registered, and this imports every topic of :mod:`xentropy.symbolic`
first, so nothing is missing, and orders them as the book does. Kept apart from the topics, so
that a page that imports one topic imports only that one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from xentropy.registry import Entry, registered

if TYPE_CHECKING:
    from xentropy.derivation import Derivation

__all__ = ["TOPICS", "build", "derivations"]

#: The topics in the book's order: the order in which the command line lists the derivations.
TOPICS = ("neuron", "binary", "costs", "softmax", "network")


def derivations() -> dict[str, Entry]:
    """Every derivation of the book, by name, topic by topic in the book's order (imports SymPy).

    Examples
    --------
    >>> list(derivations())[:3]
    ['sigma-prime', 'dCx-dw', 'dCx-db']
    """
    package = __name__.rpartition(".")[0]
    modules = [importlib.import_module(f"{package}.{topic}").__name__ for topic in TOPICS]
    entries = registered().values()
    return {e.name: e for module in modules for e in entries if e.factory.__module__ == module}


def build(name: str) -> Derivation:
    """Build the derivation ``name``, checking every step again.

    Raises
    ------
    KeyError
        If ``name`` is not a derivation of the book; the message lists those that are.
    """
    entries = derivations()
    if name not in entries:
        raise KeyError(
            f"no derivation named {name!r}; the book's derivations are: {', '.join(entries)}"
        )
    return entries[name].build()
