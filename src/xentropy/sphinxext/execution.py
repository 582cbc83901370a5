"""Parallel execution that never collides: kernels on sockets of their own, cache reads retried.

MyST-NB executes the pages through nbclient, whose kernel manager by default
picks five free TCP ports by binding to port 0 and closing the sockets, then
writes them into the connection file for the kernel to bind. In a parallel
build several processes do this at once, and two kernels can be handed the
same port: the second dies with "Address already in use" and the build fails,
one time in many. A kernel on TCP also logs a warning for every page, that its
traffic is not encrypted.

Unix domain sockets ("ipc" transport) have neither problem when each kernel
has paths of its own. jupyter-client names them after ``ip``, which for ipc
defaults to ``kernel-ipc`` in the current directory: shared by every kernel,
so this gives each kernel manager nbclient creates a fresh ``ip`` in a
private directory, removed when the build ends. Only the manager's two
settings change; nbclient, jupyter-client and ipykernel do everything else.

jupyter-cache has races of its own: two pages whose code cells are the same
match one cache record, and one page's process can find a record that another
has entered but not yet written to disk ("Notebook file does not exist for
cache record"), is replacing ("Cache record not found"), or is creating the
folder of (FileExistsError). A page without code has nothing to execute or
cache, so it skips the cache altogether; any other page that meets a record in
flux reads the cache again a moment later, when the record is complete or
gone, instead of failing the build.

Sphinx's parallel build hands the pages out in fixed chunks, half of them to each process on
two cores, in alphabetical order: on a cold build the pages of one half executed 11 to 12 s
longer than those of the other, while the first process waited. Handed out one page at a time
instead, a process takes the next page as soon as it is done with one, and both finish within
a page of each other; each page's progress and execution time is reported when it is read.
Writing takes the same chunks (3 s instead of 7 for the book's pages).

Each page's kernel is forked from a server that has imported Jupyter's kernel and what the
pages to be read import (``forkserver.py``, which says why and how): started, on a socket in
the same private directory, before the pages are read, and only if one of them has code;
stopped when the build ends.

What Sphinx has made by the time the pages are read (its modules, the extensions', the
configuration, SymPy's and NumPy's when the package is imported: 240 000 objects) lives until
the build ends, yet Python's garbage collector went through all of it at each of its full
collections, 2 s of a cold build's main process, and again as the process exited, 1.2 s after
every build had printed its last line. :func:`gc.freeze` exempts it, once before the pages are
read and once when the build is done.
"""

from __future__ import annotations

import gc
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from . import forkserver

_SOCKETS: dict[str, Any] = {}
_SERVER: dict[str, Any] = {}


def socket_directory() -> str:
    """The directory holding the kernels' sockets (mode 0700), made on first use.

    Sphinx's parallel readers are forked from the process that ran :func:`setup`, which
    makes the directory first, so they share it and that process removes it.
    """
    if "path" not in _SOCKETS:
        # Short: a Unix socket's path is limited to about 100 bytes.
        _SOCKETS["path"] = tempfile.mkdtemp(prefix="xentropy-kernels-")
        _SOCKETS["owner"] = os.getpid()
    return str(_SOCKETS["path"])


def isolate(kernel_manager: Any) -> Any:
    """Set a kernel manager to use Unix sockets at paths no other kernel uses, and, while the
    kernel server runs, to start its kernel by the server's launcher; return it."""
    kernel_manager.transport = "ipc"
    kernel_manager.ip = os.path.join(socket_directory(), uuid.uuid4().hex[:16])
    if os.environ.get(forkserver.SERVER):
        spec = kernel_manager.kernel_spec
        if spec is not None and spec.argv[1:3] == ["-m", forkserver.KERNEL_MODULE]:
            launched = type(spec)(resource_dir=spec.resource_dir, **spec.to_dict())
            launched.argv = [spec.argv[0], forkserver.__file__, "launch", *spec.argv[3:]]
            # The property kernel_spec reads this cache, filled from the kernel spec manager.
            kernel_manager._kernel_spec = launched
    return kernel_manager


def _wrap(create: Any) -> Any:
    def create_kernel_manager(self: Any) -> Any:
        return isolate(create(self))

    create_kernel_manager.xentropy_isolated = True  # type: ignore[attr-defined]
    create_kernel_manager.__doc__ = create.__doc__
    return create_kernel_manager


#: How many times a page reads the cache before a half-written record fails the build.
CACHE_ATTEMPTS = 5
# What jupyter-cache says of a record that another process is writing or replacing.
_RECORD_IN_FLUX = ("Notebook file does not exist for cache record", "Cache record not found")


