"""A local OpenAI-compatible server: llama.cpp's (``llama-cpp-python[server]``) on loopback.

``graft llm serve --model smollm2`` runs it in the foreground; :class:`LocalServer` runs it as a
child process for tests and for runs that want real HTTP without a GPU.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from graftml.errors import ConfigError, LLMError
from graftml.llm.local_models import gguf_path
from graftml.llm.registry import ModelSpec


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_argv(spec: ModelSpec, host: str, port: int, n_threads: int = 2,
               api_key: str | None = None) -> list[str]:
    """The command line of llama.cpp's server for a registered local model.

    With ``api_key`` the server answers only requests bearing that key.
    """
    if spec.provider != "llama_cpp":
        raise ConfigError(f"model {spec.name!r} is {spec.provider}, not a local llama_cpp model")
    return [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path(spec)),
            "--model_alias", spec.name, "--host", host, "--port", str(port),
            "--n_ctx", str(spec.context_length), "--n_threads", str(n_threads),
            "--logits_all", "true", *(["--api_key", api_key] if api_key else [])]


class LocalServer:
    """Start llama.cpp's server on 127.0.0.1 and wait until it answers ``/v1/models``."""

    def __init__(self, spec: ModelSpec, port: int | None = None, n_threads: int = 2,
                 log: Path | None = None, ready_timeout_s: float = 60.0,
                 api_key: str | None = None) -> None:
        self.spec, self.port = spec, port or free_port()
        self._argv = serve_argv(spec, "127.0.0.1", self.port, n_threads, api_key)
        self._log, self._timeout, self._api_key = log, ready_timeout_s, api_key
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> LocalServer:
        out = self._log.open("ab") if self._log else subprocess.DEVNULL
        self.process = subprocess.Popen(self._argv, stdout=out, stderr=subprocess.STDOUT,
                                        env={**os.environ, "NO_PROXY": "127.0.0.1,localhost"})
        deadline = time.monotonic() + self._timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LLMError(f"llama.cpp server for {self.spec.name!r} exited with "
                               f"{self.process.returncode}; is llama-cpp-python[server] installed?")
            if self._ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise LLMError(f"llama.cpp server for {self.spec.name!r} not ready in {self._timeout:g}s")

    def _ready(self) -> bool:
        try:
            headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
            request = urllib.request.Request(f"{self.base_url}/models", headers=headers)
            with urllib.request.urlopen(request, timeout=1) as resp:
                return bool(resp.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
