"""A backend that replays scripted answers, for logic-only tests of operators and strategies."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from graftml.errors import LLMError
from graftml.llm.types import Completion, GenerationRequest, GenerationResult, Usage

Responder = Callable[[GenerationRequest, int], str]


class ScriptedBackend:
    """Answers from a list (in order, one per sample) or from a function of (request, index).

    Usage counts words as tokens so ledger arithmetic can be tested.
    """

    def __init__(self, responses: Sequence[str] | Responder, model: str = "scripted") -> None:
        self.model = model
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
        return text

    def generate(self, request: GenerationRequest) -> GenerationResult:
        self.requests.append(request)
        prompt = request.prompt or " ".join(m["content"] for m in request.messages or ())
        texts = [self._next(request) for _ in range(request.n)]
        completions = tuple(Completion(t, completion_tokens=len(t.split())) for t in texts)
        usage = Usage(prompt_tokens=len(prompt.split()) * request.n,
                      completion_tokens=sum(c.completion_tokens for c in completions))
        return GenerationResult(completions, usage, latency_s=0.0, model=self.model)

    def close(self) -> None:
        return None
