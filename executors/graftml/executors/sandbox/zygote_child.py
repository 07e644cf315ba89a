"""A warm job's process: the child the zygote forked confines itself, then runs the candidate.

It does what the cold path's ``python candidate.py job.json`` does: a session of its own, the
job's standard streams and folder, its cgroup, rlimits and uid (:func:`.self_confine.confine`), its
environment and ``sys.argv``, then the script as ``__main__``. It ends with ``os._exit``: 0, the
``SystemExit`` code, or 1 after printing an uncaught exception as Python would.
Standard library only (see :mod:`.zygote_server`).
"""

from __future__ import annotations

import atexit
import importlib
import os
import runpy
import socket
import sys
from contextlib import suppress
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING or __package__:
    from graftml.executors.sandbox import self_confine
else:  # run by the zygote script: this file's folder is on sys.path
    import self_confine

CONFINE_FAILED = 126


def run(request: dict[str, Any], fds: list[int], report_fd: int, sock: socket.socket) -> NoReturn:
    """The forked child's whole life. ``report_fd`` gets the error if confinement fails."""
    try:
        sock.close()
        _enter(request, fds)
    except BaseException as exc:
        with suppress(OSError):
            os.write(report_fd, f"cannot confine the job: {exc!r}".encode())
        os._exit(CONFINE_FAILED)
    os.close(report_fd)  # EOF: the zygote tells the parent the job runs
    code = 1
    try:
        code = _run_script(request)
    finally:
        os._exit(code)


def _enter(request: dict[str, Any], fds: list[int]) -> None:
    zygote = os.getppid()
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    for source, target in ((devnull, 0), (fds[0], 1), (fds[1], 2)):
        os.dup2(source, target)
    os.close(devnull)
    os.chdir(request["cwd"])  # before dropping root, as subprocess does for the cold path
    procs_fd = fds[2] if len(fds) > 2 else None
    self_confine.confine(self_confine.Limits.from_json(request["limits"]), procs_fd,
                     self_confine.parent_death_signal())
    if os.getppid() != zygote:
        raise RuntimeError("the zygote exited before the job could start")
    for fd in fds:
        if fd > 2:
            os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    self_confine.reset_signals()


def _run_script(request: dict[str, Any]) -> int:
    script = os.path.join(request["cwd"], request["argv"][0])
    sys.argv = list(request["argv"])
    sys.path.insert(0, request["cwd"])  # as ``python candidate.py`` puts the script's folder
    limiter = _limit_threads(int(request["threads"]))
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()  # else every job would draw the zygote's unseeded numbers
    try:
        runpy.run_path(script, run_name="__main__")
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except BaseException as exc:
        trimmed = _from_script(script, exc.__traceback__)  # the hook prints exc's own
        sys.excepthook(type(exc), exc.with_traceback(trimmed), trimmed)
        code = 1
    del limiter
    with suppress(Exception):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()
    return code


def _limit_threads(threads: int) -> object:
    """The zygote imported BLAS and OpenMP capped at one thread; give the job its own count."""
    if threads == 1:
        return None
    try:
        threadpoolctl = importlib.import_module("threadpoolctl")
    except ImportError:
        return None
    return threadpoolctl.threadpool_limits(limits=threads)


def _exit_code(code: object) -> int:
    """What ``python script.py`` exits with for ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _from_script(script: str, tb: TracebackType | None) -> TracebackType | None:
    """The traceback from the script's first frame on: runpy's frames are not the job's."""
    while tb is not None and tb.tb_frame.f_code.co_filename != script:
        tb = tb.tb_next
    return tb
