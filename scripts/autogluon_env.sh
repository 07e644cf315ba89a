#!/usr/bin/env bash
# Build .venv-autogluon: AutoGluon-Tabular with a CPU torch, for the AutoML benchmark
# (benchmarks/automl_vs_flaml.py runs it through benchmarks/_autogluon_worker.py).
#
# Kept apart from .venv on purpose: AutoGluon pins pandas < 2.4 and scikit-learn < 1.10, and
# brings torch, fastai and spaCy, none of which the main venv may carry. graftml is not
# installed here: the worker script needs only AutoGluon and pandas.
#
#   scripts/autogluon_env.sh [VENV_DIR]       # default .venv-autogluon; idempotent (stamp file)
#
# Then: .venv/bin/python benchmarks/automl_vs_flaml.py --systems graftml,flaml,autogluon
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
VENV="${1:-.venv-autogluon}"
PY="$VENV/bin/python"
STAMP="$VENV/.installed"

# torch first, and exactly this version: pip's find-links (/opt/wheels) holds a local CPU wheel
# of it for Python 3.11; any other version (or Python) resolves to the registry's CUDA build and
# several GB of NVIDIA wheels. AutoGluon 1.6.3 accepts torch >=2.10,<2.14.
TORCH_VERSION=2.13.0
AUTOGLUON_VERSION=1.6.3
# medium_quality / best_quality train LightGBM, CatBoost, XGBoost (the extra takes xgboost-cpu:
# plain xgboost pulls a 469 MB NCCL wheel), random forests, extra trees, k-NN, a torch MLP and
# fastai's tabular MLP (the fastai extra: fastai + spaCy).
EXTRAS="lightgbm,catboost,xgboost,fastai"

if [[ -f "$STAMP" ]]; then
  echo "$VENV is ready (remove $STAMP to rebuild)"
  exit 0
fi
start=$(date +%s)
test -x "$PY" || "$PYTHON" -m venv "$VENV"
"$PY" -m pip install -q --upgrade pip
"$PY" -m pip install -q "torch==${TORCH_VERSION}"
# torch stays pinned in the same resolution, so no extra can move it to a CUDA build
"$PY" -m pip install -q "torch==${TORCH_VERSION}" "autogluon.tabular[${EXTRAS}]==${AUTOGLUON_VERSION}"
"$PY" - <<'EOF'
import autogluon.tabular, catboost, lightgbm, torch, xgboost
from importlib import metadata
print("autogluon.tabular", metadata.version("autogluon.tabular"), "| torch", torch.__version__,
      "| lightgbm", lightgbm.__version__, "| catboost", catboost.__version__,
      "| xgboost", xgboost.__version__)
assert "cu" not in torch.__version__ and not torch.cuda.is_available(), torch.__version__
try:
    import fastai.tabular.all  # noqa: F401  (optional: AutoGluon skips fastai when it fails)
    print("fastai", metadata.version("fastai"))
except Exception as exc:  # reported, not fatal
    print(f"fastai unavailable ({type(exc).__name__}: {exc}); AutoGluon will skip that model")
EOF
touch "$STAMP"
echo "$VENV built in $(( $(date +%s) - start )) s, $(du -sh "$VENV" | cut -f1)"
