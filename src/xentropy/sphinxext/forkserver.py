"""Page kernels forked from one process that has already imported what the pages import.

A page's kernel started the usual way (``python -m ipykernel_launcher``) spends 1.3 s
starting and shutting down, and the page's first cell another 1.5 to 2 s importing Matplotlib,
SymPy, NumPy and the package: for the book's 13 executed pages, 40 of the 110 CPU-seconds
of a cold build, every build, before a page computes anything. Here one process, the *server*,
imports Jupyter's kernel and every module the pages being read import, once; each page's
kernel is a fork of it, a fresh process (its own memory, nothing of another page) that finds
those modules imported and runs the page as a kernel started the usual way would.

Two commands, run by the path of this file (it imports nothing but the standard library, so
that a launcher starts in milliseconds)::

    python forkserver.py serve FD MODULE...        # the server, on a listening Unix socket
                                                   # it inherits; imports on the first request
    python forkserver.py launch -f CONNECTION      # in the kernel spec's place

The build may ask the server to import before the first kernel is asked for (:func:`warm`),
while it is busy with other work. jupyter-client starts ``launch`` as it would start
``ipykernel_launcher`` (the book's
extension, ``execution.py``, swaps the one for the other). The launcher hands the server its
command line, environment, working directory and standard streams; the server forks, the
child becomes the kernel with exactly those, and the launcher stays as the kernel's stand-in
for jupyter-client: it passes on the signals it gets (an interrupt, a termination) and exits
with the kernel's exit status. If the launcher is killed, the server kills the kernel. Where
there is no server (the variable :data:`SERVER` unset), or it cannot fork safely, the
launcher runs ``ipykernel_launcher`` in its own place instead, the usual way.

A module may read the environment and the working directory when it is imported (Matplotlib
reads its backend and a ``matplotlibrc`` there), so the server imports in the working
directory and the environment of the first kernel asked for, with Matplotlib's backend set as
ipykernel sets it; a later request in another directory or environment is refused, and its
launcher starts the kernel the usual way. Only what jupyter-client sets for each kernel
(:data:`PER_KERNEL`) may differ; ipykernel reads it when it is imported too, and the child
reads it again. The child takes its own streams, environment, working directory and
``sys.argv``, and NumPy's global random state is reseeded from the operating system (as
Python's ``random`` is after every fork). The server refuses every request if importing
started a thread or a ZeroMQ context, which a fork cannot carry.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import selectors
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

#: The environment variable holding the server's socket, set for the kernels' launchers.
SERVER = "XENTROPY_KERNEL_SERVER"
#: What a kernel spec runs, which the launcher stands in for.
KERNEL_MODULE = "ipykernel_launcher"
# The signals jupyter-client (or a person) may send a kernel, passed on by its launcher.
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1)
#: What jupyter-client sets in each kernel's environment: the only variables in which two
#: requests may differ. ipykernel's application reads the first (and the Windows-only interrupt
#: event) when it is imported, as defaults of two settings.
PER_KERNEL = ("JPY_PARENT_PID", "JPY_INTERRUPT_EVENT", "IPY_INTERRUPT_EVENT", "JPY_SESSION_NAME")
_IMPORT_TIME_DEFAULTS = {"parent_handle": "JPY_PARENT_PID", "interrupt": "JPY_INTERRUPT_EVENT"}
# How often the server looks for finished kernels and for its parent's exit, and the launcher
# for its parent's, in seconds.
TICK = 0.02
PATIENCE = 0.5


def _send(connection: socket.socket, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
    data = json.dumps(message).encode() + b"\n"
    if fds:
        socket.send_fds(connection, [data], fds)
    else:
        connection.sendall(data)


def _receive(file: Any) -> dict[str, Any] | None:
    line = file.readline()
    return json.loads(line) if line else None


# --- The launcher -------------------------------------------------------------------------


def _usual_kernel(arguments: list[str]) -> None:
    """Replace this process by the kernel the kernel spec names (never returns)."""
    os.execv(sys.executable, [sys.executable, "-m", KERNEL_MODULE, *arguments])


def launch(arguments: list[str]) -> None:
    """Stand in for ``python -m ipykernel_launcher ARGUMENTS``: a kernel forked by the server."""
    path = os.environ.get(SERVER)
    if not path:
        _usual_kernel(arguments)
        return
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
        request = {"argv": arguments, "env": dict(os.environ), "cwd": os.getcwd()}
        _send(connection, request, [0, 1, 2])
        file = connection.makefile("rb")
        reply = _receive(file)
    except OSError:
        reply = None
    if not reply or "pid" not in reply:
        connection.close()
        _usual_kernel(arguments)
        return
    kernel = int(reply["pid"])

    def forward(signum: int, frame: Any) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(kernel, signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)
    # Waits for the kernel's exit status; if the process that started this one ends first,
    # the kernel ends too, as ipykernel ends a kernel whose parent is gone.
    parent = os.getppid()
    waiting = selectors.DefaultSelector()
    waiting.register(connection, selectors.EVENT_READ)
    while not waiting.select(PATIENCE):
        if os.getppid() != parent:
            forward(signal.SIGKILL, None)
            sys.exit(1)
    status = _receive(file)
    code = int(status["exitcode"]) if status else 1
    if code < 0:  # ended by a signal: end the same way
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    sys.exit(code)


def warm(path: str, cwd: str) -> None:
    """Ask the server on ``path`` to import now, for kernels in ``cwd`` and this environment."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(path)
        _send(connection, {"warm": True, "cwd": cwd, "env": dict(os.environ)})


