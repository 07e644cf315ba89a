"""The vLLM stage: real engines and a real server on CPU, run from ``.venv-vllm`` only.

Not collected by ``make test`` (the main ``testpaths`` is ``tests``). Run it with
``.venv-vllm/bin/python -m pytest tests_vllm`` after ``scripts/vllm_env.sh``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Offline and silent before vLLM or transformers is imported anywhere in this session.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("VLLM_NO_USAGE_STATS", "1")


def pytest_configure(config: pytest.Config) -> None:
    try:
        import vllm  # noqa: F401
    except ImportError:
        pytest.exit("tests_vllm needs vLLM: run scripts/vllm_env.sh, then "
                    ".venv-vllm/bin/python -m pytest tests_vllm", returncode=4)


@pytest.fixture(scope="session")
def smollm2_checkpoint() -> Path:
    """SmolLM2's GGUF as a HF checkpoint (converted once into ~/.cache/graftml/hf)."""
    from graftml.llm.hf_checkpoint import hf_checkpoint
    from graftml.llm.registry import get_model

    return hf_checkpoint(get_model("smollm2-vllm"))
