"""The tune operator on a real Optuna journal file: resume, pruning, failures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import optuna
import pytest
from optuna.trial import TrialState

from graftml.agents.builtin import TuneOperator, make_spec
from graftml.agents.builtin.tune import JOURNAL_FILE, study_name
from graftml.candidate import Candidate
from graftml.operators import OperatorContext
from graftml.types import Node, NodeStatus, Proposal

NodeOf = Callable[..., Node]


@pytest.fixture
def tune_ctx(ctx: OperatorContext, node_of: NodeOf) -> OperatorContext:
    ctx.nodes = {"a": node_of("a", make_spec("lightgbm", "binary", ctx.n_rows, 30))}
    return ctx


def _build(op: TuneOperator, ctx: OperatorContext, proposal_id: str) -> Node:
    """Build like the orchestrator does and record the (running) node in the context."""
    candidate: Candidate = op.build(Proposal(proposal_id, "tune", ("a",)), ctx)
    node = Node(id=proposal_id, operator="tune", parent_ids=("a",), spec=candidate.spec,
                code=candidate.code, params=dict(candidate.params))
    assert isinstance(ctx.nodes, dict)
    ctx.nodes[proposal_id] = node
    return node


def _end(op: TuneOperator, ctx: OperatorContext, node: Node, status: NodeStatus,
         score: float | None = None) -> None:
    ended = replace(node, status=status, score=score)
    assert isinstance(ctx.nodes, dict)
    ctx.nodes[node.id] = ended
    op.on_finish(ended, ctx)


def _states(ctx: OperatorContext) -> list[TrialState]:
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(
        str(ctx.run_dir / "optuna" / JOURNAL_FILE)))
    study = optuna.load_study(study_name=study_name("lightgbm"), storage=storage)
    return [t.state for t in study.get_trials(deepcopy=False)]


def test_first_trial_replays_the_parent_params(tune_ctx: OperatorContext) -> None:
    node = _build(TuneOperator(), tune_ctx, "t0")
    parent = tune_ctx.nodes["a"].spec
    assert node.params["trial"] == 0 and parent is not None and node.spec is not None
    assert node.spec["params"]["num_leaves"] == parent["params"]["num_leaves"]
    assert node.spec["params"]["learning_rate"] == parent["params"]["learning_rate"]


def test_a_second_operator_resumes_the_same_study(tune_ctx: OperatorContext) -> None:
    first = TuneOperator()
    _end(first, tune_ctx, _build(first, tune_ctx, "t0"), NodeStatus.OK, 0.9)
    resumed = TuneOperator()
    node = _build(resumed, tune_ctx, "t1")
    assert node.params["trial"] == 1
    assert _states(tune_ctx) == [TrialState.COMPLETE, TrialState.RUNNING]


def test_trial_of_a_killed_build_is_failed_on_resume(tune_ctx: OperatorContext) -> None:
    first = TuneOperator()
    first.build(Proposal("lost", "tune", ("a",)), tune_ctx)  # no node recorded: process died
    _build(TuneOperator(), tune_ctx, "t1")
    assert _states(tune_ctx) == [TrialState.FAIL, TrialState.RUNNING]


def test_trial_of_a_still_running_node_is_kept_and_told_later(tune_ctx: OperatorContext) -> None:
    node = _build(TuneOperator(), tune_ctx, "t0")
    resumed = TuneOperator()
    _build(resumed, tune_ctx, "t1")
    assert _states(tune_ctx)[0] == TrialState.RUNNING
    _end(resumed, tune_ctx, node, NodeStatus.OK, 0.8)
    assert _states(tune_ctx)[0] == TrialState.COMPLETE


def test_weak_low_fidelity_score_is_pruned(tune_ctx: OperatorContext) -> None:
    op = TuneOperator(pruner_startup_trials=1)
    strong = _build(op, tune_ctx, "t0")
    assert op.should_promote(strong, 0.95, tune_ctx)
    _end(op, tune_ctx, strong, NodeStatus.OK, 0.96)
    weak = _build(op, tune_ctx, "t1")
    assert not op.should_promote(weak, 0.5, tune_ctx)
    _end(op, tune_ctx, weak, NodeStatus.PRUNED)
    assert _states(tune_ctx) == [TrialState.COMPLETE, TrialState.PRUNED]


def test_failed_and_timed_out_nodes_fail_their_trials(tune_ctx: OperatorContext) -> None:
    op = TuneOperator()
    _end(op, tune_ctx, _build(op, tune_ctx, "t0"), NodeStatus.ERROR)
    _end(op, tune_ctx, _build(op, tune_ctx, "t1"), NodeStatus.TIMEOUT)
    assert _states(tune_ctx) == [TrialState.FAIL, TrialState.FAIL]


def test_minimised_metric_is_told_oriented(tmp_path: object, tables: dict[str, object],
                                           make_ctx: Callable[..., OperatorContext],
                                           node_of: NodeOf) -> None:
    ctx = make_ctx(tmp_path, tables["wine"])
    ctx.nodes = {"a": node_of("a", make_spec("lightgbm", "multiclass", ctx.n_rows, 13))}
    op = TuneOperator()
    _end(op, ctx, _build(op, ctx, "t0"), NodeStatus.OK, 0.25)  # log loss
    study, _ = op.study(ctx, study_name("lightgbm"))
    assert study.best_value == -0.25


def test_sampled_params_are_deterministic(tmp_path_factory: pytest.TempPathFactory,
                                         tables: dict[str, object],
                                         make_ctx: Callable[..., OperatorContext],
                                         node_of: NodeOf) -> None:
    runs = []
    for _ in range(2):
        ctx = make_ctx(tmp_path_factory.mktemp("run"), tables["breast_cancer"])
        ctx.nodes = {"a": node_of("a", make_spec("lightgbm", "binary", ctx.n_rows, 30))}
        op = TuneOperator()
        _end(op, ctx, _build(op, ctx, "t0"), NodeStatus.OK, 0.9)
        runs.append(_build(op, ctx, "t1").spec)
    assert runs[0] == runs[1]
