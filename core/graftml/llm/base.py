"""The backend contract. Backends generate; they never decide strategy (executors do)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from graftml.llm.types import GenerationRequest, GenerationResult


@runtime_checkable
class LLMBackend(Protocol):
    """A model behind some API.

    ``generate`` is called by operators and test-time-compute strategies; it returns every sample
    with the usage the backend reported, and raises :class:`~graftml.errors.LLMError` (one line,
    naming the endpoint/model and the fix) when the model cannot answer: unreachable endpoint,
    wrong key, unknown model, context overflow. It must not retry forever.
    """

    model: str

    def generate(self, request: GenerationRequest) -> GenerationResult:
        """Generate ``request.n`` samples."""
        ...

    def close(self) -> None:
        """Release connections/threads/model memory. Idempotent."""
        ...
