"""The zygote: a Python that imports the heavy modules once, then forks one child per job.

:class:`graftml.executors.sandbox.zygote.Zygote` runs this file as a script,
``python zygote_server.py FD MODULES``, with the thread caps already in its environment, so
that the imports start no thread pools and forking stays safe. FD is its end of a
``SOCK_SEQPACKET`` socket pair; every message is one JSON object, and file descriptors ride along
as ``SCM_RIGHTS``:

* once, to the parent: ``{"ready": true, "pid", "tasks", "threads", "rss_kb", "vm_kb",
  "import_s", "missing"}``;
* ``{"op": "spawn", "cwd", "argv", "env", "limits", "threads", "cgroup"}`` with the fds
  ``[stdout, stderr]`` (+ the job cgroup's ``cgroup.procs``) → ``{"pid"}`` once the child is
  confined (:mod:`.self_confine`), or ``{"error"}``;
* ``{"op": "reap", "pid"}`` → ``{"status"}``, the raw wait status. Children are reaped only when
  asked, after the parent has killed their process group, so that pgid cannot be reused first.

On EOF (the parent closed the socket or died) or once reparented, it SIGKILLs its children, their
groups and cgroups, and exits. Standard library only: it runs under any interpreter.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import select
import signal
import socket
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING or __package__:
    from graftml.executors.sandbox import self_confine, zygote_child
else:  # run as a script: this file's folder is sys.path[0]
    import self_confine
    import zygote_child

_MAX_MESSAGE = 1 << 20


class Server:
    """The zygote's request loop, over its end of the socket pair."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.parent = os.getppid()
        self.children: dict[int, str | None] = {}  # pid -> its cgroup folder

    def serve(self) -> None:
        """Answer requests until the parent goes away, then kill every child left."""
        try:
            while (message := self._receive()) is not None:
                request, fds = message
                reply = self._spawn(request, fds) if request["op"] == "spawn" else \
                    self._reap(int(request["pid"]))
                self.sock.send(json.dumps(reply).encode())
        except OSError:  # the parent is gone mid-exchange
            pass
        finally:
            self._kill_children()

    def _receive(self) -> tuple[dict[str, Any], list[int]] | None:
        while not select.select([self.sock], [], [], 1.0)[0]:
            if os.getppid() != self.parent:  # the parent died; a fork of it may hold the socket
                return None
        data, fds, _, _ = socket.recv_fds(self.sock, _MAX_MESSAGE, 8)
        return (json.loads(data), fds) if data else None

    def _spawn(self, request: dict[str, Any], fds: list[int]) -> dict[str, Any]:
        read_end, write_end = os.pipe()  # the child reports a failed confinement through it
        try:
            pid = os.fork()
        except OSError as exc:
            for fd in (read_end, write_end, *fds):
                os.close(fd)
            return {"error": f"fork failed: {exc}"}
        if pid == 0:
            os.close(read_end)
            zygote_child.run(request, fds, write_end, self.sock)  # never returns
        os.close(write_end)
        for fd in fds:
            os.close(fd)
        with os.fdopen(read_end, "rb") as pipe:
            failure = pipe.read().decode(errors="replace")
        if failure:
            os.waitpid(pid, 0)
            return {"error": failure}
        self.children[pid] = request.get("cgroup")
        return {"pid": pid}

    def _reap(self, pid: int) -> dict[str, Any]:
        self.children.pop(pid, None)
        try:
            return {"status": os.waitpid(pid, 0)[1]}
        except ChildProcessError:
            return {"error": f"pid {pid} is not a child of the zygote"}

    def _kill_children(self) -> None:
        for pid, cgroup in self.children.items():
            for kill in (os.killpg, os.kill):
                with suppress(OSError):
                    kill(pid, signal.SIGKILL)
            if cgroup is not None:
                _kill_members(Path(cgroup))
        for pid in self.children:
            with suppress(ChildProcessError):
                os.waitpid(pid, 0)
        for cgroup in self.children.values():  # empty only once its reaped zombies left it
            if cgroup is not None:
                _remove(Path(cgroup))


def _kill_members(folder: Path) -> None:
    for _ in range(200):
        try:
            members = (folder / "cgroup.procs").read_text().split()
        except OSError:
            return
        if not members:
            return
        for pid in members:
            with suppress(OSError):
                os.kill(int(pid), signal.SIGKILL)
        time.sleep(0.005)


def _remove(folder: Path) -> None:
    for _ in range(100):
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:  # EBUSY while a killed member is still exiting
            _kill_members(folder)
            time.sleep(0.01)


def preload(modules: list[str]) -> list[str]:
    """Import ``modules``; return those that failed (a missing library is no reason to fail)."""
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            missing.append(name)
    return missing


def ready_report(import_s: float, missing: list[str]) -> dict[str, Any]:
    """What the parent checks before trusting the zygote: it must be single-threaded."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
                  if ":" in line)
    return {"ready": True, "pid": os.getpid(), "tasks": len(os.listdir("/proc/self/task")),
            "threads": threading.active_count(), "rss_kb": int(status["VmRSS"].split()[0]),
            "vm_kb": int(status["VmSize"].split()[0]), "import_s": round(import_s, 3),
            "missing": missing}


def main(argv: list[str]) -> None:
    """Preload, report ready, serve."""
    sock = socket.socket(fileno=int(argv[1]))
    sys.path.pop(0)  # this file's folder; each child puts its job's folder there
    start = time.monotonic()
    missing = preload([name for name in argv[2].split(",") if name])
    self_confine.parent_death_signal()  # resolved before any fork
    gc.collect()
    gc.freeze()  # what the imports built stays shared with the children, untouched by their gc
    sock.send(json.dumps(ready_report(time.monotonic() - start, missing)).encode())
    Server(sock).serve()


if __name__ == "__main__":
    main(sys.argv)
