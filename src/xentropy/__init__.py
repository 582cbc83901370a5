"""The gradient of the cross-entropy cost, derived with SymPy and confirmed with NumPy.

``xentropy`` is the package under the book: ``xentropy.derivation`` holds the
checked-derivation engine, ``xentropy.models`` the SymPy definitions the book
derives from, and the NumPy core (re-exported here) computes the cost and its
gradient for real data. Importing ``xentropy`` does not import SymPy.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
