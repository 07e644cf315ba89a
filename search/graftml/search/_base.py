"""The machinery every tree searcher shares: drafts first, ids, tell, duplicates, checkpoints.

A subclass only ranks what to try next (:meth:`TreeSearcher._choices`); this base proposes the
drafts, skips choices that duplicate an in-flight proposal or name a disabled operator, keeps the
seeded :class:`random.Random`, and snapshots everything as JSON-able data.
"""

from __future__ import annotations

import abc
import json
import random
from collections.abc import Iterator, Mapping, Sequence

from graftml.errors import ConfigError
from graftml.operators import DEFAULT_ROLES, Role
from graftml.search._tree import Choice, SearchTree, TreeNode
from graftml.searcher import Searcher
from graftml.types import NodeStatus, Outcome, Proposal

#: graftml's own operators, in the order a searcher tries operators of one role
OPERATORS = tuple(DEFAULT_ROLES)
#: roles whose exact parent set is proposed at most once (again only if the node was killed)
ONCE_ONLY = frozenset({Role.COMBINE, Role.PAIR})
#: a choice whose operator failed to build a candidate this many times is not proposed again
MAX_BUILD_FAILURES = 2
Operators = Sequence[str] | Mapping[str, Role]


def validate_operators(operators: Operators) -> dict[str, Role]:
    """The enabled operators and their roles, checked.

    Args:
        operators: names with their roles, or names only (graftml's own operators, whose roles
            are :data:`~graftml.operators.DEFAULT_ROLES`).

    Raises:
        ConfigError: a name without a known role, or no operator of role ``draft``.
    """
    if isinstance(operators, Mapping):
        roles = {name: Role(role) for name, role in operators.items()}
    else:
        unknown = sorted(set(operators) - set(DEFAULT_ROLES))
        if unknown:
            raise ConfigError(f"unknown searcher operator(s) {unknown}; valid: "
                              f"{list(DEFAULT_ROLES)} (give other operators with their roles, "
                              "operators={name: Role...})")
        roles = {name: DEFAULT_ROLES[name] for name in dict.fromkeys(operators)}
    if Role.DRAFT not in roles.values():
        raise ConfigError(f"searcher operators {list(roles)} have none of role draft, so "
                          "nothing starts the search; add 'draft'")
    return roles


def check_range(name: str, value: float, low: float, high: float | None = None) -> None:
    """Raise :class:`ConfigError` unless ``low <= value <= high`` (``high`` None: unbounded)."""
    if value < low or (high is not None and value > high):
        bound = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ConfigError(f"searcher setting {name}={value!r} must be {bound}")


