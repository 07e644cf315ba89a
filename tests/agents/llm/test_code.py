"""The code level: extracting and checking modules, what prompts show, and a real repaired run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from graftml.agents.builtin import builtin_operators
from graftml.agents.llm import close_operators, make_llm_operators
from graftml.agents.llm.code import check_module, extract_code
from graftml.app.sdk import load_nodes, run
from graftml.budget import Budget, Ledger
from graftml.config import LLMOperatorConfig, validate
from graftml.llm import GenerationRequest, ScriptedBackend
from graftml.operators import OperatorContext
from graftml.types import Node, NodeStatus, Proposal

BROKEN = '''# logistic regression on a column that does not exist
def fit_predict(train, target, predict, info):
    return train["no_such_column"]
'''

FIXED = '''# logistic regression on standardized columns
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def fit_predict(train, target, predict, info):
    features = train.drop(columns=[target])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    model.fit(features, train[target])
    return {name: model.predict_proba(frame[features.columns]) for name, frame in predict.items()}
'''


def fenced(code: str) -> str:
    return f"Here is the module:\n```python\n{code}```\nIt should work."


@pytest.mark.parametrize("text", [fenced(FIXED), FIXED, FIXED + "```\n", "```\n" + FIXED])
def test_the_module_is_extracted_with_or_without_fences(text: str) -> None:
    assert extract_code(text) == FIXED


@pytest.mark.parametrize(("code", "reason"), [
    ("def fit_predict(train, target:\n", "does not parse"),
    ("def fit(train, target, predict, info): ...\n", "does not define fit_predict"),
    ("def fit_predict(train, target): ...\n", "takes 4 parameters"),
])
def test_a_module_without_a_proper_fit_predict_is_rejected(code: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_module(code)


def test_a_debug_prompt_shows_code_error_output_and_sibling_attempts(
        tmp_path: Path, make_ctx: Callable[..., OperatorContext]) -> None:
    failed = Node(id="n1", operator="draft", status=NodeStatus.ERROR, code=BROKEN,
                  error="KeyError: 'no_such_column'")
    sibling = Node(id="n2", operator="debug", parent_ids=("n1",), status=NodeStatus.ERROR,
                   description="llm debug n1: tried pandas get", error="TypeError: bad")
    (tmp_path / "nodes" / "n1").mkdir(parents=True)
    (tmp_path / "nodes" / "n1" / "stderr.txt").write_text("Traceback ...\nKeyError: boom\n")
    ctx = make_ctx(tmp_path, nodes={"n1": failed, "n2": sibling})
    backend = ScriptedBackend([fenced(FIXED)], model="smollm2")
    ops = make_llm_operators({"debug": LLMOperatorConfig(model="smollm2", level="code")},
                             builtin_operators(), Ledger(Budget()), tmp_path,
                             backends={"smollm2": backend})
    candidate = ops["debug"].build(Proposal("n3", "debug", ("n1",)), ctx)
    close_operators(ops)
    prompt = (backend.requests[0].messages or ())[1]["content"]
    for shown in ('train["no_such_column"]', "error: KeyError: 'no_such_column'",
                  "KeyError: boom", "- n2: llm debug n1: tried pandas get -> error: TypeError"):
        assert shown in prompt
    assert candidate.code == FIXED and candidate.spec is None
    assert candidate.description == "llm debug n1: logistic regression on standardized columns"


def scripted_author(request: GenerationRequest, index: int) -> str:
    """Drafts broken code; debugs with the fixed module."""
    prompt = (request.messages or ())[-1]["content"]
    return fenced(FIXED if "This solution failed" in prompt else BROKEN)


def test_a_broken_draft_is_repaired_by_a_debug_that_runs_and_scores(tmp_path: Path) -> None:
    cfg = validate({"name": "code", "task": {"data": "breast_cancer", "target": "target",
                                             "metric": "roc_auc"},
                    "budget": {"wall_s": 40}, "executor": {"workers": 1, "timeout_s": 60},
                    "searcher": {"kind": "greedy", "num_drafts": 1, "debug_prob": 1.0,
                                 "operators": ["draft", "debug"]},
                    "refit": False, "runs_dir": str(tmp_path)})
    backend = ScriptedBackend(scripted_author, model="smollm2")
    configs = {name: LLMOperatorConfig(model="smollm2", level="code")
               for name in ("draft", "debug")}
    ops = make_llm_operators(configs, builtin_operators(), Ledger(Budget()), tmp_path / "run",
                             backends={"smollm2": backend})
    try:
        result = run(cfg, run_dir=tmp_path / "run", quiet=True, operators=ops)
    finally:
        close_operators(ops)
    nodes = sorted(load_nodes(result.run_dir).values(), key=lambda n: n.step)
    draft, debug = nodes[0], nodes[1]
    assert (draft.operator, draft.status, draft.model) == ("draft", NodeStatus.ERROR, "smollm2")
    assert "no_such_column" in draft.error
    assert (debug.operator, debug.parent_ids, debug.model) == ("debug", (draft.id,), "smollm2")
    assert debug.status == NodeStatus.OK and debug.score is not None and debug.score > 0.95
    assert debug.code == FIXED and debug.cost["tokens"] > 0
    assert result.best_node_id == debug.id


def test_a_node_the_model_failed_to_build_names_the_model_and_what_it_spent(
        tmp_path: Path) -> None:
    cfg = validate({"name": "unbuilt", "task": {"data": "breast_cancer", "target": "target",
                                                "metric": "roc_auc"},
                    "budget": {"wall_s": 4}, "executor": {"workers": 1},
                    "searcher": {"kind": "greedy", "num_drafts": 2, "operators": ["draft"]},
                    "refit": False, "runs_dir": str(tmp_path)})
    backend = ScriptedBackend(lambda request, index: "I cannot write code.", model="smollm2")
    ledger = Ledger(Budget())
    ops = make_llm_operators({"draft": LLMOperatorConfig(model="smollm2", level="code")}, {},
                             ledger, tmp_path / "run", backends={"smollm2": backend})
    try:
        result = run(cfg, run_dir=tmp_path / "run", quiet=True, operators=ops)
    finally:
        close_operators(ops)
    nodes = list(load_nodes(result.run_dir).values())
    assert nodes and all(n.error.startswith("build failed: llm draft failed") for n in nodes)
    assert {n.model for n in nodes} == {"smollm2"}
    assert all(n.cost["tokens"] > 0 for n in nodes)
    assert sum(n.cost["tokens"] for n in nodes) == ledger.spent.tokens
