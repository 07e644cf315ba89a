"""The executor's side of the zygote: start it lazily, ask it to fork jobs and reap them.

See :mod:`.zygote_server` for the process and its protocol. A zygote that cannot start, or that
reports more than one thread after its imports (forking it would be unsafe), is given up: every
later job starts cold. One that dies is restarted for the next job, a few times at most.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graftml.errors import ExecutorError
from graftml.executors.sandbox.environment import zygote_env

logger = logging.getLogger(__name__)

MAIN = Path(__file__).with_name("zygote_server.py")
MAX_RESTARTS = 3
_MAX_MESSAGE = 1 << 20


class ZygoteLost(Exception):
    """The zygote died or stopped answering."""


class Zygote:
    """A Python with the candidates' heavy modules imported, forking one child per warm job.

    Thread-safe; one per executor, which closes it on shutdown. Nothing starts until the first
    :meth:`spawn`.

    Args:
        interpreter: the Python to run; empty means ``sys.executable``.
        preload: modules to import before the first fork (missing ones are skipped).
        timeout_s: how long start-up, or one answer, may take before the zygote is given up.
    """

    def __init__(self, interpreter: str, preload: Sequence[str], timeout_s: float = 120.0) -> None:
        self.interpreter = interpreter or sys.executable
        self.preload = tuple(preload)
        self.env = zygote_env(self.interpreter)  # what it starts with (and so its children)
        self.timeout_s = timeout_s
        self.ready: dict[str, Any] | None = None  # the zygote's start-up report
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._restarts = 0
        self._given_up = False

    def warm_up(self) -> bool:
        """Start the zygote unless it runs; False when jobs must start cold instead."""
        with self._lock:
            return self._running()

    def spawn(self, request: dict[str, Any], fds: Sequence[int]) -> int | None:
        """Fork a confined child for a job; its pid, or None to start this job cold instead.

        Raises:
            ExecutorError: the child could not be confined (what a cold start would raise too).
        """
        with self._lock:
            if not self._running():
                return None
            try:
                reply = self._exchange(request, fds)
            except ZygoteLost as exc:
                self._lose(str(exc))
                return None
        if "error" in reply:
            raise ExecutorError(f"cannot start job in {request['cwd']} from the zygote "
                                f"(pid {self.pid}): {reply['error']}")
        return int(reply["pid"])

    def reap(self, pid: int) -> int | None:
        """Wait for child ``pid`` (killed already); its return code as ``Popen`` reports it.

        None if the zygote died, taking the child with it.
        """
        with self._lock:
            if self._sock is None:
                return None
            try:
                reply = self._exchange({"op": "reap", "pid": pid}, ())
            except ZygoteLost as exc:
                self._lose(str(exc))
                return None
        return os.waitstatus_to_exitcode(reply["status"]) if "status" in reply else None

    @property
    def pid(self) -> int | None:
        """The zygote's pid while it runs."""
        return self._process.pid if self._process is not None else None

    def close(self) -> None:
        """Stop the zygote; it kills any child left. Later jobs start cold. Idempotent."""
        with self._lock:
            self._given_up = True
            self._stop()

    def _running(self) -> bool:
        if self._sock is not None:
            return True
        if self._given_up:
            return False
        try:
            self._start()
        except (OSError, ZygoteLost, ValueError) as exc:
            self._stop()
            self._given_up = True
            logger.warning("cannot start the sandbox zygote (%s): jobs start cold from now on",
                           exc)
            return False
        return True

    def _start(self) -> None:
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock = parent_end
        with child_end:
            self._process = subprocess.Popen(
                [self.interpreter, str(MAIN), str(child_end.fileno()), ",".join(self.preload)],
                pass_fds=[child_end.fileno()], env=self.env, cwd="/",
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True)
        parent_end.settimeout(self.timeout_s)
        self.ready = self._receive()
        if self.ready.get("tasks") != 1:
            raise ValueError(f"it runs {self.ready.get('tasks')} threads after its imports, "
                             "so forking it is unsafe")
        if self.ready.get("missing"):
            logger.info("sandbox zygote could not preload %s", ", ".join(self.ready["missing"]))

    def _exchange(self, request: dict[str, Any], fds: Sequence[int]) -> dict[str, Any]:
        assert self._sock is not None
        try:
            socket.send_fds(self._sock, [json.dumps(request).encode()], list(fds))
        except OSError as exc:
            raise ZygoteLost(f"cannot reach it: {exc}") from exc
        return self._receive()

    def _receive(self) -> dict[str, Any]:
        assert self._sock is not None
        try:
            data = self._sock.recv(_MAX_MESSAGE)
        except OSError as exc:  # socket.timeout included
            raise ZygoteLost(f"no answer: {exc!r}") from exc
        if not data:
            code = self._process.poll() if self._process is not None else None
            raise ZygoteLost(f"it exited (status {code})")
        reply: dict[str, Any] = json.loads(data)
        return reply

    def _lose(self, reason: str) -> None:
        self._stop()
        self._restarts += 1
        self._given_up = self._restarts > MAX_RESTARTS
        logger.warning("the sandbox zygote was lost (%s); %s", reason,
                       "jobs start cold from now on" if self._given_up else "restarting it")

    def _stop(self) -> None:
        if self._sock is not None:
            self._sock.close()  # EOF: the zygote kills its children and exits
            self._sock = None
        if self._process is not None:
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
