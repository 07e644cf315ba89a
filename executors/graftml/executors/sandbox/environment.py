"""The environments of a job and of the zygote that forks warm jobs."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping

from graftml.types import Job

THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                   "NUMEXPR_NUM_THREADS", "LOKY_MAX_CPU_COUNT")

# read by the interpreter or a native library when it starts or loads, which in the warm path
# happened in the zygote: a job that sets one of these must start cold to see it
_STARTUP_PREFIXES = ("PYTHON", "LD_", "MALLOC_", "MIMALLOC_", "JE_", "OMP_", "GOMP_", "KMP_")


def job_env(job: Job, interpreter: str, user: str | None = None) -> dict[str, str]:
    """The environment a job sees: a clean minimum plus ``job.env``; nothing else is inherited.

    ``user`` sets ``USER``/``LOGNAME`` for a uid without a passwd entry (``getpass.getuser()``).
    """
    env = _base_env(interpreter, job.threads, str(job.workdir))
    if user is not None:
        env.update(USER=user, LOGNAME=user)
    env.update(job.env)
    return env


def zygote_env(interpreter: str) -> dict[str, str]:
    """The zygote's environment: a job's, one thread, set before the heavy imports read it."""
    env = _base_env(interpreter, 1, tempfile.gettempdir())
    # pyarrow's bundled jemalloc starts a background purge thread at import; forking a process
    # with a second thread is unsafe, so the zygote goes without it
    env["JE_ARROW_MALLOC_CONF"] = "background_thread:false"
    # libgomp reads this when it loads, in the zygote. Idle OpenMP threads spin by default and
    # made 2-thread LightGBM fits 20-50x slower on a busy 2-core machine; the built-in
    # candidates set it before their own imports, so the cold path sees the same value
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    return env


def needs_cold_start(job: Job, zygote_env: Mapping[str, str]) -> bool:
    """True when ``job.env`` sets a variable only a fresh interpreter would honour.

    That is one read at start-up or load time (``PYTHON*``, ``LD_*``, allocator and OpenMP
    settings) to another value than the zygote started with; thread counts equal to
    ``job.threads`` are fine (the warm child sets them with threadpoolctl).
    """
    return any(name.startswith(_STARTUP_PREFIXES) and zygote_env.get(name) != value
               and not (name in THREAD_ENV_VARS and value == str(job.threads))
               for name, value in job.env.items())


def _base_env(interpreter: str, threads: int, home: str) -> dict[str, str]:
    env = {
        "PATH": os.pathsep.join([os.path.dirname(interpreter), os.environ.get("PATH", os.defpath)]),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "HOME": home,
        "PYTHONUNBUFFERED": "1",  # a killed job still shows its last lines
        "MALLOC_ARENA_MAX": "2",  # glibc reserves 64 MB of address space per arena otherwise
        # pyarrow and catboost bundle mimalloc, which reserves a 1 GiB arena up front; under
        # RLIMIT_AS that reservation alone ate a quarter of the default 4 GB cap (KiB here)
        "MIMALLOC_ARENA_RESERVE": "65536",
    }
    env.update(dict.fromkeys(THREAD_ENV_VARS, str(threads)))
    return env
