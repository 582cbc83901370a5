"""The command line: list the book's derivations, print one as LaTeX, check your own.

``python -m xentropy list`` prints one derivation a line, its name, then what it
derives. ``python -m xentropy latex NAME`` checks that derivation again, step by
step, and prints it as an amsmath ``equation`` holding the same ``aligned``
block the book displays, ready to paste into a LaTeX report. ``python -m xentropy
check FILE`` checks every step of the derivations in a LaTeX or Markdown file
(:mod:`xentropy.check`): exit status 0 when every step holds, 1 at a wrong step,
2 for input it cannot read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import xentropy
from xentropy.symbolic import catalog

if TYPE_CHECKING:
    from xentropy.derivation import Derivation


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
    % Checked by xentropy 0.1.0 with SymPy ...: all 3 steps proven exactly; requires ...{amsmath}
    \\begin{equation}
    \\label{eq:xentropy-dCx-db}
    \\begin{aligned}
    ...
    \\end{aligned}
    \\end{equation}
    """
    import sympy

    derivation = catalog.build(name)
    description = catalog.derivations()[name].description
    return "\n".join(
        [
            f"% {name}: {description}",
            f"% Checked by xentropy {xentropy.__version__} with SymPy {sympy.__version__}: "
            f"{_verdict(derivation)}; requires \\usepackage{{amsmath}}",
            "\\begin{equation}",
            f"\\label{{eq:xentropy-{name}}}",
            derivation.latex(),
            "\\end{equation}",
        ]
    )


def check_file(path: str, like: str | None = None) -> int:
    """Check the derivation in the file ``path`` (``-``: standard input), print the report and
    return the exit status: 0 when every step holds, 1 at a wrong step, 2 for unreadable input."""
    from xentropy.check import ReadError, check_latex

    name = "standard input" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        report = check_latex(text, like=like)
    except (OSError, UnicodeDecodeError) as error:
        print(f"python -m xentropy check: cannot read {name}: {error}", file=sys.stderr)
        return 2
    except ReadError as error:
        print(f"python -m xentropy check: {name}, {error}", file=sys.stderr)
        return 2
    except KeyError as error:
        print(f"python -m xentropy check: --as: {error.args[0]}", file=sys.stderr)
        return 2
    print(report)
    return report.exit_code


def _verdict(derivation: Derivation) -> str:
    """How the derivation's steps were checked, counted: "all 4 steps proven exactly"."""
    steps = derivation.steps  # the opening line, lhs = start, is checked too
    from xentropy.derivation import CHECKED_NUMERICALLY, DIGITS, POINTS

    numeric = [s.number for s in steps if s.verified == CHECKED_NUMERICALLY]
    if not numeric:
        return f"all {len(steps)} steps proven exactly"
    where = ", ".join(f"step {n}" if n else "the opening line" for n in numeric)
    return (
        f"{len(steps) - len(numeric)} of {len(steps)} steps proven exactly, {where} checked "
        f"numerically at {POINTS} random points to {DIGITS} digits"
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
    check = commands.add_parser(
        "check",
        help="check every step of your own derivation (LaTeX or Markdown)",
        description="Check every step of the derivations in FILE: exit status 0 when every "
        "step holds, 1 at a wrong step, 2 for input that cannot be read.",
    )
    check.add_argument("file", help="a .tex or .md file, or - for standard input")
    check.add_argument(
        "--as",
        dest="like",
        metavar="NAME",
        help="read in the notation of the book's derivation NAME (a name `list` prints) "
        "instead of Nielsen's one-neuron notation",
    )
    arguments = parser.parse_args(argv)

    if arguments.command == "check":
        return check_file(arguments.file, arguments.like)

    if arguments.command == "list":
        derivations = catalog.derivations()
        width = max(map(len, derivations))
        for name, entry in derivations.items():
            print(f"{name:<{width}}  {entry.description}")
        return 0
    try:
        print(latex_document_fragment(arguments.name))
    except KeyError as error:
        print(f"python -m xentropy latex: {error.args[0]}", file=sys.stderr)
        return 2
    return 0
