"""Jobs: long work (training, large imports, scoring) in the background, with progress, a log,
cooperative cancel and a result. ``Platform.jobs`` is the :class:`JobService`; job functions marked
:func:`portable` may run on a Dask cluster (:mod:`openkamp.jobs.dask`), and ``ctx.map`` fans a
job out into parts (:mod:`openkamp.jobs.fanout`)."""

from openkamp.jobs.context import Cancelled, JobContext
from openkamp.jobs.executor import Executor, Handle, JobTask, ThreadExecutor, portable
from openkamp.jobs.service import JobService, run_job

__all__ = [
    "Cancelled",
    "Executor",
    "Handle",
    "JobContext",
    "JobService",
    "JobTask",
    "ThreadExecutor",
    "portable",
    "run_job",
]
