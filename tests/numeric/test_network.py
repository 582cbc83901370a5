"""xentropy.network: the two-layer network's cost, its backpropagated gradient, and bad input.

The gradient is confirmed by the complex step and central differences (docs/numbers.md,
section 5) and, independently of both, by mpmath's own numerical derivative at 40 digits; a
backpropagation with a classic mistake in it fails exactly where the mistake is.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

import xentropy
from xentropy.numeric.network import backprop
from xentropy.numeric.network import check_network_gradient
from xentropy.numeric.network import complex_network_cost
from xentropy.numeric.network import forward
from xentropy.numeric.network import network_cost
from xentropy.numeric.network import validate_network_inputs

pytestmark = pytest.mark.usefixtures("strict_floating_point")

EPS = float(np.finfo(np.float64).eps)

W1 = [[0.5, -1.0], [1.5, 0.25], [-0.5, 0.75]]
B1 = [0.1, -0.2, 0.0]
W2 = [[1.0, -2.0, 0.5], [0.25, 0.5, -1.0]]
B2 = [0.3, -0.1]
X = [[1.0, 2.0], [-1.0, 0.5], [0.0, -3.0], [2.0, 1.0]]
Y = [[1, 0], [0, 1], [1, 1], [0.25, 0.0]]


def network(seed, n=8, k=3, hidden=4, outputs=2, scale=1.0, labels="hard"):
    """Seeded parameters and data; ``scale`` sizes the weighted inputs."""
    rng = np.random.default_rng(seed)
    W1_ = rng.normal(scale=scale, size=(hidden, k)) / np.sqrt(k)
    b1_ = rng.normal(scale=scale / 2, size=hidden)
    W2_ = rng.normal(scale=scale, size=(outputs, hidden)) / np.sqrt(hidden)
    b2_ = rng.normal(scale=scale / 2, size=outputs)
    X_ = rng.normal(size=(n, k))
    if labels == "hard":
        Y_ = (rng.random((n, outputs)) < 0.5).astype(float)
    elif labels == "soft":
        Y_ = rng.random((n, outputs))
    else:
        Y_ = np.full((n, outputs), float(labels))
    return W1_, b1_, W2_, b2_, X_, Y_


# ---------------------------------------------------------------- bad input

BAD_INPUT = [
    ({"X": [1.0, 2.0]}, ValueError, r"^X must be 2-D, got shape \(2,\)$"),
    (
        {"X": np.zeros((0, 2)), "Y": np.zeros((0, 2))},
        ValueError,
        r"^X has no rows: the cost of no examples is undefined$",
    ),
    (
        {"W1": [0.5, -1.0]},
        ValueError,
        r"^W1 must be 2-D, H × k \(one row per hidden neuron, one column per feature of X\), "
        r"got shape \(2,\)$",
    ),
    (
        {"W1": np.array(W1).T},
        ValueError,
        r"^W1 has 3 columns but X has 2 features: W1 is H × k, one row per hidden neuron",
    ),
    (
        {"b1": [0.1, -0.2]},
        ValueError,
        r"^b1 must be 1-D with 3 entries \(one per row of W1, a hidden neuron\), got shape \(2,\)$",
    ),
    (
        {"W2": [1.0, -2.0, 0.5]},
        ValueError,
        r"^W2 must be 2-D, K × H \(one row per output neuron, one column per hidden neuron\), "
        r"got shape \(3,\)$",
    ),
    (
        {"W2": np.array(W2).T},
        ValueError,
        r"^W2 has 2 columns but W1 has 3 rows \(hidden neurons\): W2 is K × H",
    ),
    (
        {"b2": [[0.3, -0.1]]},
        ValueError,
        r"^b2 must be 1-D with 2 entries \(one per row of W2, an output neuron\), "
        r"got shape \(1, 2\)$",
    ),
    (
        {"Y": [1, 0, 1, 0]},
        ValueError,
        r"^Y must have shape \(4, 2\), one row per example of X and one column per output neuron "
        r"\(row of W2\); got \(4,\)$",
    ),
    ({"Y": np.array(Y).T}, ValueError, r"^Y must have shape \(4, 2\), .*; got \(2, 4\)$"),
    (
        {"X": [[1.0, 2.0], [-1.0, np.nan], [0.0, -3.0], [2.0, 1.0]]},
        ValueError,
        r"^X contains NaN at row 1, column 1$",
    ),
    (
        {"W1": [[0.5, -1.0], [1.5, np.inf], [0, 0]]},
        ValueError,
        r"^W1 contains inf at row 1, column 1$",
    ),
    ({"b1": [0.1, -np.inf, 0.0]}, ValueError, r"^b1 contains -inf at entry 1$"),
    (
        {"W2": [[1, -2, 0.5], [0.25, np.nan, -1]]},
        ValueError,
        r"^W2 contains NaN at row 1, column 1$",
    ),
    ({"b2": [np.nan, 0.0]}, ValueError, r"^b2 contains NaN at entry 0$"),
    (
        {"Y": [[1, 0], [0, 1], [1, 1], [np.inf, 0]]},
        ValueError,
        r"^Y contains inf at row 3, column 0$",
    ),
    (
        {"Y": [[1, 0], [0, 1.5], [1, 1], [0, 0]]},
        ValueError,
        r"^Y must lie in \[0, 1\]; found 1.5 at row 1, column 1$",
    ),
    (
        {"Y": [[1, 0], [0, 1], [1, -0.25], [0, 0]]},
        ValueError,
        r"^Y must lie in \[0, 1\]; found -0.25 at row 2, column 1$",
    ),
    ({"X": np.array(X, dtype=complex)}, TypeError, r"^X must hold real numbers, got complex128$"),
    ({"W2": np.array(W2, dtype=object)}, TypeError, r"^W2 must hold real numbers, got object$"),
    ({"b1": ["0", "1", "2"]}, TypeError, r"^b1 must hold real numbers, got <U1$"),
    (
        {"X": [[1e300, 0.0], [0, 0], [0, 0], [0, 0]], "W1": [[1e300, 0], [0, 0], [0, 0]]},
        ValueError,
        r"^the hidden layer's weighted inputs overflow \(row 0, neuron 0 gives inf\)$",
    ),
    (
        {"W2": [[1e308, 1e308, 0], [0, 0, 0]], "b1": [50.0, 50.0, 0.0]},
        ValueError,
        r"^the output layer's weighted inputs overflow \(row 0, neuron 0 gives inf\)$",
    ),
]


@pytest.mark.parametrize("function", [network_cost, backprop, complex_network_cost])
@pytest.mark.parametrize(("change", "error", "message"), BAD_INPUT)
def test_bad_input_raises_a_clear_error(function, change, error, message):
    arguments = {"W1": W1, "b1": B1, "W2": W2, "b2": B2, "X": X, "Y": Y, **change}
    with pytest.raises(error, match=message):
        function(**arguments)


def test_the_forward_pass_needs_no_labels_but_checks_the_rest():
    with pytest.raises(
        ValueError,
        match=r"^W1 has 3 columns but X has 2 features: W1 is H × k, one row per hidden neuron",
    ):
        forward(np.array(W1).T, B1, W2, B2, X)
    with pytest.raises(ValueError, match=r"^W2 has 2 columns"):
        validate_network_inputs(W1, B1, np.array(W2).T, B2, X, Y)


def test_the_callers_arrays_are_never_modified():
    arrays = [np.array(a, dtype=float) for a in (W1, B1, W2, B2, X, Y)]
    copies = [a.copy() for a in arrays]
    for a in arrays:
        a.flags.writeable = False  # any write into them would raise
    forward(*arrays[:5])
    network_cost(*arrays)
    backprop(*arrays)
    complex_network_cost(*arrays)
    check_network_gradient(*arrays)
    for a, original in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(a, original)


# ---------------------------------------------------------------- what is computed


def test_the_forward_pass_is_nielsens_per_example():
    Z1, A1, Z2, A2 = forward(W1, B1, W2, B2, X)
    for i, x in enumerate(np.array(X)):
        z1 = np.array(W1) @ x + B1  # z¹ = w¹ x + b¹, one example as a column
        np.testing.assert_allclose(Z1[i], z1, rtol=4 * EPS, atol=4 * EPS)
        z2 = np.array(W2) @ xentropy.sigmoid(z1) + B2
        np.testing.assert_allclose(Z2[i], z2, rtol=4 * EPS, atol=4 * EPS)
    np.testing.assert_array_equal(A1, xentropy.sigmoid(Z1))
    np.testing.assert_array_equal(A2, xentropy.sigmoid(Z2))
    assert Z1.shape == A1.shape == (4, 3)
    assert Z2.shape == A2.shape == (4, 2)


@pytest.mark.parametrize("seed", range(3))
def test_with_one_output_the_last_layer_is_logistic_regression_on_the_hidden_outputs(seed):
    # The output layer alone is the book's one neuron, with the hidden outputs as its inputs.
    W1_, b1_, W2_, b2_, X_, Y_ = network(seed, outputs=1, labels="soft")
    _, A1, _, _ = forward(W1_, b1_, W2_, b2_, X_)
    binary = xentropy.cost(W2_[0], b2_[0], A1, Y_[:, 0])
    assert abs(network_cost(W1_, b1_, W2_, b2_, X_, Y_) - binary) <= 8 * EPS * binary
    _, _, grad_W2, grad_b2 = backprop(W1_, b1_, W2_, b2_, X_, Y_)
    grad_w, grad_b = xentropy.gradient(W2_[0], b2_[0], A1, Y_[:, 0])
    np.testing.assert_allclose(grad_W2[0], grad_w, rtol=1e-14, atol=8 * EPS)
    assert abs(grad_b2[0] - grad_b) <= 8 * EPS


def _mp_cost(theta, shapes, X_, Y_):
    """The cost at 40 digits, straight from its definition."""
    params, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        params.append(
            list(theta[start : start + size])
            if len(shape) == 1
            else [theta[start + r * shape[1] : start + (r + 1) * shape[1]] for r in range(shape[0])]
        )
        start += size
    W1_, b1_, W2_, b2_ = params
    total = mpmath.mpf(0)
    for x, y in zip(X_, Y_, strict=True):
        a1 = [
            1 / (1 + mpmath.exp(-(mpmath.fsum(w * v for w, v in zip(row, x, strict=True)) + b)))
            for row, b in zip(W1_, b1_, strict=True)
        ]
        for row, b, label in zip(W2_, b2_, y, strict=True):
            z = mpmath.fsum(w * v for w, v in zip(row, a1, strict=True)) + b
            a = 1 / (1 + mpmath.exp(-z))
            total -= label * mpmath.log(a) + (1 - label) * mpmath.log(1 - a)
    return total / len(X_)


def test_backprop_and_the_cost_agree_with_mpmath_at_40_digits():
    # Independent of complex_network_cost and of the backpropagation formulas: mpmath
    # evaluates the definition and differentiates it numerically at 40 digits.
    W1_, b1_, W2_, b2_, X_, Y_ = network(7, n=3, k=2, hidden=3, outputs=2, labels="soft")
    parameters = (W1_, b1_, W2_, b2_)
    shapes = [p.shape for p in parameters]
    theta = [mpmath.mpf(float(v)) for p in parameters for v in p.ravel()]
    Xm = [[mpmath.mpf(float(v)) for v in row] for row in X_]
    Ym = [[mpmath.mpf(float(v)) for v in row] for row in Y_]
    with mpmath.workdps(40):
        exact_cost = _mp_cost(theta, shapes, Xm, Ym)
        exact = []
        for p in range(len(theta)):

            def along(t, p=p):
                shifted = list(theta)
                shifted[p] = t
                return _mp_cost(shifted, shapes, Xm, Ym)

            exact.append(mpmath.diff(along, theta[p]))
    c = network_cost(*parameters, X_, Y_)
    assert abs(c - exact_cost) <= 8 * EPS * exact_cost
    ours = np.concatenate([g.ravel() for g in backprop(*parameters, X_, Y_)])
    scale = max(abs(float(e)) for e in exact)
    assert max(abs(o - float(e)) for o, e in zip(ours, exact, strict=True)) <= 16 * EPS * scale


@pytest.mark.parametrize("label", [0.5002499999791666, 0.50024999998])
def test_a_soft_label_next_to_the_output_keeps_the_output_error_to_the_contracts_bound(label):
    # σ(1e-3) is 0.500249999979166...: the first label is it rounded to float64, so the output
    # error a - y is about 3e-17, the second about -8e-13; formed as σ(z) - y the difference
    # loses every digit (it came out 0.0), formed as the one neuron forms it, none.
    W1_, b1_, W2_, b2_, X_, Y_ = [[1.0]], [0.0], [[0.0]], [1e-3], [[0.5]], [[label]]
    with mpmath.workdps(60):
        exact = 1 / (1 + mpmath.exp(-mpmath.mpf(1e-3))) - mpmath.mpf(label)
    grad_b2 = backprop(W1_, b1_, W2_, b2_, X_, Y_)[3][0]
    # The bound on a gradient entry: 64 eps (|r| + |z|/4), z = 1e-3 the output's weighted input.
    allowed = 64 * EPS * (abs(float(exact)) + 1e-3 / 4)
    assert abs(grad_b2 - float(exact)) <= allowed, (grad_b2, float(exact))
    assert grad_b2 == pytest.approx(float(exact), rel=1e-6)


# ---------------------------------------------------------------- the gradient checks

CASES = {
    "moderate": lambda s: network(s),
    "large weighted inputs": lambda s: network(s, scale=25.0),
    "soft labels": lambda s: network(s, labels="soft"),
    "all labels 0": lambda s: network(s, labels=0.0),
    "all labels 1": lambda s: network(s, labels=1.0),
    "n = 1": lambda s: network(s, n=1),
    "one output": lambda s: network(s, outputs=1),
    "wide hidden layer": lambda s: network(s, hidden=9, outputs=3),
}


def agrees_within_central_differences_error(check, cost):
    """Central differences are off by round-off, about eps·C/h = 4e-11·C, plus truncation,
    about h²|∂³C/∂θ³|/6 = 6e-12·|∂³C/∂θ³|: an absolute error. A component of the gradient
    that is itself tiny (a saturated neuron, a weight that barely matters) cannot be checked
    relatively; it must agree to within that absolute error, with a factor of 10 to spare."""
    absolute = np.abs(check.gradient - check.reference) <= 1e-9 * max(1.0, cost)
    return bool(np.all((check.errors <= check.tolerance) | absolute))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("case", CASES)
def test_backprop_passes_against_both_referees_at_float64_precision(case, seed):
    args = CASES[case](seed)
    by_complex_step = check_network_gradient(*args)
    assert by_complex_step.passed, by_complex_step
    assert by_complex_step.worst <= 1e-13, by_complex_step
    by_central_differences = check_network_gradient(*args, method="central")
    assert agrees_within_central_differences_error(by_central_differences, network_cost(*args)), (
        by_central_differences
    )


def well_scaled(seed, n=20, k=3, hidden=4, outputs=2):
    """Positive inputs and weights and labels below the outputs: every error a² - y is
    positive, so every component of the gradient is a sum of positive terms, none near 0."""
    rng = np.random.default_rng(seed)
    return (
        rng.uniform(0.1, 1.0, size=(hidden, k)),
        rng.uniform(-0.5, 0.5, size=hidden),
        rng.uniform(0.1, 1.0, size=(outputs, hidden)),
        rng.uniform(-0.5, 0.5, size=outputs),
        rng.uniform(0.5, 2.0, size=(n, k)),
        rng.uniform(0.0, 0.3, size=(n, outputs)),
    )


@pytest.mark.parametrize("seed", range(3))
def test_on_a_well_scaled_network_central_differences_agree_to_1e_8_everywhere(seed):
    args = well_scaled(seed)
    by_central_differences = check_network_gradient(*args, method="central")
    assert np.abs(by_central_differences.gradient).min() >= 1e-3  # no component near 0
    assert by_central_differences.worst <= 1e-8, by_central_differences


def test_complex_cost_is_the_cost_on_real_arguments():
    args = network(0, labels="soft")
    c = complex_network_cost(*args)
    assert c.imag == 0.0
    assert abs(c.real - network_cost(*args)) <= 8 * EPS * c.real


def test_nothing_overflows_at_huge_weighted_inputs():
    # Every neuron saturated: σ(±1e3) and the losses at ±1e3 are computed without a
    # floating-point event (the fixture turns one into an error), and the cost is finite.
    W1_, b1_, W2_, b2_, X_, Y_ = network(3, scale=1e3)
    c = network_cost(W1_, b1_, W2_, b2_, X_, Y_)
    assert math.isfinite(c)
    assert all(np.isfinite(g).all() for g in backprop(W1_, b1_, W2_, b2_, X_, Y_))
    assert math.isfinite(complex_network_cost(W1_, b1_, W2_, b2_, X_, Y_).real)


# ------------------------------------------------------- a wrong backpropagation is caught


def sigma_prime_missing(W1_, b1_, W2_, b2_, X_, Y_):
    """δ¹ = W2ᵀ δ², the σ′(z¹) factor forgotten."""
    _, A1, _, A2 = forward(W1_, b1_, W2_, b2_, X_)
    delta2 = (A2 - Y_) / X_.shape[0]
    delta1 = delta2 @ W2_
    return delta1.T @ X_, delta1.sum(axis=0), delta2.T @ A1, delta2.sum(axis=0)


def weight_not_transposed(W1_, b1_, W2_, b2_, X_, Y_):
    """δ¹ = (W2 δ²) ⊙ σ′(z¹): computable only when W2 is square."""
    _, A1, _, A2 = forward(W1_, b1_, W2_, b2_, X_)
    delta2 = (A2 - Y_) / X_.shape[0]
    delta1 = (delta2 @ W2_.T) * A1 * (1 - A1)
    return delta1.T @ X_, delta1.sum(axis=0), delta2.T @ A1, delta2.sum(axis=0)


def quadratic_cost_error(W1_, b1_, W2_, b2_, X_, Y_):
    """δ² = (a² - y) σ′(z²): the quadratic cost's output error, not the cross-entropy's."""
    _, A1, _, A2 = forward(W1_, b1_, W2_, b2_, X_)
    delta2 = (A2 - Y_) * A2 * (1 - A2) / X_.shape[0]
    delta1 = (delta2 @ W2_) * A1 * (1 - A1)
    return delta1.T @ X_, delta1.sum(axis=0), delta2.T @ A1, delta2.sum(axis=0)


def input_for_activation(W1_, b1_, W2_, b2_, X_, Y_):
    """∂C/∂W2 = δ² (z¹)ᵀ: the weighted input where the activation belongs."""
    Z1, _, _, A2 = forward(W1_, b1_, W2_, b2_, X_)
    grad_W1, grad_b1, _, grad_b2 = backprop(W1_, b1_, W2_, b2_, X_, Y_)
    delta2 = (A2 - Y_) / X_.shape[0]
    return grad_W1, grad_b1, delta2.T @ Z1, grad_b2


def no_hidden_bias_gradient(*args):
    grad_W1, grad_b1, grad_W2, grad_b2 = backprop(*args)
    return grad_W1, np.zeros_like(grad_b1), grad_W2, grad_b2


def names(prefix, shape):
    return {f"{prefix}_{','.join(str(v + 1) for v in i)}" for i in np.ndindex(shape)}


@pytest.mark.parametrize("method", ["complex", "central"])
@pytest.mark.parametrize("seed", range(2))
def test_a_wrong_backprop_fails_exactly_where_it_is_wrong(seed, method, usual_mistakes):
    args = network(seed)  # H = 4, K = 2: W2 is not square
    W1_, b1_, W2_, b2_ = args[:4]
    first_layer = names("W1", W1_.shape) | names("b1", b1_.shape)
    everything = first_layer | names("W2", W2_.shape) | names("b2", b2_.shape)
    expected = {
        sigma_prime_missing: first_layer,
        quadratic_cost_error: everything,
        input_for_activation: names("W2", W2_.shape),
        usual_mistakes(backprop, (0, (0, 0)))["forgot_the_mean"]: everything,
        no_hidden_bias_gradient: names("b1", b1_.shape),
    }
    for wrong, failing in expected.items():
        check = check_network_gradient(*args, wrong, method=method)
        assert not check.passed
        if method == "complex":
            assert set(check.failed) == failing, (wrong.__name__, check)
        else:
            # Central differences also fail tiny components that are right (see above).
            assert set(check.failed) >= failing, (wrong.__name__, check)
            assert set(check.failed) - failing <= {
                name
                for name, g in zip(check.parameters, check.gradient, strict=True)
                if abs(g) < 1e-3
            }


def test_a_transposed_weight_fails_and_cannot_even_run_when_w2_is_not_square():
    args = network(0, hidden=3, outputs=3)  # square W2: the mistake computes something
    W1_, b1_ = args[:2]
    check = check_network_gradient(*args, weight_not_transposed)
    assert set(check.failed) == names("W1", W1_.shape) | names("b1", b1_.shape)
    with pytest.raises(ValueError, match="matmul"):
        check_network_gradient(*network(0), weight_not_transposed)


def test_the_check_refuses_gradients_of_the_wrong_shapes_and_unknown_methods():
    args = network(0)

    def transposed(*a):
        grad_W1, grad_b1, grad_W2, grad_b2 = backprop(*a)
        return grad_W1.T, grad_b1, grad_W2, grad_b2

    with pytest.raises(ValueError, match=r"^the gradient function returned shapes \[\(3, 4\)"):
        check_network_gradient(*args, transposed)
    with pytest.raises(ValueError, match=r"^method must be 'complex' or 'central', got 'forward'$"):
        check_network_gradient(*args, method="forward")
    report = check_network_gradient(*args)
    assert report.parameters[:2] == ("W1_1,1", "W1_1,2")
    assert report.parameters[-1] == "b2_2"
    assert len(report.parameters) == sum(np.size(p) for p in args[:4])