# --- The server ---------------------------------------------------------------------------


def _preload(modules: list[str]) -> tuple[list[str], str | None]:
    """Import Jupyter's kernel and ``modules``; the names imported, and why forking is unsafe
    (``None`` if it is safe)."""
    # As ipykernel does before it imports anything of the page's: Matplotlib reads it on import.
    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    imported = []
    for name in ["ipykernel.kernelapp", "ipykernel.ipkernel", *modules]:
        try:
            importlib.import_module(name)
        except Exception:  # the page imports it itself, and reports its error
            continue
        imported.append(name)
    if threading.active_count() > 1:
        return imported, f"importing started threads: {threading.enumerate()}"
    zmq = sys.modules.get("zmq")
    if zmq is not None and getattr(zmq.Context, "_instance", None) is not None:
        return imported, "importing made a ZeroMQ context"
    return imported, None


def _become_kernel(request: dict[str, Any], fds: list[int], servers: list[Any]) -> None:
    """In the forked child: close the server's sockets (``servers``), take the launcher's
    streams, place and environment, run the kernel, and exit with its status (never returns)."""
    code = 1
    try:
        for held in servers:
            held.close()
        os.setpgid(0, 0)  # a process group of its own, as jupyter-client gives a kernel
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        launcher = importlib.util.find_spec(KERNEL_MODULE)
        sys.argv = [(launcher and launcher.origin) or KERNEL_MODULE, *request["argv"]]
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()  # the global state a fresh process would draw
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(signum, signal.SIG_DFL)
        from ipykernel.kernelapp import IPKernelApp

        # The settings ipykernel takes from the environment when it is imported, taken from
        # this kernel's, as if it had been imported here.
        settings = {k: int(os.environ.get(v) or 0) for k, v in _IMPORT_TIME_DEFAULTS.items()}
        try:
            app = IPKernelApp.instance(**settings)  # what launch_instance does, with settings
            app.initialize()
            app.start()
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    except BaseException:  # reported; then the child ends as a failed kernel would
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve(listening: int, modules: list[str]) -> None:
    """Accept launchers on the listening Unix socket with file descriptor ``listening``; fork a
    kernel for each.

    Imports on the first request, so that a build that executes nothing imports nothing.
    Ends when its parent (the build) ends, or on SIGTERM.
    """
    parent = os.getppid()
    listener = socket.socket(fileno=listening)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    kernels: dict[int, socket.socket] = {}  # pid -> its launcher's connection
    state: dict[str, Any] = {}  # once imported: the place and environment, and any hazard
    try:
        while os.getppid() == parent:
            for key, _ in selector.select(TICK):
                if key.fileobj is listener:
                    connection, _ = listener.accept()
                    _fork(connection, kernels, selector, listener, state, modules)
                else:
                    _hung_up(key.data, kernels, selector)
            _reap(kernels, selector)
    finally:
        for pid in kernels:
            _kill(pid)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _hung_up(
    connection: socket.socket, kernels: dict[int, socket.socket], selector: selectors.BaseSelector
) -> None:
    """Kill the kernel whose launcher is gone (its connection reads as closed)."""
    if connection.recv(1, socket.MSG_PEEK):
        return
    selector.unregister(connection)
    for pid, held in kernels.items():
        if held is connection:
            _kill(pid)


