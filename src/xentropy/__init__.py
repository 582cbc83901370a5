"""The gradient of the cross-entropy cost, derived with SymPy and confirmed with NumPy.

``xentropy`` is the package under the book: ``xentropy.derivation`` holds the
checked-derivation engine, ``xentropy.models`` the SymPy definitions the book
derives from, ``xentropy.gradcheck`` the gradient checks, and the NumPy core
(``xentropy.numeric``, re-exported here) computes the cost and its gradient for
real data. Importing ``xentropy`` does not import SymPy.

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

from .gradcheck import check_gradient
from .numeric import cost, gradient, sigmoid

__version__ = "0.1.0"

__all__ = ["__version__", "check_gradient", "cost", "gradient", "sigmoid"]
