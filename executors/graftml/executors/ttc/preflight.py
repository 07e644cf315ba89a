"""Checks every strategy runs before its first call, so bad input costs no tokens."""

from __future__ import annotations

from graftml.executors.ttc.local_tokenizer import count_prompt_tokens
from graftml.llm.base import LLMBackend
from graftml.llm.registry import ModelSpec
from graftml.ttc.types import TTCError, TTCRequest

NATIVE_THINKING_PROVIDERS = ("openai_compatible", "vllm_engine")


def resolve_spec(request: TTCRequest, backend: LLMBackend) -> ModelSpec:
    """The model's registry entry: the request's, else the backend's ``spec``, else a neutral
    entry named after the backend (default capabilities, no cost constants)."""
    if request.model is not None:
        return request.model
    spec = getattr(backend, "spec", None)
    if isinstance(spec, ModelSpec):
        return spec
    return ModelSpec(name=backend.model, provider="scripted")


def check_request(request: TTCRequest, spec: ModelSpec, strategy: str,
                  max_new_tokens: int | None = None, samples: int | None = None) -> None:
    """Raise :class:`TTCError` (one line, with the fix) when ``request`` cannot run.

    Args:
        request: the request.
        spec: the model it will run on.
        strategy: name used in messages.
        max_new_tokens: the most tokens one sequence may add to the prompt (default
            ``request.max_tokens``).
        samples: distinct samples drawn per prompt (default ``request.n``).
    """
    _check_form(request, spec)
    _check_sampling(request, strategy, request.n if samples is None else samples)
    check_speculative(request, spec)
    scorer = request.scorer
    if scorer is not None and scorer.needs_logprobs and not spec.capabilities.logprobs:
        raise TTCError(f"scorer {scorer.name!r} needs token logprobs, which model "
                       f"{spec.name!r} does not return; use another scorer")
    check_context(request, spec, request.max_tokens if max_new_tokens is None
                  else max_new_tokens)


def _check_form(request: TTCRequest, spec: ModelSpec) -> None:
    if (request.prompt is None) == (request.messages is None):
        raise TTCError("give exactly one of prompt= (completion) or messages= (chat)")
    if request.messages is not None and not spec.capabilities.chat:
        raise TTCError(f"model {spec.name!r} is a base model without chat; pass a completion "
                       "prompt (prompt=...) instead of messages")
    if request.max_tokens < 1:
        raise TTCError(f"max_tokens must be >= 1, got {request.max_tokens}")


def _check_sampling(request: TTCRequest, strategy: str, samples: int) -> None:
    if request.n < 1:
        raise TTCError(f"n must be >= 1, got {request.n}")
    temperature = request.sampling_temperature
    if temperature < 0:
        raise TTCError(f"temperature must be >= 0, got {temperature:g}")
    if temperature == 0 and samples > 1:
        raise TTCError(f"{strategy} with temperature 0 would draw {samples} identical samples; "
                       "set temperature > 0 (e.g. 0.7) or use n=1")


def check_speculative(request: TTCRequest, spec: ModelSpec) -> None:
    """Reject a speculative method the model's backend does not offer."""
    if request.speculative is None:
        return
    method = request.speculative.get("method")
    offered = spec.capabilities.speculative
    if method not in offered:
        raise TTCError(f"model {spec.name!r} ({spec.provider}) offers speculative methods "
                       f"{list(offered) or 'none'}, not {method!r}")


def check_context(request: TTCRequest, spec: ModelSpec, max_new_tokens: int) -> None:
    """Reject a prompt that, with ``max_new_tokens`` more, overflows the model's context."""
    prompt_tokens = count_prompt_tokens(spec, request.prompt, request.messages)
    if prompt_tokens + max_new_tokens > spec.context_length:
        raise TTCError(f"prompt of ~{prompt_tokens} tokens plus {max_new_tokens} new tokens "
                       f"exceeds the {spec.context_length}-token context of {spec.name!r}; "
                       "shorten the prompt or lower max_tokens")


def check_native_thinking(spec: ModelSpec) -> None:
    """Reject a native thinking budget where the model or backend cannot enforce one."""
    if not spec.capabilities.thinking:
        raise TTCError(f"model {spec.name!r} has no thinking mode, so a native thinking budget "
                       "cannot apply; use budget forcing mode 'stop_and_close'")
    if spec.provider not in NATIVE_THINKING_PROVIDERS:
        raise TTCError(f"the {spec.provider} backend of {spec.name!r} does not enforce thinking "
                       "budgets; use budget forcing mode 'stop_and_close'")
