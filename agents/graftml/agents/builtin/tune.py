"""The tune operator: one Optuna study per model kind, asked and told across proposals.

The studies live in an Optuna journal file under ``<run_dir>/optuna/`` so a resumed run (a new
process) continues them. Each tune proposal asks one trial; the subsample-first score is reported
at step 0 so the study's pruner decides promotion; the node's end tells the trial.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graftml.agents.builtin.render import describe, pipeline_candidate
from graftml.agents.builtin.space import proposal_seed, structured_parent
from graftml.agents.builtin.tune_space import clip_to_space, search_space, suggest
from graftml.candidate import Candidate
from graftml.operators import Operator, OperatorContext, Role
from graftml.types import Node, NodeStatus, Proposal

if TYPE_CHECKING:
    import optuna
    from optuna.storages import BaseStorage

JOURNAL_FILE = "journal.log"


def study_name(kind: str) -> str:
    """The study that tunes ``kind`` (one per model kind and run)."""
    return f"tune-{kind}"


class TuneOperator(Operator):
    """``tune``: a TPE-sampled variant of the parent's pipeline (same kind and prep).

    The first trial of a study replays the parent's own parameters (enqueued), so the study
    starts from a known point. ``Candidate.params`` records ``trial`` and ``study``.

    Args:
        seed: mixed with the run seed and the study name into the sampler's seed.
        n_startup_trials: random trials before TPE models the history.
        pruner_startup_trials: completed trials before the median pruner may prune.
    """

    name = "tune"
    role = Role.REFINE

    def __init__(self, seed: int = 0, n_startup_trials: int = 5,
                 pruner_startup_trials: int = 3) -> None:
        self.seed = seed
        self.n_startup_trials = n_startup_trials
        self.pruner_startup_trials = pruner_startup_trials
        self._studies: dict[tuple[str, str], tuple[optuna.Study, BaseStorage]] = {}

    def build(self, proposal: Proposal, ctx: OperatorContext) -> Candidate:
        if len(proposal.parent_ids) != 1:
            raise ValueError(f"tune needs one parent, got {len(proposal.parent_ids)}")
        spec = structured_parent(ctx, proposal.parent_ids[0])
        space = search_space(spec["model"], ctx.task_type)
        study, _ = self.study(ctx, study_name(spec["model"]))
        if not study.get_trials(deepcopy=False):
            study.enqueue_trial(clip_to_space(spec["params"], space),
                                user_attrs={"enqueued_from": proposal.parent_ids[0]})
        trial = study.ask()
        trial.set_user_attr("node_id", proposal.id)
        spec["params"].update(suggest(trial, space))
        return pipeline_candidate(spec, f"tune trial {trial.number}: {describe(spec)}",
                                  {"trial": trial.number, "study": study.study_name})

    def should_promote(self, node: Node, low_fidelity_score: float, ctx: OperatorContext) -> bool:
        """Report the subsample score at step 0 and defer to the study's pruner."""
        trial = self._running_trial(node, ctx)
        if trial is None:
            return True
        trial.report(low_fidelity_score, step=0)
        return not trial.should_prune()

    def on_finish(self, node: Node, ctx: OperatorContext) -> None:
        """Tell the node's trial: its oriented score, or PRUNED, or FAIL."""
        if "trial" in node.params and "study" in node.params:
            study, _ = self.study(ctx, str(node.params["study"]))
            tell(study, int(node.params["trial"]), node, ctx)

    def study(self, ctx: OperatorContext, name: str) -> tuple[optuna.Study, BaseStorage]:
        """Open (once per operator and run) the study ``name`` and settle stale trials."""
        key = (str(ctx.run_dir), name)
        if key not in self._studies:
            opened = open_study(ctx, name, proposal_seed(self.seed, ctx, name),
                                self.n_startup_trials, self.pruner_startup_trials)
            settle_stale_trials(opened[0], ctx)
            self._studies[key] = opened
        return self._studies[key]

    def _running_trial(self, node: Node, ctx: OperatorContext) -> optuna.Trial | None:
        import optuna

        if "trial" not in node.params or "study" not in node.params:
            return None
        study, storage = self.study(ctx, str(node.params["study"]))
        study_id = storage.get_study_id_from_name(study.study_name)
        trial_id = storage.get_trial_id_from_study_id_trial_number(study_id,
                                                                   int(node.params["trial"]))
        if storage.get_trial(trial_id).state != optuna.trial.TrialState.RUNNING:
            return None
        return optuna.Trial(study, trial_id)


def open_study(ctx: OperatorContext, name: str, seed: int, n_startup_trials: int,
               pruner_startup_trials: int) -> tuple[optuna.Study, BaseStorage]:
    """Create or load ``name`` in the run's journal file, its sampler seeded with ``seed``."""
    import optuna
    from optuna.storages import JournalStorage

    from graftml.agents.builtin.optuna_journal import FlushedJournalBackend

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # one INFO line per trial drowns the UI
    folder = ctx.run_dir / "optuna"
    folder.mkdir(parents=True, exist_ok=True)
    storage = JournalStorage(FlushedJournalBackend(str(folder / JOURNAL_FILE)))
    study = optuna.create_study(
        storage=storage, study_name=name, direction="maximize", load_if_exists=True,
        sampler=optuna.samplers.TPESampler(seed=seed, n_startup_trials=n_startup_trials),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=pruner_startup_trials,
                                           n_warmup_steps=0))
    return study, storage


def tell(study: optuna.Study, number: int, node: Node, ctx: OperatorContext) -> None:
    """Tell trial ``number`` how ``node`` ended (idempotent)."""
    from optuna.trial import TrialState

    values: Any = None
    if node.status == NodeStatus.OK and node.score is not None:
        values, state = ctx.metric.oriented(node.score), TrialState.COMPLETE
    elif node.status == NodeStatus.PRUNED:
        state = TrialState.PRUNED
    else:
        state = TrialState.FAIL
    study.tell(number, values, state=state, skip_if_finished=True)


def settle_stale_trials(study: optuna.Study, ctx: OperatorContext) -> None:
    """Settle trials a killed process left RUNNING, from the journal's view of their nodes.

    A trial whose node is still running will be resumed by the orchestrator: kept. A trial whose
    node has ended is told its result; a trial with no node (built, never started) is failed.
    """
    from optuna.trial import TrialState

    for frozen in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        node = ctx.nodes.get(str(frozen.user_attrs.get("node_id", "")))
        if node is None:
            study.tell(frozen.number, state=TrialState.FAIL, skip_if_finished=True)
        elif node.status != NodeStatus.RUNNING:
            tell(study, frozen.number, node, ctx)
