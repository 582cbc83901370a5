"""Collect the examples in the docstrings, the book's Markdown and the README as tests.

Hypothesis runs derandomized, with 2000 examples per property (the profile
"xentropy"); ``make check`` passes ``--hypothesis-profile=quick`` for 100.

Sybil reads MyST Markdown as MyST: ```python fences and {doctest} directives
holding ``>>>`` examples are run; executed notebook cells ({code-cell}) are not
doctests and are checked by building the book (tests/test_book.py).
"""

from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from typing import Any

import pytest
from hypothesis import settings
from sybil import Sybil
from sybil.parsers import myst, rest

FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE

settings.register_profile(
    "xentropy", max_examples=2000, derandomize=True, deadline=None, database=None
)
settings.register_profile("quick", settings.get_profile("xentropy"), max_examples=100)
settings.load_profile("xentropy")

_markdown_parsers = [
    myst.PythonCodeBlockParser(doctest_optionflags=FLAGS),
    myst.DocTestDirectiveParser(optionflags=FLAGS),
    myst.SkipParser(),
]

_sybils = Sybil(parsers=_markdown_parsers, path="docs", patterns=["*.md"], name="docs") + Sybil(
    parsers=_markdown_parsers, path=".", filenames=["README.md"], name="readme"
)
_sybils.append(
    Sybil(
        parsers=[rest.DocTestParser(optionflags=FLAGS)], path="src", patterns=["*.py"], name="src"
    )
)
pytest_collect_file = _sybils.pytest()


#: The test files that build every derivation of the book: make check runs them on one worker,
#: which builds the derivations once for all of them, rather than once on each worker.
BUILD_EVERY_DERIVATION = {"tests/test_cli.py", "tests/test_registry.py"}


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, absent under -p no:xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``--dist=loadfile`` (make check): the tests of a file run on one worker, since the
    examples of a file share a namespace, and the files of :data:`BUILD_EVERY_DERIVATION` share
    one worker."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FilesAndDerivations(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = super()._split_scope(nodeid)
            return "every derivation" if file in BUILD_EVERY_DERIVATION else file

    return FilesAndDerivations(config, log)
