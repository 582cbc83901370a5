"""The book's kernels run on Unix sockets of their own, so parallel pages never share a port."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import nbformat
import pytest
from nbclient import NotebookClient

from xentropy.sphinxext import kernels

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
    kernels.setup(app)
    kernels.setup(app)  # a second setup in the same process wraps nothing twice
    yield app
    app.handlers["build-finished"](app, None)


def test_every_kernel_manager_gets_unix_sockets_of_its_own(isolated: object) -> None:
    managers = [NotebookClient(notebook("1")).create_kernel_manager() for _ in range(3)]
    assert {m.transport for m in managers} == {"ipc"}
    paths = [m.ip for m in managers]
    assert len(set(paths)) == 3
    assert {os.path.dirname(p) for p in paths} == {kernels.socket_directory()}
    assert oct(os.stat(kernels.socket_directory()).st_mode & 0o777) == "0o700"


def execute(number: int) -> str:
    nb = notebook(f"print({number} * {number})")
    NotebookClient(nb, timeout=120).execute()
    return str(nb.cells[0].outputs[0]["text"]).strip()


def test_kernels_started_at_once_all_run_and_leave_no_socket_behind(isolated: object) -> None:
    # Forked, as Sphinx's parallel readers are: they inherit the isolated managers.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=4, mp_context=context) as pool:
        assert list(pool.map(execute, range(4))) == ["0", "1", "4", "9"]
    assert os.listdir(kernels.socket_directory()) == []


def test_the_socket_folder_is_removed_when_the_build_ends() -> None:
    app = _App()
    kernels.setup(app)
    folder = kernels.socket_directory()
    assert os.path.isdir(folder)
    app.handlers["build-finished"](app, None)
    assert not os.path.exists(folder)
