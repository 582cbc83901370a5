r"""Every symbol of the book, defined once: one letter, one meaning, each declared to SymPy.

The letters follow Nielsen's *Neural Networks and Deep Learning* wherever that leaves each letter
one meaning; where it does not, the book chooses:

- a **subscript** always numbers a feature (j, m), a class or output neuron (c, d) or a hidden
  neuron (u): :math:`x_j`, :math:`w_{cj}`, :math:`a^L_c`;
- a **superscript in parentheses** numbers a training example (i): :math:`x^{(i)}` is the i-th
  training input, :math:`x^{(i)}_j` its feature j, :math:`z^{(i)}` its weighted input. Nielsen
  leaves the example unwritten (:math:`x_j`, :math:`z`, :math:`\sum_x`), and so does the book
  wherever one example is meant (:data:`NIELSEN`);
- a **plain superscript** names a layer: :math:`a^L` is the output layer's activation,
  :math:`a^{L-1}` the layer before it;
- k counts features, n examples, K classes (or output neurons), H hidden neurons; δ is only the
  error of a neuron (:math:`\delta^L_c`), and :math:`[c = d]` is 1 when c = d and 0 otherwise.

Every quantity is real (``real=True``), sizes are positive integers, indices carry their ranges
(``Idx``), which the checks use, and an indexed quantity declares its shape, so a weight vector
cannot be indexed as a matrix. :data:`TABLE` lists them all with what they mean, for the book's
notation page; :data:`PER_EXAMPLE` says which are written with the example as a superscript.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

# -- sizes and indices -----------------------------------------------------------------------

n = sp.Symbol("n", integer=True, positive=True)  # number of training examples
k = sp.Symbol("k", integer=True, positive=True)  # number of features of each example
K = sp.Symbol("K", integer=True, positive=True)  # number of classes, or of output neurons
H = sp.Symbol("H", integer=True, positive=True)  # number of hidden neurons
i = sp.Idx("i", (1, n))  # a training example
j = sp.Idx("j", (1, k))  # a feature (and the weight of that feature)
m = sp.Idx("m", (1, k))  # the feature summed over in z, kept apart from j
c = sp.Idx("c", (1, K))  # a class, or an output neuron
d = sp.Idx("d", (1, K))  # the class summed over, kept apart from c
d_ = sp.Idx("d'", (1, K))  # a second class summed over, in the softmax's denominator
u = sp.Idx("u", (1, H))  # a hidden neuron (unit)
u_ = sp.Idx("u'", (1, H))  # the hidden neuron summed over, kept apart from u

# -- one neuron ------------------------------------------------------------------------------

x = sp.IndexedBase("x", real=True, shape=(n, k))  # x[i, j]: feature j of training input i
w = sp.IndexedBase("w", real=True, shape=(k,))  # w[j]: the weight of feature j
b = sp.Symbol("b", real=True)  # the bias
z = sp.IndexedBase("z", real=True, shape=(n,))  # z[i]: the weighted input of example i
a = sp.IndexedBase("a", real=True, shape=(n,))  # a[i]: the neuron's output for example i
y = sp.IndexedBase("y", real=True, shape=(n,))  # y[i]: the label of example i, in [0, 1]
C_x = sp.IndexedBase("C_x", real=True, shape=(n,))  # C_x[i]: the cost of example i
C = sp.Symbol("C", real=True)  # the cost: the mean of the C_x[i]

#: Leave the example index out, as Nielsen does: ``to_latex(e, implicit_index=NIELSEN)``.
NIELSEN = (i, "x")

# -- other costs, and training -----------------------------------------------------------------

Q_x = sp.IndexedBase("Q_x", real=True, shape=(n,))  # Q_x[i]: the quadratic cost of example i
Q = sp.Symbol("Q", real=True)  # the quadratic cost: the mean of the Q_x[i]
C_0 = sp.Symbol("C_0", real=True)  # the cost before regularization: the cross-entropy
lam = sp.Symbol("lambda", positive=True)  # the regularization parameter λ
eta = sp.Symbol("eta", positive=True)  # the learning rate η
C_swapped = sp.IndexedBase(r"\tilde{C}_x", real=True, shape=(n,))  # the cost, a and y swapped

# -- checking a gradient on numbers ------------------------------------------------------------

P = sp.Symbol("P", integer=True, positive=True)  # number of parameters checked
p = sp.Idx("p", (1, P))  # a parameter: theta[p] is one weight or bias
theta = sp.IndexedBase("theta", real=True, shape=(P,))  # all the parameters, as one vector
h = sp.Symbol("h", positive=True)  # the step of a numerical derivative
eps = sp.Symbol("varepsilon", positive=True)  # float64's unit round-off, 2^-52
ell = sp.Function("ell", real=True)  # ell(z, y): the cost of one example from its logit and label
r = sp.IndexedBase("r", real=True, shape=(n,))  # r[i]: the residual sigma(z) - y of example i

# -- a softmax layer of K classes on the same inputs -------------------------------------------

softmax_w = sp.IndexedBase("w", real=True, shape=(K, k))  # [c, j]: from feature j to class c
softmax_b = sp.IndexedBase("b", real=True, shape=(K,))  # [c]: the bias of class c
softmax_z = sp.IndexedBase("z", real=True, shape=(n, K))  # [i, c]: weighted input of class c
softmax_a = sp.IndexedBase("a", real=True, shape=(n, K))  # [i, c]: probability of class c
softmax_y = sp.IndexedBase("y", real=True, shape=(n, K))  # [i, c]: the label of class c
q = sp.IndexedBase("q", nonnegative=True, shape=(n, K))  # [i, c]: y[i, c] before normalizing

# -- the last two layers of a network, for one training example --------------------------------

w_out = sp.IndexedBase("w^L", real=True, shape=(K, H))  # [c, u]: from hidden u to output c
b_out = sp.IndexedBase("b^L", real=True, shape=(K,))  # [c]: the bias of output neuron c
z_out = sp.IndexedBase("z^L", real=True, shape=(K,))  # [c]: weighted input of output c
a_out = sp.IndexedBase("a^L", real=True, shape=(K,))  # [c]: the output of output neuron c
y_out = sp.IndexedBase("y", real=True, shape=(K,))  # [c]: the label of output neuron c
delta_out = sp.IndexedBase(r"\delta^L", real=True, shape=(K,))  # [c]: the error of output c
z_hidden = sp.IndexedBase("z^{L-1}", real=True, shape=(H,))  # [u]: weighted input of hidden u
a_hidden = sp.IndexedBase("a^{L-1}", real=True, shape=(H,))  # [u]: the output of hidden u
C_one = sp.Symbol("C_x", real=True)  # the cost of the one training example x

#: The quantities that belong to one training example: their first index is the example, and it
#: is written as a superscript in parentheses, :math:`x^{(i)}_j`, or left out (:data:`NIELSEN`).
PER_EXAMPLE = frozenset({x, z, a, y, C_x, Q_x, C_swapped, r, softmax_z, softmax_a, softmax_y, q})


def at_sizes(expr: sp.Basic, sizes: dict[sp.Symbol, int]) -> sp.Basic:
    """``expr`` with sizes such as n and k given numbers, every quantity still the book's own.

    An indexed quantity declares its shape in sizes, so substituting n or k in it makes another
    SymPy object, which a value given for ``x[1, 2]`` would not reach. This substitutes the sizes
    everywhere else: the bounds of sums and indices.

    Examples
    --------
    >>> e = sp.Sum(w[m] * x[i, m], (m, 1, k))
    >>> at_sizes(e, {k: 2}).doit()
    w[1]*x[i, 1] + w[2]*x[i, 2]
    >>> at_sizes(e, {k: 2}).doit().has(w[1])
    True
    """
    bases = {base for base in expr.atoms(sp.IndexedBase) if base.shape}
    bare = {base: sp.IndexedBase(sp.Dummy(str(base.label))) for base in bases}
    back = {value: key for key, value in bare.items()}
    return expr.xreplace(bare).xreplace(sizes).xreplace(back)


@dataclass(frozen=True)
class Meaning:
    """One line of the book's notation table.

    Attributes
    ----------
    group : str
        The part of the book the symbol belongs to.
    symbol : sympy.Basic
        How it is written, as a SymPy object (printed by :func:`xentropy.latex.to_latex`).
    meaning : str
        What it is, in words; ``$...$`` marks math.
    kind : str
        What kind of value it is.
    """

    group: str
    symbol: sp.Basic
    meaning: str
    kind: str


_ONE, _SET, _SOFTMAX, _NETWORK, _CHECK = (
    "one neuron",
    "the training set",
    "a softmax layer",
    "a network, one example",
    "checking on numbers",
)

#: The book's notation, for its notation page: every symbol, what it means and what kind it is.
TABLE: tuple[Meaning, ...] = (
    Meaning(_ONE, x[i, j], "feature $j$ of a training input", "a number"),
    Meaning(_ONE, w[j], "the weight of feature $j$", "a number"),
    Meaning(_ONE, b, "the bias", "a number"),
    Meaning(_ONE, z[i], "the weighted input, $\\sum_j w_j x_j + b$", "a number"),
    Meaning(_ONE, a[i], "the output, $\\sigma(z)$", "a number in (0, 1)"),
    Meaning(_ONE, y[i], "the label: 0 or 1, or a probability", "a number in [0, 1]"),
    Meaning(
        _ONE, C_x[i], "the cost of one example, $-(y \\ln a + (1 - y)\\ln(1 - a))$", "a number"
    ),
    Meaning(_SET, n, "the number of training examples", "a whole number"),
    Meaning(_SET, k, "the number of features of each example", "a whole number"),
    Meaning(_SET, i, "a training example, $1, \\dots, n$, written as a superscript", "an index"),
    Meaning(_SET, j, "a feature, $1, \\dots, k$ ($m$ too, when a sum needs a second)", "an index"),
    Meaning(_SET, x[i, j], "feature $j$ of training input $i$; the row $i$ of $X$", "a number"),
    Meaning(_SET, C, "the cost: the mean of the $n$ costs $C_x$", "a number"),
    Meaning(_SET, eta, "the learning rate", "a positive number"),
    Meaning(_SET, lam, "the regularization parameter", "a positive number"),
    Meaning(_SOFTMAX, K, "the number of classes (output neurons)", "a whole number"),
    Meaning(
        _SOFTMAX, c, "a class, $1, \\dots, K$ ($d$ too, when a sum needs a second)", "an index"
    ),
    Meaning(_SOFTMAX, softmax_w[c, j], "the weight from feature $j$ to class $c$", "a number"),
    Meaning(_SOFTMAX, softmax_a[i, c], "the probability the layer gives class $c$", "a number"),
    Meaning(_SOFTMAX, softmax_y[i, c], "the label of class $c$; they sum to 1", "a number"),
    Meaning(_NETWORK, H, "the number of hidden neurons (layer $L - 1$)", "a whole number"),
    Meaning(_NETWORK, u, "a hidden neuron, $1, \\dots, H$", "an index"),
    Meaning(_NETWORK, w_out[c, u], "the weight from hidden neuron $u$ to output $c$", "a number"),
    Meaning(_NETWORK, a_out[c], "the output of output neuron $c$ (layer $L$)", "a number"),
    Meaning(
        _NETWORK,
        delta_out[c],
        "the error of output neuron $c$, $\\partial C_x / \\partial z^L_c$",
        "a number",
    ),
    Meaning(_CHECK, theta[p], "parameter $p$: the weights and biases as one vector", "a number"),
    Meaning(_CHECK, h, "the step of a numerical derivative", "a positive number"),
    Meaning(_CHECK, eps, "float64's unit of round-off, $2^{-52}$", "a positive number"),
    Meaning(
        _CHECK,
        ell(z[i], y[i]),
        "the cost of one example as a function of its logit and label, $C_x = \\ell(z, y)$",
        "a number",
    ),
    Meaning(_CHECK, r[i], "the residual of example $i$, $\\sigma(z) - y$", "a number"),
)
