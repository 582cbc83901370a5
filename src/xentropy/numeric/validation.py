"""The checks every numeric model runs on its arguments, with the messages the book promises.

A mistake in a shape or a NaN in the data raises an error that names the argument, says what was
expected and what came, instead of returning a quiet NaN (the numeric contract, appendix "What
the numbers promise"). The neuron, the softmax layer and the network check their arguments with
these functions, in an order that each model's tests fix: when several arguments are wrong, the
same error always wins. Nothing here broadcasts, clips or copies what is already float64, and
nothing modifies the caller's arrays.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "AT_ENTRY",
    "AT_ROW",
    "AT_ROW_COLUMN",
    "FloatArray",
    "as_real_array",
    "as_real_arrays",
    "require_data_matrix",
    "require_finite",
    "require_in_unit_interval",
    "require_layer",
    "weighted_inputs",
]

FloatArray = NDArray[np.float64]

#: Where a bad value sits, for :func:`require_finite`: in a vector, a column of labels, a matrix.
AT_ENTRY = "at entry {0}"
AT_ROW = "at row {0}"
AT_ROW_COLUMN = "at row {0}, column {1}"

# Booleans, signed and unsigned integers and real floats are numbers; complex
# values, objects, strings, dates are not data a cost can be computed from.
_REAL_KINDS = "biuf"


def as_real_array(value: ArrayLike, name: str) -> FloatArray:
    """``value`` as a float64 array, not copied if it is one; refuse what is not real numbers.

    Raises
    ------
    TypeError
        If ``value`` holds complex numbers, objects, strings or dates.

    Examples
    --------
    >>> as_real_array([True, 2], "w")
    array([1., 2.])
    >>> as_real_array([1j], "w")
    Traceback (most recent call last):
        ...
    TypeError: w must hold real numbers, got complex128
    """
    array = np.asarray(value)
    if array.dtype.kind not in _REAL_KINDS:
        raise TypeError(f"{name} must hold real numbers, got {array.dtype}")
    return array.astype(np.float64, copy=False)


def as_real_arrays(**values: ArrayLike) -> tuple[FloatArray, ...]:
    """:func:`as_real_array` of each argument, in the order given, each named by its keyword.

    Examples
    --------
    >>> as_real_arrays(X=[[1, 2]], b=0)
    (array([[1., 2.]]), array(0.))
    """
    return tuple(as_real_array(value, name) for name, value in values.items())


def require_data_matrix(X: FloatArray, name: str = "X") -> tuple[int, int]:
    """Check that the data is a matrix with one example per row and at least one row.

    Returns
    -------
    n, k : int
        The number of examples (rows) and of features (columns).

    Raises
    ------
    ValueError
        If it is not 2-D, or has no rows.

    Examples
    --------
    >>> require_data_matrix(np.zeros(2))
    Traceback (most recent call last):
        ...
    ValueError: X must be 2-D, got shape (2,)
    """
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {X.shape}")
    n, k = X.shape
    if n == 0:
        raise ValueError(f"{name} has no rows: the cost of no examples is undefined")
    return n, k


def require_finite(array: FloatArray, name: str, where: str, first_row: int = 0) -> None:
    """Raise at the first NaN or infinity of ``array``, saying where it is.

    Parameters
    ----------
    array : numpy.ndarray
        The values, float64.
    name : str
        The argument's name, for the message.
    where : str
        :data:`AT_ENTRY`, :data:`AT_ROW`, :data:`AT_ROW_COLUMN`, or "" for a scalar.
    first_row : int, optional
        The row of the whole argument where ``array`` starts, when it is a block of it.

    Raises
    ------
    ValueError
        ``"X contains NaN at row 4, column 0"``.

    Examples
    --------
    >>> require_finite(np.array([[0.0, 1.0], [np.inf, 2.0]]), "X", AT_ROW_COLUMN)
    Traceback (most recent call last):
        ...
    ValueError: X contains inf at row 1, column 0
    """
    finite = np.isfinite(array)
    if finite.all():
        return
    index = np.unravel_index(np.argmin(finite), array.shape)
    value = array[index]
    what = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    place = (" " + where.format(index[0] + first_row, *index[1:])) if where else ""
    raise ValueError(f"{name} contains {what}{place}")


def require_layer(
    W: FloatArray,
    b: FloatArray,
    inputs: int,
    names: tuple[str, str],
    shape: str,
    row: str,
    column: str,
    inputs_are: str,
) -> int:
    """Check a layer's weights and biases: W one row per neuron and one column per input.

    Parameters
    ----------
    W, b : numpy.ndarray
        The weights and the biases, float64.
    inputs : int
        How many inputs the layer has: the columns W must have.
    names : (str, str)
        The arguments' names, for the messages ("W1", "b1").
    shape : str
        W's shape in the book's letters ("H × k").
    row, column : str
        What a row and a column of W stand for ("hidden neuron", "feature of X").
    inputs_are : str
        Where ``inputs`` comes from, said in full ("X has 3 features").

    Returns
    -------
    int
        The number of neurons, W's rows.

    Raises
    ------
    ValueError
        If W is not 2-D, has another number of columns, or b is not one entry per row of W.

    Examples
    --------
    >>> require_layer(np.zeros((2, 3)), np.zeros(3), 3, ("W1", "b1"), "H × k", "hidden neuron",
    ...               "feature of X", "X has 3 features")
    Traceback (most recent call last):
        ...
    ValueError: b1 must be 1-D with 2 entries (one per row of W1, a hidden neuron), got shape (3,)
    """
    W_name, b_name = names
    if W.ndim != 2:
        raise ValueError(
            f"{W_name} must be 2-D, {shape} (one row per {row}, one column per {column}), "
            f"got shape {W.shape}"
        )
    if W.shape[1] != inputs:
        raise ValueError(
            f"{W_name} has {W.shape[1]} column{'s' * (W.shape[1] != 1)} but {inputs_are}: "
            f"{W_name} is {shape}, "
            f"one row per {row} and one column per {column}"
        )
    neurons = W.shape[0]
    if b.shape != (neurons,):
        article = "an" if row[0] in "aeiou" else "a"
        raise ValueError(
            f"{b_name} must be 1-D with {neurons} entries (one per row of {W_name}, "
            f"{article} {row}), got shape {b.shape}"
        )
    return int(neurons)


def require_in_unit_interval(labels: FloatArray, name: str) -> None:
    """Raise at the first label outside [0, 1] (labels are probabilities; soft ones allowed).

    Examples
    --------
    >>> require_in_unit_interval(np.array([0.0, 1.5]), "y")
    Traceback (most recent call last):
        ...
    ValueError: y must lie in [0, 1]; found 1.5 at row 1
    """
    outside = (labels < 0) | (labels > 1)
    if not outside.any():
        return
    index = np.unravel_index(np.argmax(outside), labels.shape)
    place = (AT_ROW if labels.ndim == 1 else AT_ROW_COLUMN).format(*index)
    raise ValueError(f"{name} must lie in [0, 1]; found {labels[index]} {place}")


def weighted_inputs(
    A: FloatArray,
    W: FloatArray,
    b: FloatArray | float,
    what: str,
    column: str = "",
    first_row: int = 0,
) -> FloatArray:
    """``A @ W + b``, refused where finite inputs gave an infinite result.

    1e300 · 1e300 is finite data with no finite weighted input: a property of the data,
    reported as such rather than as a floating-point trap.

    Parameters
    ----------
    A, W, b
        The inputs (one row per example), the weights laid out for the product, the biases.
    what : str
        What the result is, for the message ("the logits z = Xw + b").
    column : str, optional
        What a column of the result is ("class", "neuron"); "" for a vector.
    first_row : int, optional
        The row of the whole data where ``A`` starts, when it is a block of it.

    Raises
    ------
    ValueError
        ``"the logits z = Xw + b overflow (row 3 gives inf)"``.

    Examples
    --------
    >>> weighted_inputs(np.array([[1e300]]), np.array([1e300]), 0.0, "the logits z = Xw + b")
    Traceback (most recent call last):
        ...
    ValueError: the logits z = Xw + b overflow (row 0 gives inf)
    """
    with np.errstate(over="ignore", invalid="ignore"):
        Z = A @ W + b
    finite = np.isfinite(Z)
    if not finite.all():
        index = np.unravel_index(np.argmin(finite), Z.shape)
        place = f"row {index[0] + first_row}" + (f", {column} {index[1]}" if column else "")
        raise ValueError(f"{what} overflow ({place} gives {Z[index]})")
    return Z
