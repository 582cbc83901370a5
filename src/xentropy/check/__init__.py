r"""Check your own derivation: a student's LaTeX, step by step, in the book's notation.

``check_latex(text)`` finds the displays of a LaTeX or Markdown text, reads each line
``lhs &= rhs`` in Nielsen's one-neuron notation (or in the notation of a derivation of the book)
and checks every step with the book's engine, against the line before and the definitions.
``python -m xentropy check FILE`` does the same from the command line.

The parts, each importing only those above it:

- :mod:`~xentropy.check.displays`: the displays, lines and sides of a file;
- :mod:`~xentropy.check.vocabulary`: what each symbol's LaTeX means, read from the book's printer;
- :mod:`~xentropy.check.reader`: one side of an equation, read into SymPy (a Lark grammar);
- :mod:`~xentropy.check.hints`: the usual mistakes, recognised in a wrong step;
- :mod:`~xentropy.check.report`: the check of every step, and its report.
"""

from xentropy.check.reader import ReadError
from xentropy.check.report import Report, StepReport, check_latex

__all__ = ["ReadError", "Report", "StepReport", "check_latex"]
