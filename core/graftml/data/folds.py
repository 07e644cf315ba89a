"""How a task's search rows are scored: k-fold cross-validation (bagging) or one hold-out split.

Every search row gets a fold id. With ``k >= 2`` folds each row is held out by exactly one fold:
a candidate is fit ``k`` times, its score is the metric of its out-of-fold (OOF) predictions over
every row, and its prediction of any other table is the mean of its ``k`` fold models (so a bagged
candidate needs no refit). With one fold (very large tables) the validation rows have fold 0 and
the rest fold ``TRAIN_ONLY``: fitted on, never scored, as a classic train/validation split.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

#: fold id of a row that every fold fits on and none scores (the train part of a hold-out split)
TRAIN_ONLY = -1
#: fold id of a row left out of a cheap first fit altogether (a subsample of the train part)
LEFT_OUT = -2

#: (most search rows, folds): bagging everywhere but on very large tables
AUTO_FOLDS = ((2_000, 8), (10_000, 5), (50_000, 3))


def auto_folds(n_rows: int) -> int:
    """Folds for a table of ``n_rows`` search rows: 8, 5, 3, then 1 (a hold-out split)."""
    return next((k for most, k in AUTO_FOLDS if n_rows <= most), 1)


def assign_folds(y: np.ndarray, k: int, classify: bool, seed: int,
                 valid_size: float = 0.2) -> np.ndarray:
    """A seeded fold id per row (stratified by class for classification).

    ``k == 1`` makes a hold-out split: ``valid_size`` of the rows get fold 0, the others
    :data:`TRAIN_ONLY`.
    """
    rows = np.arange(len(y))
    folds = np.full(len(y), TRAIN_ONLY, dtype=np.int64)
    if k == 1:
        _, valid = train_test_split(rows, test_size=valid_size, random_state=seed,
                                    stratify=y if classify else None)
        folds[valid] = 0
        return folds
    if classify and int(np.bincount(y.astype(np.int64)).min()) < k:
        classify = False  # a class rarer than k rows cannot appear in every fold
    splitter = (StratifiedKFold(k, shuffle=True, random_state=seed) if classify
                else KFold(k, shuffle=True, random_state=seed))
    for fold, (_, held) in enumerate(splitter.split(rows, y)):
        folds[held] = fold
    return folds


def subsample_train_rows(folds: np.ndarray, y: np.ndarray, fraction: float, seed: int,
                         classify: bool) -> np.ndarray:
    """``folds`` with all but ``fraction`` of the :data:`TRAIN_ONLY` rows marked :data:`LEFT_OUT`
    (at least two rows of each class are kept, so every class appears in a cheap fit)."""
    rng = np.random.default_rng(seed)
    out = folds.copy()
    train = np.flatnonzero(folds == TRAIN_ONLY)
    groups = [train[y[train] == c] for c in np.unique(y[train])] if classify else [train]
    for rows in groups:
        keep = max(2 if classify else 1, round(len(rows) * fraction))
        dropped = rng.permutation(rows)[keep:]
        out[dropped] = LEFT_OUT
    return out
