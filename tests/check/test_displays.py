"""The equations of a file: its displays, their lines and the sides of each ``=``, every side
with the line and column where it starts in the file."""

from __future__ import annotations

from xentropy.check.displays import equations


def sides(text: str) -> list[list[tuple[str, int, int, bool]]]:
    return [[(s.source, s.line, s.column, s.continues) for s in row] for row in equations(text)]


def test_every_kind_of_display_is_found() -> None:
    text = "\n".join(
        [
            r"Text with $a = b$ inline, which is not a display.",  # 1
            r"\begin{equation} p = q \end{equation}",  # 2
            r"\begin{align*} r &= s \end{align*}",  # 3
            r"$$ t = u $$",  # 4
            r"\[ v = w \]",  # 5
            "```{math}",  # 6
            ":label: mine",  # 7
            "f = g",  # 8
            "```",  # 9
            "```python",  # 10
            "x = '$$ not = maths $$'",  # 11
            "```",  # 12
        ]
    )
    found = [[s[0] for s in row] for row in sides(text)]
    assert found == [["p", "q"], ["r", "s"], ["t", "u"], ["v", "w"], ["f", "g"]]


def test_lines_continue_a_chain_and_words_are_blanked_where_they_stand() -> None:
    text = "\n".join(
        [
            r"% a comment = not maths",
            r"\begin{equation}\label{eq:mine}",
            r"\begin{aligned}",
            r"  A &= B && \text{why, with $\frac{1}{1 + e^{-z}}$ inside} \\",
            r"    &= C = D. \nonumber",
            r"\end{aligned}",
            r"\end{equation}",
        ]
    )
    assert sides(text) == [
        [("A", 4, 3, False), ("B", 4, 8, False)],
        [("", 5, 6, True), ("C", 5, 8, False), ("D", 5, 12, False)],
    ]


def test_a_row_is_not_cut_inside_braces_or_a_matrix() -> None:
    text = r"$$ \sum_{i=1}^{n} a = \left[\begin{matrix} p \\ q \end{matrix}\right] $$"
    assert [s[0] for s in sides(text)[0]] == [
        r"\sum_{i=1}^{n} a",
        r"\left[\begin{matrix} p \\ q \end{matrix}\right]",
    ]


def test_a_file_without_displays_has_no_equations() -> None:
    assert sides("Just $x$ and `$$`.") == []


def test_a_row_is_not_cut_inside_an_iverson_bracket() -> None:
    # [c = d] is one number, 1 when c = d: the book writes it for the Kronecker delta
    text = r"$$ \frac{\partial z_d}{\partial z_c} = [c = d] $$"
    assert [s[0] for s in sides(text)[0]] == [r"\frac{\partial z_d}{\partial z_c}", "[c = d]"]
