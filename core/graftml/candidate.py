"""The candidate contract: what an operator builds and what a sandboxed job runs.

A candidate's ``code`` is a self-contained Python module that defines::

    def fit_predict(train: pd.DataFrame, target: str,
                    predict: dict[str, pd.DataFrame], info: dict) -> dict[str, np.ndarray]

``train`` holds the features and the target column (classes encoded ``0..K-1``); ``predict`` maps
a split name to a feature table; ``info`` has ``task_type`` (binary/multiclass/regression),
``n_classes``, ``seed`` and ``threads``. It returns, for every name in ``predict``, an
``(n, K)`` probability matrix (classification) or an ``(n,)`` vector (regression).

graftml appends :data:`JOB_FOOTER` to run it as a job (``python candidate.py job.json``) and
:data:`EXPORT_FOOTER` to export it as a standalone script that retrains on a CSV and predicts.
A job either fits once per fold (``job["folds"]``: a fold-id file, ``job["fold_ids"]``: the folds
to fit), writing out-of-fold predictions as ``pred_valid.npy`` and the fold models' mean for
every other table, or fits once on every row (a refit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

JOB_FOOTER = '''

def _graftml_fold_fits(train, target, sets, job):
    """Fit once per fold of ``job["fold_ids"]``: out-of-fold predictions of the rows those folds
    hold out (in row order) and the fold models' mean prediction of every other table."""
    import numpy as _np

    folds = _np.load(job["folds"])
    held_any = _np.isin(folds, job["fold_ids"])
    oof, sums = None, {name: 0.0 for name in sets}
    for fold in job["fold_ids"]:
        held = folds == fold
        fit_rows = (folds != fold) & (folds >= -1)  # -2: left out of a cheap fit
        tables = {name: frame.copy() for name, frame in sets.items()}
        tables["valid"] = train.loc[held].drop(columns=[target]).reset_index(drop=True)
        out = fit_predict(train.loc[fit_rows].reset_index(drop=True), target, tables, job["info"])
        pred = _np.asarray(out["valid"], dtype=float)
        if oof is None:
            oof = _np.full((len(train),) + pred.shape[1:], _np.nan)
        oof[held] = pred.reshape((int(held.sum()),) + oof.shape[1:])
        for name in sets:
            sums[name] = sums[name] + _np.asarray(out[name], dtype=float)
    result = {name: total / len(job["fold_ids"]) for name, total in sums.items()}
    result["valid"] = oof[held_any]
    return result


if __name__ == "__main__":
    import json as _json
    import sys as _sys

    import numpy as _np
    import pandas as _pd

    _job = _json.loads(open(_sys.argv[1] if len(_sys.argv) > 1 else "job.json").read())
    _train = _pd.read_parquet(_job["train"])
    _sets = {name: _pd.read_parquet(path) for name, path in _job["predict"].items()}
    if _job.get("folds"):
        _out = _graftml_fold_fits(_train, _job["target"], _sets, _job)
    else:  # one fit on every row: a refit
        _out = fit_predict(_train, _job["target"], _sets, _job["info"])
    for _name, _pred in _out.items():
        _np.save(f"pred_{_name}.npy", _np.asarray(_pred, dtype=float))
'''

EXPORT_FOOTER = '''

if __name__ == "__main__":
    import argparse as _argparse

    import numpy as _np
    import pandas as _pd

    _p = _argparse.ArgumentParser(description="Retrain this pipeline and predict.")
    _p.add_argument("--train", required=True, help="CSV or Parquet with features and target")
    _p.add_argument("--predict", required=True, help="CSV or Parquet with the features")
    _p.add_argument("--out", default="predictions.csv")
    _a = _p.parse_args()
    _read = lambda p: _pd.read_parquet(p) if p.endswith(".parquet") else _pd.read_csv(p)
    _train, _test = _read(_a.train), _read(_a.predict).drop(columns=[TARGET], errors="ignore")
    _info = dict(TASK_INFO)
    if _info["task_type"] != "regression":
        _codes, _classes = _pd.factorize(_train[TARGET], sort=True)
        _train[TARGET] = _codes
        _info["n_classes"] = len(_classes)
    _pred = _np.asarray(fit_predict(_train, TARGET, {"out": _test}, _info)["out"])
    if _info["task_type"] == "regression":
        _pd.DataFrame({TARGET: _pred}).to_csv(_a.out, index=False)
    else:
        _labels = _pred.argmax(axis=1)
        if "threshold" in _info and _pred.shape[1] == 2:  # fitted on validation by graftml
            _labels = (_pred[:, 1] >= _info["threshold"]).astype(int)
        _frame = _pd.DataFrame({TARGET: _np.asarray(_classes)[_labels]})
        for _k, _c in enumerate(_classes):
            _frame[f"proba_{_c}"] = _pred[:, _k]
        _frame.to_csv(_a.out, index=False)
'''


@dataclass(frozen=True)
class Candidate:
    """What an operator returns.

    Attributes:
        code: module source defining ``fit_predict`` (no footer).
        description: one line for the leaderboard.
        spec: the structured pipeline description, when the candidate comes from the built-in
            pipeline space (lets tune/crossover/improve act on it); ``None`` for free-form code.
        predictions: precomputed predictions per split name (an ensemble of finished nodes is
            scored without a job); ``None`` means run ``code`` as a job.
        params: operator bookkeeping to keep in the journal (e.g. Optuna trial number). Three
            keys are lifted onto the node: ``model`` (which model wrote it; default "builtin"),
            ``tokens`` and ``usd`` (what building it cost, already charged to the ledger).
    """

    code: str
    description: str = ""
    spec: dict[str, Any] | None = None
    predictions: dict[str, np.ndarray] | None = None
    params: dict[str, Any] = field(default_factory=dict)


def job_script(code: str) -> str:
    """The script a sandboxed job runs."""
    return code.rstrip() + "\n" + JOB_FOOTER


def export_script(code: str, target: str, info: dict[str, Any]) -> str:
    """A standalone script that retrains on a table and predicts another."""
    header = f"TARGET = {target!r}\nTASK_INFO = {info!r}\n"
    return code.rstrip() + "\n\n" + header + EXPORT_FOOTER
