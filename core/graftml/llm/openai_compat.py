"""``openai_compatible``: any OpenAI-compatible server (vLLM serve, llama.cpp server, OpenAI).

Retries and timeouts are the openai client's own (``max_retries``, ``timeout``). ``n`` samples are
one call where the server batches them (``capabilities.batched_n``), else ``n`` seeded calls run
concurrently. Usage is read from the responses; latency is measured around the whole request.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from graftml.errors import LLMError
from graftml.llm.logprobs import parse_logprobs
from graftml.llm.registry import ModelSpec
from graftml.llm.types import (
    Completion,
    GenerationRequest,
    GenerationResult,
    Usage,
)


class OpenAICompatibleBackend:
    """Talks to ``spec.base_url`` (or ``base_url``) with the ``openai`` client."""

    def __init__(self, spec: ModelSpec, base_url: str | None = None,
                 api_key: str | None = None) -> None:
        from openai import OpenAI

        self.spec = spec
        self.model = spec.model or spec.name
        self.base_url = base_url or spec.base_url
        if not self.base_url:
            raise LLMError(f"model {spec.name!r} has no base_url; set base_url in its model "
                           "file")
        self._client = OpenAI(base_url=self.base_url, api_key=api_key or spec.api_key(),
                              max_retries=spec.max_retries, timeout=spec.timeout_s)
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="llm")

    def generate(self, request: GenerationRequest) -> GenerationResult:
        t0 = time.perf_counter()
        if self.spec.capabilities.batched_n or request.n == 1:
            responses = [self._call(request, request.n, request.seed)]
        else:
            seeds = [None if request.seed is None else request.seed + i for i in range(request.n)]
            responses = list(self._pool.map(lambda s: self._call(request, 1, s), seeds))
        completions: list[Completion] = []
        usage = Usage()
        for response in responses:
            completions.extend(_completions(response, request.messages is not None))
            usage = usage + _usage(response)
        return GenerationResult(tuple(completions), usage, time.perf_counter() - t0,
                                self.model, calls=len(responses))

    def _call(self, request: GenerationRequest, n: int, seed: int | None) -> Any:
        kwargs: dict[str, Any] = {
            "model": self.model, "n": n, "temperature": request.temperature,
            "top_p": request.top_p, "max_tokens": request.max_tokens,
            "stop": list(request.stop) or None, "seed": seed,
        }
        extra = _extra_body(request)
        if extra:
            kwargs["extra_body"] = extra
        try:
            if request.messages is not None:
                if request.json_schema is not None:
                    kwargs["response_format"] = self._response_format(request.json_schema)
                if request.logprobs:  # top-2: the sampled token's margin over the runner-up
                    kwargs["logprobs"], kwargs["top_logprobs"] = True, 2
                return self._client.chat.completions.create(
                    messages=list(request.messages), **kwargs)  # type: ignore[arg-type]
            if request.logprobs:
                kwargs["logprobs"] = 2
            if request.json_schema is not None:
                kwargs.setdefault("extra_body", {})["response_format"] = self._response_format(
                    request.json_schema)
            return self._client.completions.create(prompt=request.prompt or "", **kwargs)
        except Exception as exc:  # the openai client raises many types; map them to one line
            raise self._error(exc) from None

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.spec.capabilities.json_format == "json_object":
            return {"type": "json_object", "schema": schema}
        return {"type": "json_schema",
                "json_schema": {"name": "output", "schema": schema, "strict": True}}

    def _error(self, exc: Exception) -> LLMError:
        import openai

        where = f"{self.base_url} (model {self.model!r})"
        if isinstance(exc, openai.APITimeoutError):
            return LLMError(f"{where} timed out after {self.spec.timeout_s:g}s; raise timeout_s")
        if isinstance(exc, openai.APIConnectionError):
            return LLMError(f"cannot reach {where}; start the server "
                            "(e.g. `graft llm serve --model smollm2`) or fix base_url")
        if isinstance(exc, openai.AuthenticationError):
            return LLMError(f"{where} rejected the API key; set ${self.spec.api_key_env}")
        if isinstance(exc, openai.NotFoundError):
            return LLMError(f"{where}: model not served there; check the served model name")
        if isinstance(exc, openai.BadRequestError):
            text = str(exc)
            if "context" in text.lower() or "too long" in text.lower():
                return LLMError(f"{where}: prompt longer than the context "
                                f"({self.spec.context_length} tokens); shorten it")
            return LLMError(f"{where} rejected the request: {text.splitlines()[0][:200]}")
        return LLMError(f"{where} failed: {type(exc).__name__}: {str(exc)[:200]}")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()


def _extra_body(request: GenerationRequest) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if request.thinking_budget is not None:
        extra["thinking_token_budget"] = request.thinking_budget
    return extra


def _completions(response: Any, chat: bool) -> list[Completion]:
    out = []
    for choice in response.choices:
        text = (choice.message.content or "") if chat else (choice.text or "")
        finish = choice.finish_reason or "stop"
        lp = getattr(choice, "logprobs", None)
        if lp is None:
            out.append(Completion(text, finish))
            continue
        chosen, tokens, margins = parse_logprobs(lp.model_dump(), chat)
        out.append(Completion(text, finish, chosen, 0, tokens, margins))
    return out


def _usage(response: Any) -> Usage:
    u = getattr(response, "usage", None)
    if u is None:
        return Usage()
    details = getattr(u, "completion_tokens_details", None)
    prompt_details = getattr(u, "prompt_tokens_details", None)
    return Usage(
        prompt_tokens=int(u.prompt_tokens or 0), completion_tokens=int(u.completion_tokens or 0),
        reasoning_tokens=int(getattr(details, "reasoning_tokens", 0) or 0),
        cached_tokens=int(getattr(prompt_details, "cached_tokens", 0) or 0))
