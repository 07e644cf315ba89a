"""Helpers shared by the benchmark scripts: hardware facts, CPU pinning, number formatting."""

from __future__ import annotations

import os
import platform
import statistics
from importlib import metadata
from pathlib import Path

import psutil
from rich.console import Console

PACKAGES = (
    ("graftml",), ("flaml",), ("lightgbm",), ("xgboost", "xgboost-cpu"), ("catboost",),
    ("scikit-learn",), ("pandas",), ("numpy",),
)


def console() -> Console:
    """A console that keeps wide tables readable when the output is a file or a pipe."""
    out = Console()
    return out if out.is_terminal else Console(width=200)


def pin_cores(cores: int) -> list[int]:
    """Restrict this process (and every child it starts) to ``cores`` CPUs; returns the CPUs."""
    if not hasattr(os, "sched_setaffinity"):
        return list(range(os.cpu_count() or 1))
    available = sorted(os.sched_getaffinity(0))
    if len(available) > cores:
        os.sched_setaffinity(0, available[:cores])
    return sorted(os.sched_getaffinity(0))


def cpu_model() -> str:
    """The CPU's marketing name (``/proc/cpuinfo`` on Linux, else ``platform``)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def package_version(*names: str) -> str:
    """The installed version of the first distribution found among ``names``."""
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def hardware_info(cpus: list[int]) -> dict[str, str]:
    """CPU, cores, memory, OS, Python and the versions of the packages that matter here."""
    info = {
        "cpu": cpu_model(),
        "cores": f"{len(cpus)} used (CPUs {','.join(map(str, cpus))}) of "
                 f"{os.cpu_count()} logical / {psutil.cpu_count(logical=False)} physical",
        "ram": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        # other work on the machine slows both systems and inflates wall times: say so
        "load_avg": "{:.2f} {:.2f} {:.2f} (1/5/15 min, at start)".format(*os.getloadavg()),
    }
    info.update({names[0]: package_version(*names) for names in PACKAGES})
    return info


def mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    if len(values) < 2:
        return values[0], 0.0
    return statistics.fmean(values), statistics.stdev(values)


def fmt_score(values: list[float]) -> str:
    """``mean±std`` (just the value for one seed) with precision chosen by magnitude.

    ``-`` when there is no score.
    """
    if not values:
        return "-"
    mean, std = mean_std(values)
    digits = 1 if abs(mean) >= 100 else 3 if abs(mean) >= 1 else 4
    return f"{mean:.{digits}f}" + (f"±{std:.{digits}f}" if len(values) > 1 else "")


def overrun_pct(wall_s: float, budget_s: float) -> float:
    """How far ``wall_s`` went past ``budget_s``, in percent (negative: finished early)."""
    return 100.0 * (wall_s - budget_s) / budget_s
