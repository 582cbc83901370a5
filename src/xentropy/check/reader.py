r"""Read one side of an equation, written in LaTeX in the book's notation, as a SymPy expression.

The grammar is Lark's (an LALR(1) parser, with the line, column and expected tokens of every
error); it reads the LaTeX a student writes for this kind of derivation: sums and differences,
products written side by side or with ``\cdot``, ``\frac``, ``/``, powers, ``\left( \right)``,
``[c = d]``, ``\sigma``, ``\sigma'``, ``\ln``, ``\log``, ``\exp`` and ``e^{...}``, sums ``\sum_x``,
``\sum_i`` or ``\sum_{i=1}^{n}`` (over the rest of the product, as they are read),
∂-fractions ``\frac{\partial C_x}{\partial w_j}``, ``\frac{\partial}{\partial w_j}\left(...\right)``
and ``\partial C/\partial b``, column vectors (``\begin{matrix}``), ``^{T}`` and ``\circ``.
What a name means (``x_j``, ``C_x``, ``w^{L}_{jk}``) is not in the grammar: a
:class:`~xentropy.check.vocabulary.Vocabulary` says it, from the notation the book prints.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import lark
import sympy as sp
from sympy.matrices.expressions.hadamard import HadamardProduct

from xentropy.check.vocabulary import Vocabulary
from xentropy.expressions import sigma, sigma_prime

__all__ = ["GRAMMAR", "ReadError", "ShapeMismatch", "read"]

Tree = lark.Tree[lark.Token]
Node = Tree | lark.Token

GRAMMAR = r"""
?start: expr

?expr: hadamard
    | expr "+" hadamard             -> add
    | expr "-" hadamard             -> sub
?hadamard: term
    | hadamard (CIRC | ODOT) term   -> hadamard
?term: product
    | "-" term                      -> neg
    | "+" term
product: factor
    | product factor
    | product (CDOT | TIMES) factor
    | product SLASH factor          -> divide

?factor: scripted
    | primary
    | primary script+               -> postfix
    | sum_op
    | frac
    | partial_slash

scripted: name script*
?name: LETTER | COMMAND | accent
accent: ACCENT "{" expr "}"
script: "_" sarg                   -> sub
    | "^" sarg                      -> sup
    | PRIME                         -> prime
?sarg: "{" expr "}" | LETTER | NUMBER | COMMAND

?primary: NUMBER                    -> number
    | "(" expr ")"                  -> group
    | "[" expr "]"                  -> group
    | "[" expr "=" expr "]"         -> iverson
    | "{" expr "}"                  -> group
    | function
    | matrix

function: FUNC fprime? farg
fprime: PRIME | "^" "{" PRIME_CMD "}" | "^" PRIME_CMD
farg: "(" expr ")" | "{" expr "}" | "[" expr "]" | scripted | function

sum_op: SUM ("_" sum_lower)? ("^" sarg)?
sum_lower: "{" sum_index ("=" expr)? "}" | LETTER
sum_index: LETTER PRIME?

frac: FRAC "{" expr "}" "{" expr "}"                         -> fraction
    | FRAC "{" PARTIAL ("^" sarg)? expr? "}" "{" dvars "}"   -> derivative
dvars: (PARTIAL scripted)+
partial_slash: PARTIAL scripted SLASH PARTIAL scripted

matrix: BEGIN "{" MATENV "}" mrow (ROWSEP mrow)* ROWSEP? END "{" MATENV "}"
mrow: expr ("&" expr)*

FRAC.2: /\\[dt]?frac(?![a-zA-Z])/
PARTIAL.2: /\\partial(?![a-zA-Z])/
SUM.2: /\\sum(?![a-zA-Z])/
FUNC.2: /\\(sigma|ln|log|exp)(?![a-zA-Z])/
PRIME_CMD.2: /\\prime(?![a-zA-Z])/
ACCENT.2: /\\(tilde|hat|bar|mathbf|boldsymbol|bm)(?![a-zA-Z])/
CDOT.2: /\\cdot(?![a-zA-Z])/
TIMES.2: /\\times(?![a-zA-Z])/
CIRC.2: /\\circ(?![a-zA-Z])/
ODOT.2: /\\odot(?![a-zA-Z])/
BEGIN.2: /\\begin(?![a-zA-Z])/
END.2: /\\end(?![a-zA-Z])/
MATENV: "matrix" | "pmatrix" | "bmatrix"
ROWSEP: "\\\\"
SLASH: "/"
PRIME: "'"
COMMAND: /\\[a-zA-Z]+/
LETTER: /[a-zA-Z]/
NUMBER: /[0-9]+(\.[0-9]+)?/

