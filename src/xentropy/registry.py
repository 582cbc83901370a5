"""The book's derivations by name: what the command line lists and the pages cite.

A function that builds a derivation is registered where it is written, with the name readers
use and one line saying what it derives::

    @derivation("dCx-db", "∂C_x/∂b = σ(z) − y for one example")
    def dCx_db() -> Derivation:
        ...

That is the one edit that adds a derivation to the book's list. The name also becomes the
derivation's label, the one its errors report (a :class:`~xentropy.derivation.Derivation`
built without a label while the function runs takes it). The same function can be registered
again under another name with fixed arguments (``classes=3``). :func:`registered` holds what
the modules imported so far have registered; :func:`xentropy.symbolic.catalog.derivations`
imports every topic and lists them all in the book's order. Importing this module does not
import SymPy.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from xentropy.derivation import Derivation

__all__ = ["Entry", "derivation", "registered"]

F = TypeVar("F", bound="Callable[..., Derivation]")


@dataclass(frozen=True)
class Entry:
    """One registered derivation.

    Attributes
    ----------
    name : str
        What readers call it: ``python -m xentropy latex NAME``.
    description : str
        What it derives, in one line.
    factory : callable
        The function that builds and checks it.
    arguments : dict
        The arguments ``factory`` is called with.
    """

    name: str
    description: str
    factory: Callable[..., Derivation]
    arguments: dict[str, Any] = field(default_factory=dict)

    def build(self) -> Derivation:
        """Build the derivation, checking every step again."""
        return self.factory(**self.arguments)


_ENTRIES: dict[str, Entry] = {}


def derivation(name: str, description: str, **arguments: Any) -> Callable[[F], F]:
    """Register the decorated function as the derivation ``name``; calls to it get that label.

    Parameters
    ----------
    name : str
        The derivation's name, unique in the book.
    description : str
        What it derives, in one line.
    **arguments
        Arguments to call the function with for this name; with arguments, the function is
        returned unchanged (register it without arguments under its own name first).

    Raises
    ------
    ValueError
        If ``name`` is already registered.
    """

    def register(factory: F) -> F:
        if name in _ENTRIES:
            raise ValueError(f"derivation {name!r} is defined twice")
        if arguments:
            _ENTRIES[name] = Entry(name, description, _labelled(factory, name), arguments)
            return factory
        labelled = _labelled(factory, name)
        _ENTRIES[name] = Entry(name, description, labelled)
        return labelled

    return register


def _labelled(factory: F, name: str) -> F:
    @functools.wraps(factory)
    def build(*args: Any, **kwargs: Any) -> Derivation:
        from xentropy.derivation import default_label

        with default_label(name):
            return factory(*args, **kwargs)

    return cast(F, build)


def registered() -> dict[str, Entry]:
    """The derivations registered so far, by name, in the order they were registered."""
    return dict(_ENTRIES)
