"""Errors raised by graftml.

Every error derives from :class:`GraftError`; the CLI maps each to a one-line message and an
exit code::

    GraftError
    ├── ConfigError        bad YAML, unknown key, invalid value            (exit 2)
    ├── TaskError          bad data: missing file/column, one-class target,
    │                      unknown metric, metric/direction mismatch        (exit 2)
    ├── BudgetExceeded     a hard limit (wall, tokens, usd) would be passed (exit 3)
    ├── LLMError           an LLM endpoint failed or answered nonsense      (exit 4)
    └── ExecutorError      infrastructure fault running a job (not a bad job) (exit 5)

Messages name the bad value, the valid options and the fix. A failing *candidate* is never an
error: it is data (``JobResult.status``).
"""

from __future__ import annotations


class GraftError(Exception):
    """Root of all graftml errors."""

    exit_code: int = 1


class ConfigError(GraftError):
    """A configuration file or override is invalid."""

    exit_code = 2


class TaskError(GraftError):
    """The task (data, target, metric, direction) cannot be run as given."""

    exit_code = 2


class BudgetExceeded(GraftError):
    """A hard budget limit would be exceeded; partial results are kept."""

    exit_code = 3

    def __init__(self, resource: str, spent: float, limit: float) -> None:
        self.resource = resource
        self.spent = spent
        self.limit = limit
        super().__init__(
            f"budget exceeded: {resource} spent {spent:g} of limit {limit:g}; "
            f"raise budget.{resource} to continue"
        )


class LLMError(GraftError):
    """An LLM backend failed (unreachable, unauthorized, malformed output)."""

    exit_code = 4


class ExecutorError(GraftError):
    """The executor itself failed (not the job it ran)."""

    exit_code = 5
