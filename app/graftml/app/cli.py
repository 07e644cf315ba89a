"""The ``graft`` command line: small command classes in a registry, imported lazily.

``graft --help`` imports none of the heavy modules (Ray, LightGBM, Optuna). Every
:class:`~graftml.errors.GraftError` becomes one line on stderr and its exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from graftml.errors import GraftError
from graftml.plugins import EXECUTORS, SEARCHERS


class Command:
    """A sub-command: ``add_arguments`` declares flags, ``run`` returns the exit code."""

    name = ""
    help = ""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        return None

    def run(self, args: argparse.Namespace) -> int:
        raise NotImplementedError


class RunCommand(Command):
    name = "run"
    help = "search pipelines for a task (a YAML config, or --data/--target flags)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("config", nargs="?", help="run config YAML (configs/runs/*.yaml)")
        parser.add_argument("--set", dest="overrides", action="append", default=[],
                            metavar="KEY=VALUE",
                            help="override a config key, e.g. budget.wall_s=60")
        parser.add_argument("--data", help="CSV/Parquet path or built-in dataset name")
        parser.add_argument("--target", help="target column")
        parser.add_argument("--metric", help="validation metric (default by task type)")
        parser.add_argument("--time", type=float, help="wall-clock budget in seconds")
        parser.add_argument("--test", help="table to predict after the final pick "
                                           "(its target column may be absent)")
        parser.add_argument("--searcher", choices=SEARCHERS.names())
        parser.add_argument("--executor", choices=EXECUTORS.names())
        parser.add_argument("--workers", type=int, help="jobs in flight (default: cores)")
        parser.add_argument("--seed", type=int)
        parser.add_argument("--folds", type=int,
                            help="cross-validation folds (default by rows: 8, 5, 3; 1 = one split)")
        parser.add_argument("--holdout", type=float, help="share of rows held out for a final "
                            "score (default 0.1; 0 with --test)")
        parser.add_argument("--run-dir", help="folder for this run (default runs/<id>)")
        parser.add_argument("--quiet", action="store_true", help="no progress display")

    def run(self, args: argparse.Namespace) -> int:
        from graftml.config import load_config, validate

        flags = _flag_overrides(args)
        if args.config:
            cfg = load_config(args.config, flags + args.overrides)
        elif args.data and args.target:
            from graftml.config import apply_overrides

            raw = apply_overrides({"task": {"data": args.data, "target": args.target}},
                                  flags + args.overrides)
            cfg = validate(raw, "command line")
        else:
            raise GraftError("give a config file, or both --data and --target")
        from graftml.app.sdk import run

        result = run(cfg, run_dir=args.run_dir, quiet=args.quiet)
        _print_result(result)
        return 0 if result.best_node_id else 1


def _flag_overrides(args: argparse.Namespace) -> list[str]:
    pairs = {"task.data": args.data, "task.target": args.target, "task.metric": args.metric,
             "budget.wall_s": args.time, "task.test_data": args.test,
             "searcher.kind": args.searcher, "executor.kind": args.executor,
             "executor.workers": args.workers, "task.seed": args.seed,
             "task.folds": args.folds, "task.holdout": args.holdout}
    return [f"{k}={v}" for k, v in pairs.items() if v is not None]


class ResumeCommand(Command):
    name = "resume"
    help = "continue a run that was killed (finished nodes are kept)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("run_dir")
        parser.add_argument("--quiet", action="store_true")

    def run(self, args: argparse.Namespace) -> int:
        from graftml.app.sdk import resume

        result = resume(args.run_dir, quiet=args.quiet)
        _print_result(result)
        return 0 if result.best_node_id else 1


class ShowCommand(Command):
    name = "show"
    help = "print a run's leaderboard"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("run_dir")
        parser.add_argument("--top", type=int, default=15)

    def run(self, args: argparse.Namespace) -> int:
        from graftml.app.show import show

        show(args.run_dir, args.top)
        return 0


class LLMServeCommand(Command):
    name = "llm"
    help = ("models: `graft llm models` lists the registered ones, `graft llm serve --model "
            "smollm2` starts an OpenAI-compatible server")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=["models", "serve"])
        parser.add_argument("--model", default="smollm2",
                            help="a registered model (graft llm models)")
        parser.add_argument("--port", type=int, default=8080)
        parser.add_argument("--threads", type=int, default=2)

    def run(self, args: argparse.Namespace) -> int:
        import subprocess

        from graftml.llm.registry import get_model, load_models
        from graftml.llm.server import serve_argv

        if args.action == "models":
            for spec in load_models().values():
                parts = spec.gguf_parts
                where = (f"{parts.packages[0]} … ({len(parts.packages)} parts)" if parts
                         else spec.model or spec.package or "")
                print(f"{spec.name:<22} {spec.provider:<18} {where}")
            return 0
        argv = serve_argv(get_model(args.model), "127.0.0.1", args.port, args.threads)
        print(f"serving {args.model} at http://127.0.0.1:{args.port}/v1 (Ctrl-C stops)",
              file=sys.stderr)
        return subprocess.call(argv)


class TTCCommand(Command):
    name = "ttc"
    help = ("test-time compute: answer --prompt with a strategy, or `graft ttc eval DATASET` "
            "for accuracy vs cost")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", nargs="?", choices=["eval", "bank"],
                            help="eval: sweep models x strategies x N over DATASET; "
                                 "bank build: draw --data's samples once into --out")
        parser.add_argument("dataset", nargs="?",
                            help="arithmetic, word_problems or multiple_choice")
        parser.add_argument("--data", metavar="FILE.jsonl",
                            help="eval: your own items, GSM8K's question/answer (#### N) or "
                                 "prompt/answer, one JSON object per line")
        parser.add_argument("--prompt", help="the question (answer mode)")
        parser.add_argument("--model", default="smollm2",
                            help="a registered model (graft llm models)")
        parser.add_argument("--models", help="eval: comma-separated model names")
        parser.add_argument("--strategy", default="single")
        parser.add_argument("--strategies", default="single,best_of_n,self_consistency")
        parser.add_argument("--n", default="1", help="samples; eval: comma-separated, e.g. 1,2,4")
        parser.add_argument("--seeds", type=int, default=3, help="eval: seeds per setting")
        parser.add_argument("--split", default="heldout", choices=["dev", "heldout"])
        parser.add_argument("--limit", type=int, help="eval: first items of the split")
        parser.add_argument("--out", help="eval: output folder (table, runs, plot); bank: the "
                                          "bank file")
        parser.add_argument("--bank", help="eval: replay samples from this bank file")
        parser.add_argument("--temperature", type=float)
        parser.add_argument("--max-tokens", type=int,
                            help="per sample (default 256; eval 32, eval --data 400)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--scorer", help="mean_logprob or llm_judge")
        parser.add_argument("--weighted", action="store_true", help="score-weighted votes")
        parser.add_argument("--answer-format", default="auto",
                            choices=["auto", "integer", "choice", "text", "code"])
        parser.add_argument("--thinking-tokens", type=int, help="budget_forcing cap")
        parser.add_argument("--wait", type=int, default=0, help="budget_forcing extensions")
        parser.add_argument("--speculative", help="speculative method, e.g. prompt_lookup")
        parser.add_argument("--strong-model", help="cascade: the model to escalate to")
        parser.add_argument("--strong-n", type=int, default=4, help="cascade: its samples")
        parser.add_argument("--agreement", type=float, default=0.75,
                            help="cascade: the cheap vote's share that needs no escalation")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def run(self, args: argparse.Namespace) -> int:
        from graftml.app.ttc_cli import run_command

        return run_command(args)


def _print_result(result: Any) -> None:
    from rich.console import Console

    def fmt(value: float | None) -> str:
        return "—" if value is None else f"{value:.5f}"

    scored = f"{result.folds}-fold CV" if result.bagged or result.folds > 1 else "validation"
    console = Console()
    console.print(
        f"[bold]best[/] {result.best_node_id} · {scored} {result.metric} "
        f"{fmt(result.valid_score)} · hold-out test {fmt(result.test_score)} · "
        f"{result.n_nodes} nodes in {result.elapsed_s:.1f}s · overhead "
        f"{result.overhead_ms:.2f} ms/node\n"
        f"final model: {result.final_fit}\n"
        f"run folder: {result.run_dir}  (report.html, best/pipeline.py"
        f"{', best/predictions.csv' if result.user_predictions else ''})")
    if result.warning:
        console.print(f"[bold yellow]warning:[/] {result.warning}")


COMMANDS: dict[str, Command] = {
    c.name: c for c in (RunCommand(), ResumeCommand(), ShowCommand(), LLMServeCommand(),
                        TTCCommand())}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graft", description="graftml: agentic AutoML")
    subs = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        command.add_arguments(subs.add_parser(command.name, help=command.help))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``graft``; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command].run(args)
    except GraftError as exc:
        print(f"graft: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("graft: interrupted; `graft resume RUN_DIR` continues the run", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
