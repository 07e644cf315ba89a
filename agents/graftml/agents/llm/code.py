"""The code level: the model writes a whole candidate module defining ``fit_predict``.

The prompt gives the candidate contract, a preview of the task and, for improve and debug, the
parent's code with its error output and the sibling attempts on it. The answer's Python block is
accepted when it parses and defines ``fit_predict`` with four parameters.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from graftml.agents.llm import context
from graftml.agents.llm.prompts import PromptSet
from graftml.agents.llm.step import Record, StepInput, record

_FENCE = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL)


def extract_code(text: str) -> str:
    """The longest fenced code block of ``text``; the whole text when it has no fence.

    A base model continues a prompt that already opened a block, so its answer may have only
    the closing fence (or none, when it ran out of tokens).
    """
    blocks = [b for b in _FENCE.findall(text) if b.strip()]
    if blocks:
        return str(max(blocks, key=len)).strip() + "\n"
    return text.split("```")[0].strip() + "\n"


def check_module(code: str) -> None:
    """ValueError unless ``code`` parses and defines ``fit_predict`` with four parameters."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise ValueError(f"the code does not parse: {exc.msg} (line {exc.lineno})") from None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "fit_predict":
            if len(node.args.args) != 4:
                raise ValueError(f"fit_predict takes 4 parameters, the code gives it "
                                 f"{len(node.args.args)}")
            return
    raise ValueError("the code does not define fit_predict at module level")


def summary(code: str) -> str:
    """The module's leading comment (the contract asks for one), or a placeholder."""
    for line in code.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") and len(stripped) > 1:
            return stripped.lstrip("#").strip()[:100]
        if stripped:
            break
    return "free-form code"


class CodeStep:
    """``draft``, ``improve`` or ``debug`` as a free-form module."""

    level = "code"

    def __init__(self, operator: str) -> None:
        if operator not in ("draft", "improve", "debug"):
            raise ValueError(f"the code level has no {operator!r} step")
        self.operator = operator

    def variables(self, given: StepInput, prompts: PromptSet) -> dict[str, str]:
        ctx = given.ctx
        values = {"task": context.task_summary(ctx), "contract": prompts.contract}
        if self.operator == "draft":
            return {**values, "tried": context.lines(context.drafts(ctx))}
        node = context.parent(ctx, given.proposal.parent_ids)
        if not node.code:
            raise ValueError(f"parent {node.id!r} has no code")
        return {**values, "code": context.clip_code(node.code), "score": f"{node.score}",
                "error": f"{node.status}: {node.error[:300]}",
                "stderr": context.stderr_tail(ctx, node.id),
                "siblings": context.lines(context.siblings(ctx, node.id))}

    def schema(self, given: StepInput) -> dict[str, Any] | None:
        return None

    def parse(self, text: str, given: StepInput) -> dict[str, Any]:
        code = extract_code(text)
        check_module(code)
        return {"code": code}

    def emit(self, payload: dict[str, Any], given: StepInput) -> Record:
        parents = ", ".join(given.proposal.parent_ids)
        where = f" {parents}" if parents else ""
        return record(payload["code"], f"llm {self.operator}{where}: {summary(payload['code'])}")

