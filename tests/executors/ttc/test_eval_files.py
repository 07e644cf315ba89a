"""Eval files: GSM8K's format and prompt/answer rows, zero-shot, bad rows named by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graftml.app.cli import main
from graftml.executors.ttc import TTCError
from graftml.executors.ttc.datasets import load_dataset
from graftml.executors.ttc.evaluate import EvalConfig, evaluate
from graftml.executors.ttc.prompts import item_request
from graftml.llm import GenerationRequest, ScriptedBackend
from graftml.testing.backends import toy_spec

GSM8K_HEAD = Path(__file__).parent / "data" / "gsm8k_test_head5.jsonl"  # GSM8K test, MIT


def write_rows(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_gsm8k_rows_give_the_number_after_the_marks_and_a_clean_solution(
        tmp_path: Path) -> None:
    dataset = load_dataset(str(GSM8K_HEAD))
    assert (dataset.split, dataset.answer_format, len(dataset.items)) == ("file", "integer", 5)
    first = dataset.items[0]
    assert first.question.startswith("Janet") and first.answer == "18"
    assert "<<" not in first.solution and "16 - 3 - 4 = 9" in first.solution
    many = write_rows(tmp_path / "big.jsonl", [{"question": "q", "answer": "so\n#### 1,200"}])
    assert load_dataset(str(many)).items[0].answer == "1200"


def test_prompt_answer_rows_with_text_answers_are_scored_as_text(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "capitals.jsonl", [
        {"prompt": "Capital of France?", "answer": "Paris"}, {"prompt": "2+2?", "answer": 4}])
    dataset = load_dataset(str(path), limit=1)
    assert (dataset.answer_format, [i.answer for i in dataset.items]) == ("text", ["paris"])


@pytest.mark.parametrize(("content", "message"), [
    ('{"question": "q"}\n', r"bad\.jsonl:1: the row has no `answer`; add the reference"),
    ('{"question": "q", "answer": "1"}\n{"answer": "2"}\n',
     r"bad\.jsonl:2: the row has no `question` \(or `prompt`\); keys: \['answer'\]"),
    ('{"question": "q", "answer": "1"}\nnot json\n', r"bad\.jsonl:2: not JSON"),
    ('["q", "1"]\n', r"bad\.jsonl:1: a row must be a JSON object, got list"),
    ("\n\n", r"bad\.jsonl has no rows"),
])
def test_bad_rows_are_one_line_errors_naming_file_and_line(tmp_path: Path, content: str,
                                                           message: str) -> None:
    (tmp_path / "bad.jsonl").write_text(content)
    with pytest.raises(TTCError, match=message) as caught:
        load_dataset(str(tmp_path / "bad.jsonl"))
    assert "\n" not in str(caught.value)


def test_a_files_items_are_never_its_own_examples() -> None:
    dataset = load_dataset(str(GSM8K_HEAD))
    request = item_request(dataset.items[1], dataset, toy_spec(), shots=3)
    assert [m["role"] for m in request.messages or ()] == ["system", "user"]
    assert request.stop == ()  # a chat model's reasoning may hold blank lines
    base = item_request(dataset.items[1], dataset, toy_spec(chat=False), shots=3)
    assert base.stop == ("\n\n", "\nQuestion:")


def test_a_file_is_swept_like_a_built_in_set() -> None:
    dataset = load_dataset(str(GSM8K_HEAD))

    def boxed_right_on_janet(request: GenerationRequest, index: int) -> str:
        question = (request.messages or ({"content": ""},))[-1]["content"]
        return r"So she makes \boxed{\$18}." if question.startswith("Janet") else "About 7."

    config = EvalConfig(dataset=str(GSM8K_HEAD), models=("toy",), strategies=("single",),
                        ns=(1,), seeds=1)
    (row,) = evaluate(config, {"toy": ScriptedBackend(boxed_right_on_janet)},
                      {"toy": toy_spec()})
    assert (row.items, row.correct) == (len(dataset.items), 1)


def test_the_cli_refuses_a_dataset_and_a_file_together(capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    assert main(["ttc", "eval", "arithmetic", "--data", str(GSM8K_HEAD)]) != 0
    assert "give one dataset" in capsys.readouterr().err
