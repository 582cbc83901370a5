"""The command line: list the book's derivations and print one as LaTeX for a report.

``python -m xentropy list`` prints one derivation a line, its name, then what it
derives. ``python -m xentropy latex NAME`` checks that derivation again, step by
step, and prints it as an amsmath ``equation`` holding the same ``aligned``
block the book displays, ready to paste into a LaTeX report.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

import xentropy

#: The modules whose ``DERIVATIONS`` the command line offers, in the book's order.
MODULES = ("xentropy.models", "xentropy.costs", "xentropy.multiclass", "xentropy.layers")


def _derivations() -> dict:
    """Every derivation of the book, by name; SymPy is imported only when this is called."""
    derivations: dict = {}
    for module in MODULES:
        for name, entry in importlib.import_module(module).DERIVATIONS.items():
            if name in derivations:
                raise RuntimeError(f"derivation {name!r} is defined twice (again in {module})")
            derivations[name] = entry
    return derivations


def latex_document_fragment(name: str) -> str:
    """The LaTeX of derivation ``name``: an ``equation`` around its ``aligned`` block.

    Raises
    ------
    KeyError
        If ``name`` is not a derivation of the book; the message lists those that are.

    Examples
    --------
    >>> print(latex_document_fragment("dCx-db"))  # doctest: +ELLIPSIS
    % dCx-db: ∂C_x/∂b = σ(z) − y for one example
    % Derived and checked by xentropy 0.1.0 (SymPy ...); requires \\usepackage{amsmath}
    \\begin{equation}
    \\label{eq:xentropy-dCx-db}
    \\begin{aligned}
    ...
    \\end{aligned}
    \\end{equation}
    """
    import sympy

    derivations = _derivations()
    if name not in derivations:
        known = ", ".join(derivations)
        raise KeyError(f"no derivation named {name!r}; the book's derivations are: {known}")
    description, factory = derivations[name]
    derivation = factory()
    return "\n".join(
        [
            f"% {name}: {description}",
            f"% Derived and checked by xentropy {xentropy.__version__} "
            f"(SymPy {sympy.__version__}); requires \\usepackage{{amsmath}}",
            "\\begin{equation}",
            f"\\label{{eq:xentropy-{name}}}",
            derivation.latex(),
            "\\end{equation}",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m xentropy",
        description="The derivations of the xentropy book, checked again when asked for.",
    )
    parser.add_argument("--version", action="version", version=f"xentropy {xentropy.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the derivations: name, then what it derives")
    latex = commands.add_parser("latex", help="print one derivation as amsmath LaTeX")
    latex.add_argument("name", help="a name that `list` prints")
    arguments = parser.parse_args(argv)

    if arguments.command == "list":
        derivations = _derivations()
        width = max(map(len, derivations))
        for name, (description, _) in derivations.items():
            print(f"{name:<{width}}  {description}")
        return 0
    try:
        print(latex_document_fragment(arguments.name))
    except KeyError as error:
        print(f"python -m xentropy latex: {error.args[0]}", file=sys.stderr)
        return 2
    return 0
