"""Student-style derivations, right and wrong, in LaTeX and Markdown files, checked from the command
line as a student runs it: every right one passes, every wrong one is caught at the step where the
mistake is made, with the hint for that mistake, and unreadable input gets exit status 2 with the
line, the token and what was expected."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from xentropy.cli import main

STUDENTS = Path(__file__).parent / "students"

#: --as NAME for the files written in a derivation's own notation (the matrix form)
NOTATION = {
    "ok-matrix-form.tex": "bias-matrix-form",
    "wrong-z-is-wx.tex": "gradient-matrix-form",
}

RIGHT = {
    "ok-one-example-chain-rule.tex": 5,
    "ok-bias-one-example.md": 5,
    "ok-mean-over-examples.tex": 3,
    "ok-explicit-index.md": 3,
    "ok-sigma-prime.tex": 4,
    "ok-quadratic-cost.md": 3,
    "ok-straight-from-the-cost.tex": 3,
    "ok-log-and-slash.md": 3,
    "ok-weighted-input.tex": 2,
    "ok-matrix-form.tex": 2,
    "ok-book-notation.md": 2,
}

# file: (the step that is wrong, its line in the file, the hint that names the mistake or None)
WRONG = {
    "wrong-sign-flipped.tex": (4, 6, "the sign is flipped"),
    "wrong-missing-mean.md": (1, 5, "a factor 1/n is missing"),
    "wrong-lost-x_j.tex": (2, 3, "a factor x_j is missing"),
    "wrong-sigma-one-plus.tex": (2, 3, "σ′(z) = σ(z)(1 − σ(z)), not σ(z)(1 + σ(z))"),
    "wrong-bias-for-weight.md": (1, 2, "this is the bias's derivative"),
    "wrong-sigma-prime-left-in.tex": (2, 3, "σ′(z) is left in"),
    "wrong-cost-as-vector.md": (1, 4, "C is one number"),
    "wrong-z-is-wx.tex": (2, 4, "z = Xw + b"),
    "wrong-chain-rule-stops-early.md": (1, 3, "∂z/∂w_j = x_j, not ∂z/∂b = 1"),
    "wrong-log-derivative.tex": (2, 3, None),
    "wrong-sum-over-features.md": (1, 2, "not over the features"),
    "wrong-second-step-of-four.tex": (2, 3, "the sign is flipped"),
    "wrong-book-notation-sign.tex": (3, 6, "the sign is flipped"),
    "wrong-book-notation-missing-mean.md": (1, 4, "a factor 1/n is missing"),
}

# file: (line, column, the token, what was expected)
UNREADABLE = {
    "unreadable-unknown-symbol.tex": (2, 48, "W^T", "expected a symbol of Nielsen's"),
    "unreadable-unbalanced.md": (2, 54, "the end of the line", "expected one of: ), +, -"),
    "unreadable-dots.tex": (1, 18, "\\dots", "expected a sum written with \\sum"),
    "unreadable-no-equation.md": (1, 1, "The gradient is", "expected a display"),
}


def sweep(names: dict[str, object], fast: int) -> list[object]:
    """Every file, the first ``fast`` of them in make check and the rest in the slow tier."""
    return [
        pytest.param(name, marks=() if number < fast else pytest.mark.slow)
        for number, name in enumerate(names)
    ]


def check(name: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    arguments = ["check", str(STUDENTS / name)]
    if name in NOTATION:
        arguments += ["--as", NOTATION[name]]
    status = main(arguments)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_corpus_is_what_the_tables_say() -> None:
    files = sorted(p.name for p in STUDENTS.iterdir())
    assert files == sorted([*RIGHT, *WRONG, *UNREADABLE])
    derivations = [*RIGHT, *WRONG]
    assert len(derivations) >= 20
    assert {Path(f).suffix for f in derivations} == {".tex", ".md"}


@pytest.mark.parametrize("name", sweep(RIGHT, fast=2))
def test_a_right_derivation_passes_every_step(name: str, capsys) -> None:
    status, out, err = check(name, capsys)
    assert (status, err) == (0, ""), out
    verdicts = re.findall(r"^line \d+, step \d+: ([a-zA-Z ]+):", out, flags=re.M)
    assert len(verdicts) == RIGHT[name]
    assert set(verdicts) <= {"proven", "checked numerically"}
    assert out.rstrip().endswith("0 wrong")


@pytest.mark.parametrize("name", sweep(WRONG, fast=3))
def test_a_wrong_derivation_is_caught_at_its_step_with_its_hint(name: str, capsys) -> None:
    step, line, expected_hint = WRONG[name]
    status, out, err = check(name, capsys)
    assert (status, err) == (1, ""), out
    first = re.search(r"^line (\d+), step (\d+): WRONG: ", out, flags=re.M)
    assert first is not None, out
    assert (int(first.group(2)), int(first.group(1))) == (step, line), out
    # every step before the wrong one holds
    before = re.findall(r"^line \d+, step (\d+): (proven|checked numerically):", out, flags=re.M)
    assert [int(n) for n, _ in before if int(n) < step] == list(range(1, step))
    report = out[first.start() :]
    assert "    the line before: " in report
    assert "    this line: " in report
    hints = re.findall(r"^    hint: (.*)$", report, flags=re.M)
    if expected_hint is None:
        assert hints == [], report
    else:
        assert hints, report
        assert expected_hint in hints[0], report


def test_the_wrong_step_shows_where_the_sides_differ(capsys) -> None:
    _, out, _ = check("wrong-sign-flipped.tex", capsys)
    differ = re.search(r"the sides differ at (.*): (\S+) against (\S+)$", out, flags=re.M)
    assert differ is not None, out
    assert "x[" in differ.group(1)
    assert "y[" in differ.group(1)
    assert float(differ.group(2)) == pytest.approx(-float(differ.group(3)))  # a flipped sign


@pytest.mark.parametrize("name", list(UNREADABLE))
def test_unreadable_input_is_exit_2_with_line_token_and_what_was_expected(
    name: str, capsys
) -> None:
    line, column, token, expected = UNREADABLE[name]
    status, out, err = check(name, capsys)
    assert (status, out) == (2, ""), err
    assert err.startswith(
        f"python -m xentropy check: {STUDENTS / name}, line {line}, column {column}: "
    )
    assert f"cannot read {token!r}"[:-1] in err
    assert expected in err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "status"),
    [("ok-book-notation.md", 0), ("wrong-sign-flipped.tex", 1), ("unreadable-dots.tex", 2)],
)
def test_the_exit_status_of_the_program_itself(name: str, status: int) -> None:
    command = [sys.executable, "-m", "xentropy", "check", str(STUDENTS / name)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == status, done.stdout + done.stderr
    assert bool(done.stderr) == (status == 2)