def retrying_half_written_records(start_client: Callable[[Any], None]) -> Callable[[Any], None]:
    """``start_client`` of MyST-NB's cache client, tried again while a record is half-written."""

    def start_client_retrying(self: Any) -> None:
        if not any(cell.cell_type == "code" for cell in self.notebook.cells):
            return  # nothing to execute: the notebook is shown as it is
        for attempt in range(1, CACHE_ATTEMPTS + 1):
            try:
                start_client(self)
                return
            except (KeyError, FileExistsError) as error:
                in_flux = isinstance(error, FileExistsError) or any(
                    m in str(error) for m in _RECORD_IN_FLUX
                )
                if not in_flux or attempt == CACHE_ATTEMPTS:
                    raise
                self.logger.info(
                    f"the cache record this page matches is being written by another process; "
                    f"reading the cache again (attempt {attempt + 1})"
                )
                time.sleep(0.25 * attempt)

    start_client_retrying.xentropy_retrying = True  # type: ignore[attr-defined]
    return start_client_retrying


def one_page_a_chunk(arguments: Sequence[Any], nproc: int, maxbatch: int = 10) -> list[Any]:
    """Sphinx's ``make_chunks`` for pages that each take seconds: a chunk per page.

    >>> one_page_a_chunk(["backprop", "index", "softmax"], nproc=2)
    [['backprop'], ['index'], ['softmax']]
    """
    return [[argument] for argument in arguments]


def start_kernel_server(app: Any) -> None:
    """Start the kernel server, with the modules the pages import, if any page has code.

    On a build with nothing read before (a cold build, which executes every page), the server
    imports at once, beside Sphinx's own start; otherwise when the first kernel is asked for.
    """
    from .cache import page_code, page_imports, source_files

    codes = [page_code(p) for p in source_files(app)]
    if _SERVER or not any(codes):
        return
    modules = sorted(set().union(*(page_imports(code) for code in codes)))
    path = os.path.join(socket_directory(), f"server-{uuid.uuid4().hex[:8]}")
    # Bound and listening here, before the server has started: a launcher that comes first
    # waits in the queue instead of finding no socket.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(path)
        listener.listen(64)
        os.environ[forkserver.SERVER] = path  # before the server starts: in every environment
        process = subprocess.Popen(
            [sys.executable, forkserver.__file__, "serve", str(listener.fileno()), *modules],
            pass_fds=[listener.fileno()],
            start_new_session=True,  # a Ctrl-C reaches the build, which ends the server
        )
    _SERVER.update(process=process, owner=os.getpid(), path=path)
    if not app.env.all_docs:
        forkserver.warm(path, str(app.srcdir))  # the pages of the book are in its srcdir


def stop_kernel_server(app: Any = None, exception: Exception | None = None) -> None:
    """Stop the kernel server this process started, if any."""
    if _SERVER.get("owner") != os.getpid():
        return
    process = _SERVER.pop("process")
    del _SERVER["owner"]
    os.environ.pop(forkserver.SERVER, None)
    os.unlink(_SERVER.pop("path"))
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _remove_sockets(app: Any, exception: Exception | None) -> None:
    stop_kernel_server()
    if _SOCKETS.get("owner") == os.getpid():
        shutil.rmtree(_SOCKETS.pop("path"), ignore_errors=True)
        del _SOCKETS["owner"]


def freeze_heap(app: Any, exception: Exception | None = None) -> None:
    """Exempt every object made so far from the garbage collector's scans (:func:`gc.freeze`).

    >>> import gc
    >>> freeze_heap(None)
    >>> gc.get_freeze_count() > 0
    True
    >>> gc.unfreeze()
    """
    gc.freeze()


def setup(app: Any) -> None:
    """Make nbclient's kernel managers isolated, cache reads patient, and the pages of a
    parallel build handed out one at a time; once per process."""
    import sphinx.builders
    from myst_nb.core.execute.cache import NotebookClientCache
    from nbclient import NotebookClient

    # Sphinx's builders call make_chunks by the name they imported it under; mypy reads that
    # import as private to sphinx.builders, and the replacement has to be made there.
    sphinx.builders.make_chunks = one_page_a_chunk  # type: ignore[attr-defined]

    if not getattr(NotebookClientCache.start_client, "xentropy_retrying", False):
        NotebookClientCache.start_client = retrying_half_written_records(
            NotebookClientCache.start_client
        )

    if not getattr(NotebookClient.create_kernel_manager, "xentropy_isolated", False):
        wrapped = _wrap(NotebookClient.create_kernel_manager)
        setattr(NotebookClient, "create_kernel_manager", wrapped)  # noqa: B010
    socket_directory()
    # After the execution cache's own builder-inited handlers (sphinxext/cache.py).
    app.connect("builder-inited", start_kernel_server, priority=950)
    app.connect("builder-inited", freeze_heap, priority=999)
    app.connect("build-finished", _remove_sockets)
    app.connect("build-finished", freeze_heap, priority=999)
