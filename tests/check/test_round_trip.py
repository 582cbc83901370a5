"""The round trip: the LaTeX of every derivation that ``python -m xentropy list`` names, piped
through ``python -m xentropy check -`` in that derivation's own notation, passes, with the
verdicts the book's engine gave when it built the derivation; the same LaTeX with one step
changed fails at that step."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

from xentropy.cli import latex_document_fragment
from xentropy.cli import main
from xentropy.symbolic import catalog

# Every derivation of the book, each built and checked again: the slow tier (make test).
pytestmark = pytest.mark.slow

DERIVATIONS = catalog.derivations()
STEP = re.compile(r"^line (\d+), step (\d+): (proven|checked numerically|WRONG):", re.M)


@pytest.fixture
def built_once(built, monkeypatch):
    """The command line builds its derivation again; the tests take the session's build."""
    monkeypatch.setattr(catalog, "build", built)


def check_piped(tex: str, name: str, capsys, monkeypatch) -> tuple[int, str, str]:
    """``python -m xentropy check --as NAME -`` with ``tex`` on standard input, in this process."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(tex))
    status = main(["check", "--as", name, "-"])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def changed(tex: str, row: int) -> str:
    """``tex`` with the right-hand side of display line ``row`` (counted from 0) doubled."""
    lines = tex.split("\n")
    rows = [n for n, line in enumerate(lines) if "&= " in line]
    n = rows[row]
    before, _, rest = lines[n].partition("&= ")
    rhs, bar, reason = rest.partition(" && ")
    lines[n] = f"{before}&= 2 \\left({rhs}\\right){bar}{reason}"
    return "\n".join(lines)


def test_every_derivation_is_listed_once() -> None:
    assert len(DERIVATIONS) >= 31


@pytest.mark.usefixtures("built_once")
@pytest.mark.parametrize("name", list(DERIVATIONS))
def test_the_books_latex_passes_with_the_books_verdicts(name: str, built, capsys, monkeypatch):
    status, out, err = check_piped(latex_document_fragment(name), name, capsys, monkeypatch)
    assert (status, err) == (0, ""), out
    verdicts = [verdict for _, _, verdict in STEP.findall(out)]
    assert verdicts == [s.verified for s in built(name).steps]


@pytest.mark.usefixtures("built_once")
@pytest.mark.parametrize("name", list(DERIVATIONS))
def test_one_step_changed_fails_at_that_step(name: str, built, capsys, monkeypatch) -> None:
    tex = latex_document_fragment(name)
    last = tex.count("&= ") - 1  # the last line; the first is lhs &= start, step 1
    status, out, _ = check_piped(changed(tex, last), name, capsys, monkeypatch)
    assert status == 1, out
    steps = STEP.findall(out)
    wrong = [int(number) for _, number, verdict in steps if verdict == "WRONG"]
    assert wrong == [len(steps)], out


@pytest.mark.usefixtures("built_once")
@pytest.mark.parametrize("row", range(5))
def test_each_step_of_a_derivation_changed_in_turn_fails_there(row: int, capsys, monkeypatch):
    tex = changed(latex_document_fragment("dCx-dw"), row)
    status, out, _ = check_piped(tex, "dCx-dw", capsys, monkeypatch)
    assert status == 1
    wrong = [int(number) for _, number, verdict in STEP.findall(out) if verdict == "WRONG"]
    # the changed line is wrong, and so is the next, which follows from the unchanged one
    assert wrong == [row + 1, row + 2][: 5 - row], out


#: The derivations whose LaTeX reads in Nielsen's one-neuron notation, piped without --as. The
#: others write what that notation does not have, and need --as NAME: the matrix forms (X^T,
#: \mathbf{1}), L2 regularization and weight decay (λ, η, C_0), the swapped cost (\tilde{C}_x),
#: the softmax (a class as a subscript, z_c, w_{cj}, a_1) and the network's layers (z^L_c, δ^L).
NIELSENS = {
    "sigma-prime",
    "dCx-dw",
    "dCx-db",
    "dC-dw",
    "dC-db",
    "dCsum-dw",
    "cross-entropy-from-gradient",
    "cost-from-logit",
    "cost-for-negative-logits",
    "residual-from-logit",
    "dQx-dw",
    "dQx-db",
    "dQ-dw",
    "dQ-db",
    "sigma-prime-bound",
    "cross-entropy-da",
    "logit-of-y",
}


@pytest.mark.usefixtures("built_once")
@pytest.mark.parametrize("name", list(DERIVATIONS))
def test_without_as_a_derivation_passes_or_is_unreadable_never_wrong(
    name: str, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(latex_document_fragment(name)))
    status = main(["check", "-"])
    captured = capsys.readouterr()
    if name in NIELSENS:
        assert (status, captured.err) == (0, ""), captured.out
        assert "Nielsen's one-neuron notation" in captured.out
    else:  # outside the notation: exit 2 and the symbol it could not read, not a wrong step
        assert (status, captured.out) == (2, ""), captured.out
        assert "expected a symbol of Nielsen's one-neuron notation" in captured.err


def program(*arguments: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``python -m xentropy ARGUMENTS`` in a process of its own, ``stdin`` piped in."""
    command = [sys.executable, "-m", "xentropy", *arguments]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)


def test_a_real_pipe_into_the_program() -> None:
    printed = program("latex", "dCx-db")
    checked = program("check", "--as", "dCx-db", "-", stdin=printed.stdout)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.rstrip().endswith("3 steps: 3 proven, 0 checked numerically, 0 wrong")
    wrong = printed.stdout.replace(r"&= \sigma(z) - y", r"&= y - \sigma(z)")
    flipped = program("check", "--as", "dCx-db", "-", stdin=wrong)
    assert flipped.returncode == 1, flipped.stdout
    assert "step 3: WRONG" in flipped.stdout
    assert "hint: the sign is flipped" in flipped.stdout


def test_an_unknown_name_is_exit_2(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("$$ a = a $$"))
    assert main(["check", "--as", "dC-dW", "-"]) == 2
    assert "no derivation named 'dC-dW'" in capsys.readouterr().err
