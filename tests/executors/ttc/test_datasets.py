"""The generated evaluation sets: deterministic, split once, answers right; their prompts."""

from __future__ import annotations

import hashlib
import re

import pytest

from graftml.executors.ttc import TTCError, extract_answer
from graftml.executors.ttc.datasets import DATASETS, load_dataset
from graftml.executors.ttc.prompts import item_request
from graftml.llm.registry import get_model

PINNED = {"arithmetic": "0e5efef75c1952b4", "multiple_choice": "c38563b9e5b384d0",
          "word_problems": "8e680d09309b4c86"}


@pytest.mark.parametrize("name", DATASETS)
def test_heldout_items_are_pinned(name: str) -> None:
    """A change to a generator changes the reported numbers: it must be deliberate."""
    items = load_dataset(name, "heldout").items
    digest = hashlib.sha256("|".join(f"{i.question}={i.answer}" for i in items).encode())
    assert digest.hexdigest()[:16] == PINNED[name]


@pytest.mark.parametrize("name", DATASETS)
def test_splits_are_disjoint_and_sized(name: str) -> None:
    dev, heldout = load_dataset(name, "dev"), load_dataset(name, "heldout")
    assert (len(dev.items), len(heldout.items)) == (100, 200)
    assert not {i.question for i in dev.items} & {i.question for i in heldout.items}
    assert len({i.id for i in dev.items + heldout.items}) == 300


@pytest.mark.parametrize("name", ["arithmetic", "word_problems"])
def test_integer_answers_are_what_the_solution_computes(name: str) -> None:
    for item in load_dataset(name, "dev").items + load_dataset(name, "heldout").items:
        expression = item.solution.split("=")[0].replace("×", "*")
        assert str(eval(expression)) == item.answer, item
        numbers = re.findall(r"\d+", item.question)
        assert all(n in numbers for n in re.findall(r"\d+", expression)), item


def test_choice_answers_point_at_the_right_option() -> None:
    for item in load_dataset("multiple_choice", "heldout").items:
        options = dict(re.findall(r"^([A-D])\) (.+)$", item.question, re.MULTILINE))
        assert set(options) == set("ABCD") and item.answer in options
        right = options[item.answer]
        if item.question.startswith("What is"):
            assert int(right) == eval(item.question.split("?")[0][8:])
        elif item.question.startswith("Which number"):
            assert int(right) == max(int(v) for v in options.values())
        assert right in item.solution


def test_limit_and_bad_names() -> None:
    assert len(load_dataset("arithmetic", limit=5).items) == 5
    with pytest.raises(TTCError, match="unknown dataset 'gsm8k'; valid: arithmetic"):
        load_dataset("gsm8k")
    with pytest.raises(TTCError, match="unknown split 'test'"):
        load_dataset("arithmetic", "test")  # type: ignore[arg-type]


def test_a_base_model_gets_a_few_shot_completion_prompt_from_the_dev_split() -> None:
    dataset = load_dataset("arithmetic", "heldout", limit=1)
    request = item_request(dataset.items[0], dataset, get_model("gemma3-270m"), n=4)
    dev = load_dataset("arithmetic", "dev", limit=3).items
    assert request.messages is None and request.prompt is not None
    assert request.prompt.startswith(f"Question: {dev[0].question}\nAnswer: {dev[0].solution}")
    assert request.prompt.count("The answer is") == 3
    assert request.prompt.endswith(f"Question: {dataset.items[0].question}\nAnswer:")
    assert (request.n, request.answer_format) == (4, "integer")


def test_a_chat_model_gets_the_examples_as_earlier_turns() -> None:
    dataset = load_dataset("multiple_choice", "heldout", limit=1)
    request = item_request(dataset.items[0], dataset, get_model("smollm2"))
    messages = request.messages or ()
    assert [m["role"] for m in messages] == ["system"] + ["user", "assistant"] * 3 + ["user"]
    assert messages[-1]["content"] == dataset.items[0].question
    assert all(extract_answer(m["content"], "choice") in "ABCD"
               for m in messages if m["role"] == "assistant")
