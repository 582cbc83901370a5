"""The gradient of the cross-entropy cost, derived with SymPy and confirmed with NumPy.

``xentropy`` is the package under the book. Each topic has two halves: the SymPy definitions and
checked derivations in :mod:`xentropy.symbolic`, and the NumPy cost and gradient in
:mod:`xentropy.numeric`. The one neuron's numeric half is re-exported here, and
:func:`check_latex`, which checks a derivation of your own (:mod:`xentropy.check`); importing
``xentropy`` does not import SymPy.

Examples
--------
>>> import numpy as np
>>> import xentropy
>>> X = np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.0]])
>>> y = np.array([1.0, 0.0, 1.0])
>>> grad_w, grad_b = xentropy.gradient(np.zeros(2), 0.0, X, y)
>>> grad_w, grad_b
(array([ 0.1666..., -0.5 ...]), -0.1666...)
"""

from typing import TYPE_CHECKING, Any

from xentropy.numeric.binary import sigmoid
from xentropy.numeric.neuron import check_gradient, cost, grade, gradient

if TYPE_CHECKING:
    from xentropy.check import Report

__version__ = "0.1.0"

__all__ = ["__version__", "check_gradient", "check_latex", "cost", "grade", "gradient", "sigmoid"]


def check_latex(text: str, *, like: Any = None) -> "Report":
    """Check every step of your own derivation, LaTeX or Markdown (:mod:`xentropy.check`).

    Imports SymPy when called, not when ``xentropy`` is imported.
    """
    from xentropy.check import check_latex as check

    return check(text, like=like)
