"""A backend wrapper for tests that check accounting against what a real backend reported."""

from __future__ import annotations

from typing import Any

from graftml.llm.base import LLMBackend
from graftml.llm.types import GenerationRequest, GenerationResult, Usage

__all__ = ["RecordingBackend"]


class RecordingBackend:
    """Passes every request to ``backend`` and keeps each result it returned.

    ``spec`` (the model's registry entry, when the wrapped backend has one) is passed through, so
    strategies resolve the same model. ``close`` does nothing: the wrapped backend is the
    caller's.
    """

    def __init__(self, backend: LLMBackend) -> None:
        self.backend, self.model = backend, backend.model
        self.spec: Any = getattr(backend, "spec", None)
        self.results: list[GenerationResult] = []

    def generate(self, request: GenerationRequest) -> GenerationResult:
        """Called for each request: forwards it and records the result."""
        result = self.backend.generate(request)
        self.results.append(result)
        return result

    def close(self) -> None:
        """Leaves the wrapped backend open."""
        return None

    @property
    def usage(self) -> Usage:
        """The sum of the usage of every recorded result."""
        total = Usage()
        for result in self.results:
            total = total + result.usage
        return total
