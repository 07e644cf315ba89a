"""A backend that replays scripted answers, for logic-only tests of operators and strategies."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from graftml.errors import ConfigError, LLMError
from graftml.llm.registry import ModelSpec
from graftml.llm.types import Completion, GenerationRequest, GenerationResult, Usage

Responder = Callable[[GenerationRequest, int], str]


def from_spec(spec: ModelSpec) -> ScriptedBackend:
    """The ``scripted`` provider: a model file's ``responses``, replayed in order."""
    if not spec.responses:
        raise ConfigError(f"model {spec.name!r}: provider scripted needs `responses:`, the list "
                          "of answers it replays in order")
    return ScriptedBackend(list(spec.responses), model=spec.name,
                           context_length=spec.context_length)


class ScriptedBackend:
    """Answers from a list (in order, one per sample) or from a function of (request, index).

    Usage counts words as tokens so ledger arithmetic can be tested. An answer is cut before the
    first of the request's stop strings, as a real backend stops there; with a
    ``context_length``, a prompt of more words than that is refused as a real backend refuses an
    overflow.
    """

    def __init__(self, responses: Sequence[str] | Responder, model: str = "scripted",
                 context_length: int | None = None) -> None:
        self.model = model
        self.context_length = context_length
        self._responses = responses
        self._index = 0
        self.requests: list[GenerationRequest] = []

    def _next(self, request: GenerationRequest) -> str:
        if callable(self._responses):
            text = self._responses(request, self._index)
        elif self._index < len(self._responses):
            text = self._responses[self._index]
        else:
            raise LLMError(f"scripted backend {self.model!r} ran out of responses "
                           f"after {self._index}")
        self._index += 1
        cuts = [text.index(stop) for stop in request.stop if stop in text]
        return text[: min(cuts)] if cuts else text

    def generate(self, request: GenerationRequest) -> GenerationResult:
        prompt = request.prompt or " ".join(m["content"] for m in request.messages or ())
        if self.context_length is not None and len(prompt.split()) > self.context_length:
            raise LLMError(f"prompt of {len(prompt.split())} tokens exceeds the "
                           f"{self.context_length}-token context of {self.model!r}")
        self.requests.append(request)
        texts = [self._next(request) for _ in range(request.n)]
        completions = tuple(Completion(t, completion_tokens=len(t.split())) for t in texts)
        usage = Usage(prompt_tokens=len(prompt.split()) * request.n,
                      completion_tokens=sum(c.completion_tokens for c in completions))
        return GenerationResult(completions, usage, latency_s=0.0, model=self.model)

    def close(self) -> None:
        return None
