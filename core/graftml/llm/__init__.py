"""LLM backends behind one protocol: openai_compatible, llama_cpp, vllm_engine, scripted."""

from graftml.llm.base import LLMBackend
from graftml.llm.scripted import ScriptedBackend
from graftml.llm.types import Completion, GenerationRequest, GenerationResult, Usage

__all__ = [
    "Completion",
    "GenerationRequest",
    "GenerationResult",
    "LLMBackend",
    "ScriptedBackend",
    "Usage",
]
