"""Jobs: long work (training, large imports, scoring) in the background, with progress, a log,
cooperative cancel and a result. ``Platform.jobs`` is the :class:`JobService`."""

from openkamp.jobs.context import Cancelled, JobContext
from openkamp.jobs.executor import Executor, Handle, JobTask, ThreadExecutor
from openkamp.jobs.service import JobService, run_job

__all__ = [
    "Cancelled",
    "Executor",
    "Handle",
    "JobContext",
    "JobService",
    "JobTask",
    "ThreadExecutor",
    "run_job",
]
