"""Parallel pages never collide: kernels on Unix sockets of their own, patient cache reads."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import nbformat
import pytest
from nbclient import NotebookClient

from xentropy.sphinxext import execution

pytestmark = pytest.mark.book  # starts real kernels


class _App:
    """Just enough of Sphinx's application for the extension's setup."""

    def __init__(self) -> None:
        self.handlers: dict[str, object] = {}

    def connect(self, event: str, handler: object) -> None:
        self.handlers[event] = handler


def notebook(code: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(code))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


@pytest.fixture(scope="module")
def isolated() -> object:
    app = _App()
    execution.setup(app)
    execution.setup(app)  # a second setup in the same process wraps nothing twice
    yield app
    app.handlers["build-finished"](app, None)


def test_every_kernel_manager_gets_unix_sockets_of_its_own(isolated: object) -> None:
    managers = [NotebookClient(notebook("1")).create_kernel_manager() for _ in range(3)]
    assert {m.transport for m in managers} == {"ipc"}
    paths = [m.ip for m in managers]
    assert len(set(paths)) == 3
    assert {os.path.dirname(p) for p in paths} == {execution.socket_directory()}
    assert oct(os.stat(execution.socket_directory()).st_mode & 0o777) == "0o700"


def execute(number: int) -> str:
    nb = notebook(f"print({number} * {number})")
    NotebookClient(nb, timeout=120).execute()
    return str(nb.cells[0].outputs[0]["text"]).strip()


def test_kernels_started_at_once_all_run_and_leave_no_socket_behind(isolated: object) -> None:
    # Forked, as Sphinx's parallel readers are: they inherit the isolated managers.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=4, mp_context=context) as pool:
        assert list(pool.map(execute, range(4))) == ["0", "1", "4", "9"]
    assert os.listdir(execution.socket_directory()) == []


def test_the_socket_folder_is_removed_when_the_build_ends() -> None:
    app = _App()
    execution.setup(app)
    folder = execution.socket_directory()
    assert os.path.isdir(folder)
    app.handlers["build-finished"](app, None)
    assert not os.path.exists(folder)


class _Client:
    """A stand-in for MyST-NB's cache client: fails as told, then succeeds."""

    def __init__(self, failures: list[Exception], code: bool = True) -> None:
        self.failures = failures
        self.calls = 0
        self.messages: list[str] = []
        self.logger = self
        cell = nbformat.v4.new_code_cell("1") if code else nbformat.v4.new_markdown_cell("text")
        self.notebook = nbformat.v4.new_notebook(cells=[cell])

    def info(self, message: str) -> None:
        self.messages.append(message)

    def start_client(self) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)


HALF_WRITTEN = KeyError("Notebook file does not exist for cache record PK: 1")


def test_a_half_written_cache_record_is_read_again_until_it_is_complete(monkeypatch) -> None:
    monkeypatch.setattr(execution.time, "sleep", lambda seconds: None)
    start = execution.retrying_half_written_records(_Client.start_client)
    replaced = KeyError("Cache record not found for NB with PK: 1")
    being_made = FileExistsError("File exists: '_build/.jupyter_cache/executed/ca48'")
    client = _Client([HALF_WRITTEN, replaced, being_made])
    start(client)
    assert client.calls == 4
    assert len(client.messages) == 3
    assert all("WARNING" not in m and "reading the cache again" in m for m in client.messages)


def test_other_errors_and_a_record_that_never_completes_still_fail(monkeypatch) -> None:
    monkeypatch.setattr(execution.time, "sleep", lambda seconds: None)
    start = execution.retrying_half_written_records(_Client.start_client)
    other = _Client([KeyError("something else")])
    with pytest.raises(KeyError, match="something else"):
        start(other)
    assert other.calls == 1
    never = _Client([HALF_WRITTEN] * execution.CACHE_ATTEMPTS)
    with pytest.raises(KeyError, match="Notebook file does not exist"):
        start(never)
    assert never.calls == execution.CACHE_ATTEMPTS


def test_a_page_without_code_skips_the_cache() -> None:
    start = execution.retrying_half_written_records(_Client.start_client)
    prose = _Client([HALF_WRITTEN], code=False)
    start(prose)
    assert prose.calls == 0
