"""Prompts for evaluation items: few-shot completion prompts for base models, chat for the rest.

Both show ``shots`` worked examples from the dev split (never from the held-out split) in the
form "<solution> The answer is <answer>.", so answers can be extracted the same way. A base
model (``capabilities.chat`` false, e.g. Gemma-3-270M) gets a "Question:/Answer:" completion
prompt that stops at the next blank line; a chat model (SmolLM2) gets the examples as earlier
turns of the conversation. Items of an eval file are asked zero-shot, and a chat model is not
stopped at blank lines there (multi-step reasoning has paragraphs; its turn ends by itself).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graftml.executors.ttc.datasets import Dataset, Item, load_dataset
from graftml.llm.registry import ModelSpec
from graftml.ttc.types import TTCRequest

__all__ = ["DEFAULT_SHOTS", "item_request"]

DEFAULT_SHOTS = 3
_INSTRUCTION = {
    "integer": "Solve the problem. End with 'The answer is N.' where N is a whole number.",
    "choice": "Pick one option. End with 'The answer is X.' where X is the option's letter.",
    "text": "Answer the question. End with 'The answer is X.' where X is the short answer.",
}


def item_request(item: Item, dataset: Dataset, spec: ModelSpec, shots: int = DEFAULT_SHOTS,
                 **fields: Any) -> TTCRequest:
    """The request that asks ``spec``'s model to answer ``item``; ``fields`` set other
    :class:`TTCRequest` fields (``n``, ``seed``, ``scorer``, ...)."""
    examples = (load_dataset(dataset.name, "dev", limit=shots).items
                if shots and dataset.split != "file" else ())  # a file's items never teach
    base = TTCRequest(prompt="", answer_format=dataset.answer_format, max_tokens=32,
                      stop=_stops(dataset, spec), model=spec)
    if spec.capabilities.chat:
        base = replace(base, prompt=None,
                       messages=_chat(item, examples, _INSTRUCTION[dataset.answer_format]))
    else:
        base = replace(base, prompt=_completion(item, examples))
    return replace(base, **fields)


def _stops(dataset: Dataset, spec: ModelSpec) -> tuple[str, ...]:
    """A base model would write the next question: stop it there. A chat model ends its turn
    itself; on an eval file (multi-step problems) it may use blank lines in its reasoning."""
    if spec.capabilities.chat and dataset.split == "file":
        return ()
    return ("\n\n", "\nQuestion:")


def _worked(item: Item) -> str:
    return f"{item.solution} The answer is {item.answer}."


def _completion(item: Item, examples: tuple[Item, ...]) -> str:
    shots = "".join(f"Question: {e.question}\nAnswer: {_worked(e)}\n\n" for e in examples)
    return f"{shots}Question: {item.question}\nAnswer:"


def _chat(item: Item, examples: tuple[Item, ...], instruction: str
          ) -> tuple[dict[str, str], ...]:
    messages: list[dict[str, str]] = [{"role": "system", "content": instruction}]
    for example in examples:
        messages += [{"role": "user", "content": example.question},
                     {"role": "assistant", "content": _worked(example)}]
    messages.append({"role": "user", "content": item.question})
    return tuple(messages)
