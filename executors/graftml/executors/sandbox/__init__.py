"""The code sandbox: one job as a limited, killable process, started cold or forked warm.

* :mod:`.job`: :func:`run_job` and :class:`SandboxPolicy`, the one entry point;
* :mod:`.limits`: the process cap, the unprivileged uid and the rlimits a job gets;
* :mod:`.cgroup`: the per-job pids cgroup (or process group) that kills every process;
* :mod:`.job_user`: which uid a job runs as; :mod:`.environment`: its environment;
* :mod:`.start`: starting the process, cold or warm; :mod:`.self_confine`: what that process does
  to itself before the candidate runs;
* :mod:`.zygote` (executor side), :mod:`.zygote_server` (the forking process) and
  :mod:`.zygote_child` (a forked job);
* :mod:`.outcome`: how the process ended, as a :class:`~graftml.types.JobResult`.
"""

from __future__ import annotations

from graftml.executors.sandbox.job import SandboxPolicy, run_job
from graftml.executors.sandbox.zygote import Zygote

__all__ = ["SandboxPolicy", "Zygote", "run_job"]
