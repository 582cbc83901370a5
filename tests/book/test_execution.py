"""Parallel pages never collide: kernels on Unix sockets of their own, patient cache reads;
and each page's kernel is a fork of a server that imported what the pages import."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import time
from collections.abc import Callable
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from jupyter_client import KernelManager
from nbclient import NotebookClient

from xentropy.sphinxext import execution
from xentropy.sphinxext import forkserver

pytestmark = pytest.mark.book  # starts real kernels


class _App:
    """Just enough of Sphinx's application for the extension's setup."""

    def __init__(self) -> None:
        self.handlers: list[tuple[int, str, Callable[..., object]]] = []

    def connect(self, event: str, handler: Callable[..., object], priority: int = 500) -> None:
        self.handlers.append((priority, event, handler))

    def emit(self, event: str, *arguments: object) -> None:
        """Call ``event``'s handlers in the order Sphinx would: by priority, then as connected."""
        for _, name, handler in sorted(self.handlers, key=lambda h: h[0]):
            if name == event:
                handler(self, *arguments)


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
    app.emit("build-finished", None)


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
    app.emit("build-finished", None)
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


# --- Kernels forked from the kernel server -----------------------------------------------

WHO = "import os, sys; print(os.getpid(), os.getppid(), os.getcwd(), 'fractions' in sys.modules)"


def run_in(folder: Path, *cells: str, **options: object) -> list[dict]:
    """Execute a notebook of ``cells`` with its working directory ``folder``; its outputs."""
    nb = notebook(cells[0])
    nb.cells += [nbformat.v4.new_code_cell(code) for code in cells[1:]]
    settings = {"timeout": 120, "resources": {"metadata": {"path": str(folder)}}} | options
    NotebookClient(nb, **settings).execute()
    return [output for cell in nb.cells for output in cell.outputs]


def who(folder: Path) -> tuple[int, int, str, bool]:
    pid, parent, cwd, preloaded = run_in(folder, WHO)[0]["text"].split()
    return int(pid), int(parent), cwd, preloaded == "True"


def book(folder: Path, read_before: bool = True) -> SimpleNamespace:
    """Just enough of Sphinx's application for the kernel server: a book in ``folder``."""
    return SimpleNamespace(
        srcdir=folder,
        config=SimpleNamespace(source_suffix={".md": "myst-nb"}),
        env=SimpleNamespace(all_docs={"page": 0.0} if read_before else {}),
    )


@pytest.fixture
def server(isolated: object, tmp_path: Path, write_pages) -> Iterator[subprocess.Popen]:
    """A kernel server for a book of one page that imports ``fractions``, read before: the
    server imports when the first kernel is asked for."""
    write_pages(tmp_path, {"page": "```{code-cell} ipython3\nimport fractions\n```\n"})
    execution.start_kernel_server(book(tmp_path))
    yield execution._SERVER["process"]
    execution.stop_kernel_server()
    assert forkserver.SERVER not in os.environ


def test_on_a_cold_build_the_server_imports_before_the_first_kernel_is_asked_for(
    isolated: object, tmp_path: Path, write_pages, capfd
) -> None:
    write_pages(tmp_path, {"page": "```{code-cell} ipython3\nimport fractions\n```\n"})
    execution.start_kernel_server(book(tmp_path, read_before=False))
    try:
        deadline = time.monotonic() + 30
        said = ""
        while "kernel server:" not in said and time.monotonic() < deadline:
            time.sleep(0.05)
            said += capfd.readouterr().err
        assert "modules imported" in said  # no kernel asked for yet
        assert who(tmp_path)[1:] == (execution._SERVER["process"].pid, str(tmp_path), True)
    finally:
        execution.stop_kernel_server()


def test_a_book_without_code_starts_no_server(isolated: object, tmp_path: Path, write_pages):
    write_pages(tmp_path, {"page": "Only prose.\n"})
    execution.start_kernel_server(book(tmp_path, read_before=False))
    assert execution._SERVER == {}
    assert forkserver.SERVER not in os.environ


def test_each_kernel_is_a_fresh_fork_of_the_server_which_imported_the_pages_modules(
    server: subprocess.Popen, tmp_path: Path
) -> None:
    first, second = who(tmp_path), who(tmp_path)
    assert first[0] != second[0]  # two processes...
    assert first[1] == second[1] == server.pid  # ...forked by the server...
    assert first[2] == second[2] == str(tmp_path)  # ...in the page's folder...
    assert first[3]
    assert second[3]


def test_without_a_server_or_asked_for_elsewhere_a_kernel_starts_the_usual_way(
    server: subprocess.Popen, tmp_path: Path
) -> None:
    who(tmp_path)  # the first request fixes the server's working directory
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _, parent, cwd, preloaded = who(elsewhere)
    assert (parent, cwd, preloaded) == (os.getpid(), str(elsewhere), False)
    execution.stop_kernel_server()
    _pid, parent, cwd, preloaded = who(tmp_path)
    assert (parent, preloaded) == (os.getpid(), False)


def test_an_interrupt_reaches_the_forked_kernel(server: subprocess.Popen, tmp_path: Path) -> None:
    outputs = run_in(
        tmp_path,
        "import time; time.sleep(60)",
        "print('still running')",
        timeout=3,
        interrupt_on_timeout=True,
        allow_errors=True,
    )
    assert outputs[0]["ename"] == "KeyboardInterrupt"
    assert outputs[1]["text"] == "still running\n"


def test_a_killed_launcher_takes_its_kernel_with_it(
    server: subprocess.Popen, tmp_path: Path
) -> None:
    manager = execution.isolate(KernelManager(kernel_name="python3"))
    manager.start_kernel(cwd=str(tmp_path))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        printed: list[str] = []

        def hook(message: dict) -> None:
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])

        client.execute_interactive("import os; print(os.getpid(), os.getppid())", output_hook=hook)
    finally:
        client.stop_channels()
    kernel, parent = map(int, "".join(printed).split())
    assert parent == server.pid
    # As nbclient ends a kernel that failed: SIGKILL to the launcher's process group, which
    # the kernel is not in.
    manager.shutdown_kernel(now=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(kernel):
        time.sleep(0.05)
    assert not _alive(kernel)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


def test_a_module_that_starts_a_thread_on_import_turns_forking_off(
    isolated: object, tmp_path: Path, write_pages, monkeypatch, capfd
) -> None:
    (tmp_path / "spinner.py").write_text(
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    write_pages(tmp_path, {"page": "```{code-cell} ipython3\nimport spinner\n```\n"})
    execution.start_kernel_server(book(tmp_path))
    try:
        _pid, parent, _cwd, _preloaded = who(tmp_path)
    finally:
        execution.stop_kernel_server()
    assert parent == os.getpid()  # started the usual way
    said = capfd.readouterr().err
    assert "not forking, importing started threads" in said
    assert "a kernel starts the usual way: importing started threads" in said