IGNORED.3: /\\(left|right|[bB]igg?[lr]?|middle|displaystyle|limits|nolimits|q?quad)(?![a-zA-Z])/
    | /\\[,;:! ]/
%ignore IGNORED
%ignore /\s+/
"""

_PARSER = lark.Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)

#: What a token is, in words, for a message about what was expected.
_WORDS = {
    "LETTER": "a letter",
    "NUMBER": "a number",
    "COMMAND": "a command such as \\lambda",
    "RPAR": ")",
    "LPAR": "(",
    "RBRACE": "}",
    "LBRACE": "{",
    "RSQB": "]",
    "LSQB": "[",
    "PLUS": "+",
    "MINUS": "-",
    "EQUAL": "=",
    "CIRCUMFLEX": "^",
    "UNDERSCORE": "_",
    "AMPERSAND": "&",
    "$END": "the end of the expression",
    "FRAC": "\\frac",
    "PARTIAL": "\\partial",
    "SUM": "\\sum",
    "FUNC": "\\sigma, \\ln, \\log or \\exp",
    "PRIME": "'",
    "PRIME_CMD": "\\prime",
    "ACCENT": "\\mathbf{...}",
    "CDOT": "\\cdot",
    "TIMES": "\\times",
    "CIRC": "\\circ",
    "ODOT": "\\odot",
    "BEGIN": "\\begin{matrix}",
    "END": "\\end{matrix}",
    "ROWSEP": "\\\\",
    "SLASH": "/",
    "MATENV": "matrix",
}


class ReadError(ValueError):
    """LaTeX the checker cannot read: where (line and column), the token, and what was expected.

    Attributes
    ----------
    line, column : int
        Where, counted from 1 in the text that was read.
    token : str
        What was found there.
    expected : str
        What the reader expected instead, in words.
    """

    def __init__(self, line: int, column: int, token: str, expected: str) -> None:
        self.line, self.column, self.token, self.expected = line, column, token, expected
        super().__init__(f"line {line}, column {column}: cannot read {token!r}; {expected}")


class ShapeMismatch(ValueError):
    """Matrices whose shapes do not fit in a product or a sum: the line reads, and is wrong."""


@dataclass(frozen=True)
class _Operator:
    """A sum or a derivative with nothing after it yet: it applies to the rest of the product."""

    apply: Callable[[sp.Expr], sp.Expr]
    what: str


@dataclass(frozen=True)
class _Dangling:
    r"""A product that ends in a sum or a ∂, such as ``\frac{1}{n}\sum_x`` before ``- t``."""

    factors: list[tuple[Any, bool]]
    complete: Callable[[Any], Any]

    @property
    def what(self) -> str:
        return str(self.factors[-1][0].what)


def read(tex: str, vocabulary: Vocabulary, *, line: int = 1, column: int = 1) -> sp.Basic:
    r"""The SymPy expression that ``tex``, one side of an equation, stands for.

    Parameters
    ----------
    tex : str
        LaTeX of one expression.
    vocabulary : Vocabulary
        What its names mean.
    line, column : int
        Where ``tex`` starts in the text it came from, for the position in a :class:`ReadError`.

    Raises
    ------
    ReadError
        Naming the line, the column, the token and what was expected.

    Examples
    --------
    >>> from xentropy.check.vocabulary import nielsen
    >>> read(r"\frac{1}{n}\sum_x x_j\left(\sigma(z) - y\right)", nielsen())
    Sum((σ(z[i]) - y[i])*x[i, j], (i, 1, n))/n
    >>> read(r"x_j (\sigma(z) - y", nielsen())
    Traceback (most recent call last):
    ...
    xentropy.check.reader.ReadError: line 1, column 19: cannot read 'the end of the line'; ...
    """
    where = _Where(tex, line, column)
    try:
        tree = _PARSER.parse(tex)
    except lark.exceptions.UnexpectedInput as error:
        raise where.unexpected(error) from None
    return _Translator(tex, vocabulary, where).expression(tree)


class _Where:
    """Turns a position in the text read into the line and column of the text it came from."""

    def __init__(self, tex: str, line: int, column: int) -> None:
        self.tex, self.line, self.column = tex, line, column

    def at(self, offset: int) -> tuple[int, int]:
        before = self.tex[:offset]
        lines = before.count("\n")
        if lines == 0:
            return self.line, self.column + offset
        return self.line + lines, offset - before.rfind("\n")

    def error(self, offset: int, token: str, expected: str) -> ReadError:
        return ReadError(*self.at(offset), token, expected)

    def unexpected(self, error: lark.exceptions.UnexpectedInput) -> ReadError:
        if isinstance(error, lark.exceptions.UnexpectedCharacters):
            offset = error.pos_in_stream or 0
            token, allowed = self.tex[offset], set(error.allowed)
        elif isinstance(error, lark.exceptions.UnexpectedEOF):
            offset, token = len(self.tex.rstrip()), "the end of the line"
            allowed = {str(name) for name in error.expected}
        else:
            assert isinstance(error, lark.exceptions.UnexpectedToken)
            end = error.token.type == "$END"
            offset = len(self.tex.rstrip()) if end else (error.token.start_pos or 0)
            token = "the end of the line" if end else str(error.token)
            allowed = set(error.expected)
        return self.error(offset, token, "expected " + _expected(allowed))


def _expected(names: Iterable[str]) -> str:
    literal = {t.name: t.pattern.value for t in _PARSER.terminals if t.pattern.type == "str"}
    words = sorted({_WORDS.get(n) or literal.get(n) or n for n in names if n != "IGNORED"})
    if len(words) > 8:
        words = [*words[:8], "..."]
    return "one of: " + ", ".join(words) if len(words) > 1 else "".join(words)


class _Translator:
    """From Lark's tree to SymPy, names looked up in the vocabulary."""

    def __init__(self, tex: str, vocabulary: Vocabulary, where: _Where) -> None:
        self.tex, self.vocabulary, self.where = tex, vocabulary, where

    # -- helpers ---------------------------------------------------------------------------

    def text(self, node: Node) -> str:
        if isinstance(node, lark.Token):
            return str(node)
        return self.tex[node.meta.start_pos : node.meta.end_pos]

    def start(self, node: Node) -> int:
        return (node.start_pos or 0) if isinstance(node, lark.Token) else node.meta.start_pos

    def end(self, node: Node) -> int:
        return (node.end_pos or 0) if isinstance(node, lark.Token) else node.meta.end_pos

    def fail(self, node: Node, expected: str) -> ReadError:
        return self.where.error(self.start(node), self.text(node), expected)

    def unknown(self, node: Node) -> ReadError:
        text = self.text(node)
        if text.strip() in ("\\dots", "\\ldots", "\\cdots"):
            return self.fail(node, "expected a sum written with \\sum: … leaves its terms unsaid")
        shown = ", ".join(self.vocabulary.examples[:14])
        also = ""
        if text[:1].isupper() or text.startswith("\\mathbf"):
            also = " (for the matrix form, read in its notation: --as gradient-matrix-form)"
        return self.fail(
            node, f"expected a symbol of {self.vocabulary.name}, such as {shown}{also}"
        )

    def known(self, node: Node) -> sp.Basic | None:
        return self.vocabulary.get(self.text(node))

    # -- the grammar's rules -----------------------------------------------------------------

    def expression(self, node: Node) -> Any:
        value = self.value(node)
        if isinstance(value, _Operator | _Dangling):
            raise self.fail(node, f"{value.what} needs something after it to apply to")
        return value

    def value(self, node: Node) -> Any:
        if isinstance(node, lark.Token):
            return self.token(node)
        rule = getattr(self, f"rule_{_kind(node)}", None)
        if rule is None:  # pragma: no cover - every rule of GRAMMAR has a method
            raise self.fail(node, f"(no reading of {_kind(node)})")
        return rule(node)

    def token(self, token: lark.Token) -> Any:
        if token.type == "NUMBER":
            return sp.Rational(str(token))
        found = self.known(token)
        if found is None:
            raise self.unknown(token)
        return found

    def rule_number(self, node: Tree) -> Any:
        return sp.Rational(str(_kids(node)[0]))

    def rule_group(self, node: Tree) -> Any:
        return self.expression(_kids(node)[0])

    def rule_iverson(self, node: Tree) -> Any:
        """``[c = d]``: 1 when c = d, 0 otherwise (Iverson's bracket, the book's Kronecker δ)."""
        left, right = _kids(node)
        return sp.KroneckerDelta(self.index(left), self.index(right))

    def index(self, node: Node) -> Any:
        """An index of the notation (``c``, ``d'``), or a number."""
        found = self.vocabulary.indices.get(self.text(node).replace(" ", ""))
        return found if found is not None else self.expression(node)

    def rule_add(self, node: Tree) -> Any:
        left, right = _kids(node)
        return self.after(left, self.expression(right), operator.add)

    def rule_sub(self, node: Tree) -> Any:
        left, right = _kids(node)
        return self.after(left, self.expression(right), operator.sub)

    def after(self, left: Node, right: Any, op: Callable[[Any, Any], Any]) -> Any:
        r"""``left op right``; but ``\sum_x - t`` is the sum of ``-t``, as it is read."""
        value = self.value(left)
        if isinstance(value, _Dangling):
            return value.complete(op(0, right))
        if isinstance(value, _Operator):
            return value.apply(op(0, right))
        return _fitted(op, value, right)

    def rule_neg(self, node: Tree) -> Any:
        return -self.expression(_kids(node)[0])

    def rule_hadamard(self, node: Tree) -> Any:
        left, _, right = _kids(node)
        p, q = self.expression(left), self.expression(right)
        if isinstance(p, sp.MatrixBase) and isinstance(q, sp.MatrixBase):
            return p.multiply_elementwise(q)
        if isinstance(p, sp.MatrixBase | sp.MatrixExpr):
            return HadamardProduct(p, q)
        return p * q

    def rule_product(self, node: Tree) -> Any:
        return self.fold(self.factors(node), node)

    rule_divide = rule_product

    def factors(self, node: Node) -> list[tuple[Any, bool]]:
        """The factors of a product, left to right, each with whether it divides."""
        if not isinstance(node, lark.Tree) or _kind(node) not in ("product", "divide"):
            return [(self.value(node), False)]
        *rest, last = [c for c in _kids(node) if not _is_operator_token(c)]
        divides = _kind(node) == "divide"
        head = self.factors(rest[0]) if rest else []
        return [*head, (self.value(last), divides)]

    def fold(self, factors: list[tuple[Any, bool]], node: Tree) -> Any:
        """Multiply from the right, so that a sum or a ∂ applies to the rest of the product."""
        if len(factors) > 1 and isinstance(factors[-1][0], _Operator):
            return _Dangling(factors, lambda rest: self.fold([*factors, (rest, False)], node))
        result: Any = None
        for value, divides in reversed(factors):
            if isinstance(value, _Operator):
                if result is None:
                    raise self.fail(node, f"{value.what} needs something after it to apply to")
                result = value.apply(result)
                continue
            value = 1 / value if divides else value
            result = value if result is None else _fitted(operator.mul, value, result)
        return result

    def rule_scripted(self, node: Tree) -> Any:
        found = self.scripted(node)
        if found is not None:
            return found
        base, *scripts = _kids(node)
        if scripts and _kind(scripts[-1]) == "sup":
            inner = self.tex[self.start(node) : self.start(scripts[-1])]
            power = _kids(scripts[-1])[0]
            if self.text(base) == "e" and len(scripts) == 1:
                return sp.exp(self.expression(power))
            found = self.vocabulary.get(inner)
            if found is not None:
                return self.raise_to(found, power)
        raise self.unknown(node)

    def scripted(self, node: Tree) -> sp.Basic | None:
        """What a name with its scripts means, its superscripts written before or after."""
        base, *scripts = _kids(node)
        texts = [self.text(s) for s in scripts]
        kinds = [_kind(s) for s in scripts]
        for order in (None, "sup", "sub"):
            if order is None:
                text = self.text(node)
            else:
                ranked = sorted(zip(kinds, texts, strict=True), key=lambda p: p[0] != order)
                text = self.text(base) + "".join(t for _, t in ranked)
            found = self.vocabulary.get(text)
            if found is not None:
                return found
        return None

    def rule_postfix(self, node: Tree) -> Any:
        if (found := self.known(node)) is not None:
            return found  # a name the printer writes like a bracket, such as σ'(z^{L-1})
        value = self.expression(_kids(node)[0])
        for script in _kids(node)[1:]:
            if _kind(script) != "sup":
                raise self.fail(script, "expected ^ after a bracket (a subscript names a symbol)")
            value = self.raise_to(value, _kids(script)[0])
        return value

    def raise_to(self, value: Any, power: Node) -> Any:
        if self.text(power).strip() == "T":
            if not isinstance(value, sp.MatrixBase | sp.MatrixExpr):
                raise self.fail(power, "a matrix before ^{T}: this is a number, not a matrix")
            return value.T
        if isinstance(value, sp.MatrixBase | sp.MatrixExpr):
            raise self.fail(power, "^{T} after a matrix")
        return value ** self.expression(power)

    def rule_function(self, node: Tree) -> Any:
        found = self.known(node)
        if found is not None:
            return found
        name, *rest = _kids(node)
        primed = len(rest) == 2
        argument = self.expression(_kids(rest[-1])[0])
        if str(name) == "\\sigma":
            f: Callable[[Any], Any] = sigma_prime if primed else sigma
        elif primed:
            raise self.fail(rest[0], f"no prime after {name}: only \\sigma' is known")
        else:
            f = sp.exp if str(name) == "\\exp" else sp.log
        if isinstance(argument, sp.MatrixBase | sp.MatrixExpr):
            if primed:
                raise self.fail(node, "\\sigma' of a number, not of a matrix")
            return argument.applyfunc(f)
        return f(argument)

    def rule_fraction(self, node: Tree) -> Any:
        _, top, bottom = _kids(node)
        return self.expression(top) / self.expression(bottom)

    def rule_derivative(self, node: Tree) -> Any:
        _, partial, *rest = _kids(node)
        dvars = rest[-1]
        order = 1
        inner = rest[:-1]
        if inner and self.tex[self.end(partial) : self.start(inner[0])].strip().startswith("^"):
            order = int(sp.sympify(self.text(inner[0])))
            inner = inner[1:]
        variables = self.variables(dvars)
        if sum(c for _, c in variables) != order:
            raise self.fail(dvars, f"{order} variables below a ∂^{order} above")
        if inner:
            return sp.Derivative(self.expression(inner[0]), *variables)
        return _Operator(lambda f: sp.Derivative(f, *variables), "the derivative ∂/∂…")

    def variables(self, dvars: Node) -> list[tuple[sp.Basic, int]]:
        out = []
        for scripted in _kids(dvars)[1::2]:
            found = self.known(scripted)
            count = 1
            if found is None and _kind(_kids(scripted)[-1]) == "sup":
                inner = self.tex[self.start(scripted) : self.start(_kids(scripted)[-1])]
                found = self.vocabulary.get(inner)
                count = int(sp.sympify(self.text(_kids(_kids(scripted)[-1])[0])))
            if found is None:
                raise self.unknown(scripted)
            out.append((found, count))
        return out

    def rule_partial_slash(self, node: Tree) -> Any:
        _, top, _, _, bottom = _kids(node)
        return sp.Derivative(self.expression(top), self.expression(bottom))

    def rule_sum_op(self, node: Tree) -> Any:
        _, *parts = _kids(node)
        if not parts or not isinstance(parts[0], lark.Tree) or _kind(parts[0]) != "sum_lower":
            raise self.fail(
                node, "expected \\sum_x, \\sum_i or \\sum_{i=1}^{n}: the index summed over"
            )
        lower, *upper = parts
        index_node, *start = _kids(lower)
        name = self.text(index_node).replace(" ", "")
        index = self.vocabulary.indices.get(name)
        if index is None:
            known = ", ".join(self.vocabulary.indices)
            raise self.fail(index_node, f"expected an index of the notation: {known}")
        low = self.expression(start[0]) if start else index.lower
        high = self.expression(upper[0]) if upper else index.upper
        if low is None or high is None:
            raise self.fail(node, f"the range of {name}: \\sum_{{{name}=1}}^{{...}}")
        return _Operator(lambda f: sp.Sum(f, (index, low, high)), "the sum \\sum")

    def rule_matrix(self, node: Tree) -> Any:
        _, env, *rows, _, closing = _kids(node)
        if str(env) != str(closing):
            raise self.fail(closing, f"\\end{{{env}}}")
        values = [
            [self.expression(e) for e in _kids(row)]
            for row in rows
            if isinstance(row, lark.Tree) and _kind(row) == "mrow"
        ]
        return sp.Matrix(values)


def _fitted(op: Callable[[Any, Any], Any], p: Any, q: Any) -> Any:
    try:
        return op(p, q)
    except (sp.ShapeError, TypeError, ValueError) as error:
        raise ShapeMismatch(str(error)) from None


def _is_operator_token(node: Node) -> bool:
    return isinstance(node, lark.Token) and node.type in ("CDOT", "TIMES", "SLASH")


def _kids(node: Node) -> list[Node]:
    return list(node.children) if isinstance(node, lark.Tree) else []


def _kind(node: Node) -> str:
    return str(node.data) if isinstance(node, lark.Tree) else node.type
