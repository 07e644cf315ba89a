"""Tables, tasks, splits and metrics."""

from graftml.data.load import builtin_names, load_table
from graftml.data.metrics import METRICS, Metric, default_metric, get_metric
from graftml.data.task import Task, TaskData, infer_task_type, prepare

__all__ = [
    "METRICS",
    "Metric",
    "Task",
    "TaskData",
    "builtin_names",
    "default_metric",
    "get_metric",
    "infer_task_type",
    "load_table",
    "prepare",
]
