"""Start every page's kernel on Unix sockets of its own, never on TCP ports.

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
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from typing import Any

_SOCKETS: dict[str, Any] = {}


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
    """Set a kernel manager to use Unix sockets at paths no other kernel uses; return it."""
    kernel_manager.transport = "ipc"
    kernel_manager.ip = os.path.join(socket_directory(), uuid.uuid4().hex[:16])
    return kernel_manager


def _wrap(create: Any) -> Any:
    def create_kernel_manager(self: Any) -> Any:
        return isolate(create(self))

    create_kernel_manager.xentropy_isolated = True  # type: ignore[attr-defined]
    create_kernel_manager.__doc__ = create.__doc__
    return create_kernel_manager


def _remove_sockets(app: Any, exception: Exception | None) -> None:
    if _SOCKETS.get("owner") == os.getpid():
        shutil.rmtree(_SOCKETS.pop("path"), ignore_errors=True)
        del _SOCKETS["owner"]


def setup(app: Any) -> None:
    """Make nbclient's kernel managers isolated, once per process."""
    from nbclient import NotebookClient

    if not getattr(NotebookClient.create_kernel_manager, "xentropy_isolated", False):
        wrapped = _wrap(NotebookClient.create_kernel_manager)
        setattr(NotebookClient, "create_kernel_manager", wrapped)  # noqa: B010
    socket_directory()
    app.connect("build-finished", _remove_sockets)