def _first_request(request: dict[str, Any], modules: list[str]) -> dict[str, Any]:
    """Import in the place and environment of the first request; what later ones must match."""
    started = time.perf_counter()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update({k: v for k, v in request["env"].items() if k not in PER_KERNEL})
    shared = dict(os.environ)
    imported, hazard = _preload(modules)
    print(
        f"kernel server: {len(imported)} modules imported in "
        f"{time.perf_counter() - started:.1f} s; "
        + (f"not forking, {hazard}" if hazard else "each page's kernel is a fork"),
        file=sys.stderr,
        flush=True,
    )
    return {"cwd": request["cwd"], "env": shared, "hazard": hazard}


def _refusal(request: dict[str, Any], state: dict[str, Any]) -> str | None:
    """Why the kernel of ``request`` cannot be a fork, or ``None``."""
    if state["hazard"]:
        return str(state["hazard"])
    if request["cwd"] != state["cwd"]:
        return f"imported in {state['cwd']}, asked for in {request['cwd']}"
    env = {k: v for k, v in request["env"].items() if k not in PER_KERNEL}
    if env != state["env"]:
        different = sorted({k for k, _ in set(env.items()) ^ set(state["env"].items())})
        return f"imported in another environment (it differs in {', '.join(different)})"
    return None


def _fork(
    connection: socket.socket,
    kernels: dict[int, socket.socket],
    selector: selectors.BaseSelector,
    listener: socket.socket,
    state: dict[str, Any],
    modules: list[str],
) -> None:
    """Fork a kernel for the launcher on ``connection``, or tell it why not."""
    try:
        message, fds, _, _ = socket.recv_fds(connection, 1 << 16, 3)
        while not message.endswith(b"\n"):  # the rest of a long request
            more = connection.recv(1 << 16)
            if not more:
                raise ValueError("the launcher hung up mid-request")
            message += more
        request = json.loads(message)
    except (OSError, ValueError):
        connection.close()
        return
    if request.get("warm"):  # import now, in this request's place and environment; no kernel
        if not state:
            state.update(_first_request(request, modules))
        connection.close()
        return
    if not state and len(fds) == 3:
        state.update(_first_request(request, modules))
    refusal = _refusal(request, state) if state else "no standard streams"
    if refusal or len(fds) != 3:
        refusal = refusal or "no standard streams"
        if refusal not in state.setdefault("told", set()):  # said once, not for every page
            state["told"].add(refusal)
            print(f"kernel server: a kernel starts the usual way: {refusal}", file=sys.stderr)
        _send(connection, {"refused": refusal})
        connection.close()
        for fd in fds:
            os.close(fd)
        return
    pid = os.fork()
    if pid == 0:
        _become_kernel(request, fds, [listener, selector, connection, *kernels.values()])
    for fd in fds:
        os.close(fd)
    kernels[pid] = connection
    selector.register(connection, selectors.EVENT_READ, data=connection)
    _send(connection, {"pid": pid})


def _reap(kernels: dict[int, socket.socket], selector: selectors.BaseSelector) -> None:
    while kernels:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = kernels.pop(pid, None)
        if connection is None:
            continue
        with contextlib.suppress(OSError):
            _send(connection, {"exitcode": os.waitstatus_to_exitcode(status)})
        with contextlib.suppress(KeyError):  # unless its launcher hung up first (_hung_up)
            selector.unregister(connection)
        connection.close()


def main(arguments: list[str]) -> None:
    # Run by path, Python put this file's folder first on sys.path, where the extension's
    # modules would shadow any of the same name a page imports.
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]
    command, rest = arguments[0], arguments[1:]
    if command == "launch":
        launch(rest)
    elif command == "serve":
        serve(int(rest[0]), rest[1:])
    else:
        raise SystemExit(f"usage: {sys.argv[0]} serve FD MODULE... | launch KERNEL-ARGUMENTS...")


if __name__ == "__main__":
    main(sys.argv[1:])
