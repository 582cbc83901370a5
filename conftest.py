"""Collect the examples in the docstrings, the book's Markdown and the README as tests.

Hypothesis runs derandomized, with 2000 examples per property (the profile
"xentropy"); ``make check`` passes ``--hypothesis-profile=quick`` for 50.

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
settings.register_profile("quick", settings.get_profile("xentropy"), max_examples=50)
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


#: The test files (a name ending in / stands for a folder's) that build the book's derivations,
#: every one or those of a topic: they run on one worker, which builds each derivation once for
#: all of them, rather than once on each worker.
BUILD_THE_DERIVATIONS = (
    "tests/test_cli.py",
    "tests/test_registry.py",
    "tests/symbolic/",
    "tests/check/test_round_trip.py",
    "tests/check/test_vocabulary.py",
)
#: The tests of the built book (make test), which the first of them to ask for builds, once for
#: every worker (tests/conftest.py, ``book_build``).
BOOK_TESTS = "tests/book/"
#: The longest of them, which asks for the book first: it is handed out before anything else, so
#: that the build is under way while the other workers run tests that need no book.
FIRST = "tests/book/test_browser.py"
#: Files of long tests that share nothing but session fixtures: each test is handed out alone.
ONE_TEST_AT_A_TIME = (
    "tests/book/test_build.py",
    "tests/book/test_repro.py",
    "tests/numeric/test_properties.py",
    "tests/numeric/test_softmax.py",
)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, absent under -p no:xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``--dist=loadfile`` (make check, make test): the tests of a file run on one worker,
    since the examples of a file share a namespace and a module's fixtures are made once; the
    files of :data:`BUILD_THE_DERIVATIONS` share one worker; :data:`FIRST` goes first, and the
    other book tests go to its worker, or, once no other work is left, to any."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = super()._split_scope(nodeid)
            if file in ONE_TEST_AT_A_TIME:
                return nodeid
            shared = any(
                file == p or (file.startswith(p) and p.endswith("/")) for p in BUILD_THE_DERIVATIONS
            )
            return "the derivations" if shared else file

        def _assign_work_unit(self, node: Any) -> None:
            # The work queue is in xdist's order; the unit to hand out next is moved to its front.
            held = self.assigned_work.get(node, {})
            waits = any(s.startswith(BOOK_TESTS) and not all(u.values()) for s, u in held.items())

            def rank(scope: str) -> int:
                if scope.startswith(FIRST):
                    return 0
                if scope.startswith(BOOK_TESTS):
                    return 0 if waits else 2
                return 1

            self.workqueue.move_to_end(min(self.workqueue, key=rank), last=False)
            super()._assign_work_unit(node)

    return Scheduling(config, log)
