"""The gradient of the cross-entropy cost, derived with SymPy and confirmed with NumPy.

``xentropy`` is the package under the book. Each topic has two halves: the SymPy definitions and
checked derivations in :mod:`xentropy.symbolic`, and the NumPy cost and gradient in
:mod:`xentropy.numeric`. The one neuron's numeric half is re-exported here; importing
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

from xentropy.numeric.binary import sigmoid
from xentropy.numeric.neuron import check_gradient, cost, grade, gradient

__version__ = "0.1.0"

__all__ = ["__version__", "check_gradient", "cost", "grade", "gradient", "sigmoid"]