class TreeSearcher(Searcher, abc.ABC):
    """Base of the graftml searchers; see :class:`~graftml.searcher.Searcher` for the contract.

    Args:
        num_drafts: how many drafts (``params={"draft_index": i}``) open the search.
        seed: seed of the searcher's own :class:`random.Random`.
        operators: the operators it may propose; must include ``draft``.
        max_debug_depth: a chain of this many consecutive debugs is abandoned.
    """

    kind = ""

    def __init__(self, num_drafts: int, seed: int = 0, operators: Operators = OPERATORS,
                 max_debug_depth: int = 3) -> None:
        check_range("num_drafts", num_drafts, 1)
        check_range("max_debug_depth", max_debug_depth, 0)
        self.num_drafts = num_drafts
        self.seed = seed
        self.roles = validate_operators(operators)
        self.operators = tuple(self.roles)
        self._draft_operator = self.of_role(Role.DRAFT)[0]
        self.max_debug_depth = max_debug_depth
        self._rng = random.Random(seed)
        self._tree = SearchTree(repairs=frozenset(self.of_role(Role.REPAIR)))
        self._draft_queue = list(range(num_drafts))
        self._used: set[str] = set()
        self._build_failures: dict[str, int] = {}  # choice key -> candidates it failed to build

    def enabled(self, operator: str) -> bool:
        """Whether ``operator`` may be proposed."""
        return operator in self.roles

    def of_role(self, role: Role) -> list[str]:
        """The enabled operators of ``role``, in the order they were given."""
        return [name for name, r in self.roles.items() if r == role]

    def ask(self) -> Proposal | None:
        """Called by the orchestrator whenever a worker is free.

        Returns:
            A pending draft if any (killed drafts come back first), else the subclass's best
            choice that is enabled, not a duplicate of an in-flight proposal and not a repeat
            of a once-only merge/crossover; None when there is no such choice right now.
        """
        choice = self._next_draft() or self._first_free(self._choices())
        if choice is None:
            return None
        node = self._tree.add(choice)
        if once := self._once_key(choice):
            self._used.add(once)
        self._on_ask(node)
        return node.proposal()

    def tell(self, proposal_id: str, outcome: Outcome) -> None:
        """Called once per asked proposal, when its node has finished.

        Raises:
            KeyError: ``proposal_id`` is unknown or was already told.
            ValueError: ``outcome.status`` is ``running``.
        """
        node = self._tree.record(proposal_id, outcome)
        if node.status == NodeStatus.KILLED:
            # A killed node never finished: its draft index or parent set may be proposed again.
            self._used.discard(self._once_key(node.choice))
            if node.choice.operator == self._draft_operator:
                self._draft_queue.insert(0, int(node.choice.params["draft_index"]))
        if not outcome.built:
            key = _key_text(node.choice)
            failures = MAX_BUILD_FAILURES if outcome.exhausted else 1
            self._build_failures[key] = self._build_failures.get(key, 0) + failures
        self._on_tell(node)


    def _next_draft(self) -> Choice | None:
        if not self._draft_queue:
            return None
        return Choice(self._draft_operator, (), {"draft_index": self._draft_queue.pop(0)})

    def _first_free(self, choices: Iterator[Choice]) -> Choice | None:
        """The first enabled choice that neither duplicates an in-flight proposal, repeats a
        once-only one, nor failed to build :data:`MAX_BUILD_FAILURES` times."""
        busy = self._tree.in_flight_keys()
        for choice in choices:
            if (self.enabled(choice.operator) and choice.key() not in busy
                    and self._once_key(choice) not in self._used
                    and self._build_failures.get(_key_text(choice), 0) < MAX_BUILD_FAILURES):
                return choice
        return None

    def _debug_choices(self) -> Iterator[Choice]:
        """A repair (debug) of every failed leaf whose chain may still grow, oldest first."""
        for node in self._tree.debuggable(self.max_debug_depth):
            for operator in self.repairs_for(node):
                yield Choice(operator, (node.id,))

    def repairs_for(self, node: TreeNode) -> list[str]:
        """The repair operators for a failed ``node``, the first one taking turns down a debug
        chain (with several repair operators, successive fixes try different ones)."""
        repairs = self.of_role(Role.REPAIR)
        turn = node.debug_depth % len(repairs) if repairs else 0
        return repairs[turn:] + repairs[:turn]

    def _once_key(self, choice: Choice) -> str:
        """``merge:a,b`` for a once-only choice (parent order ignored); ``""`` for any other."""
        if self.roles.get(choice.operator) not in ONCE_ONLY:
            return ""
        return f"{choice.operator}:{','.join(sorted(choice.parent_ids))}"

    @abc.abstractmethod
    def _choices(self) -> Iterator[Choice]:
        """What to try next once drafts are out, best first; may draw from ``self._rng``."""

    def _on_ask(self, node: TreeNode) -> None:
        """Hook: ``node`` was just proposed."""

    def _on_tell(self, node: TreeNode) -> None:
        """Hook: ``node`` was just told its outcome."""



def _key_text(choice: Choice) -> str:
    """``choice.key()`` as one JSON string (a JSON-able dict key)."""
    return json.dumps(choice.key())
