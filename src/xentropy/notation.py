r"""Every symbol of the book, defined once: the SymPy objects the derivations are written with.

One sigmoid neuron (logistic regression) trained on n examples with k features each. For example
i = 1, …, n and feature j = 1, …, k: :math:`z_i = \sum_{m=1}^{k} w_m x_{im} + b` is the
weighted input, :math:`a_i = \sigma(z_i)` the output, :math:`C_{x_i}` the cost of example i and
C the mean of those costs. Every quantity is real (``real=True``); n and k are positive
integers; the indices carry their ranges (``Idx``), which the checks use.

Nielsen writes the same with the example index left out (:math:`x_j`, :math:`z`, :math:`a`,
:math:`\sum_x`); :data:`NIELSEN` prints an expression that way.
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "C_0",
    "NIELSEN",
    "C",
    "C_swapped",
    "C_x",
    "Q",
    "Q_x",
    "a",
    "b",
    "eta",
    "i",
    "j",
    "k",
    "lam",
    "m",
    "n",
    "w",
    "x",
    "y",
    "z",
]

# -- sizes and indices -----------------------------------------------------------------------

n = sp.Symbol("n", integer=True, positive=True)  # number of training examples
k = sp.Symbol("k", integer=True, positive=True)  # number of features of each example
i = sp.Idx("i", (1, n))  # which example
j = sp.Idx("j", (1, k))  # which feature (weight)
m = sp.Idx("m", (1, k))  # the feature summed over in z, kept apart from j

# -- one neuron --------------------------------------------------------------------------------

w = sp.IndexedBase("w", real=True)  # w[m]: the weights, one per feature
x = sp.IndexedBase("x", real=True)  # x[i, m]: feature m of example i
y = sp.IndexedBase("y", real=True)  # y[i]: the label of example i (0 or 1, or a soft label)
z = sp.IndexedBase("z", real=True)  # z[i]: the weighted input of example i
a = sp.IndexedBase("a", real=True)  # a[i]: the neuron's output for example i
C_x = sp.IndexedBase("C_x", real=True)  # C_x[i]: the cost of example i
b = sp.Symbol("b", real=True)  # the bias
C = sp.Symbol("C", real=True)  # the cost: the mean of the C_x[i]

#: Leave the example index out, as Nielsen does: ``to_latex(e, implicit_index=NIELSEN)``.
NIELSEN = (i, "x")

# -- other costs, and training -----------------------------------------------------------------

Q_x = sp.IndexedBase("Q_x", real=True)  # Q_x[i]: the quadratic cost of example i
Q = sp.Symbol("Q", real=True)  # the quadratic cost: the mean of the Q_x[i]
C_0 = sp.Symbol("C_0", real=True)  # the cost before regularization: the cross-entropy
lam = sp.Symbol("lambda", positive=True)  # the regularization parameter λ
eta = sp.Symbol("eta", positive=True)  # the learning rate η
C_swapped = sp.IndexedBase(r"\tilde{C}_x", real=True)  # the cost with a and y swapped
