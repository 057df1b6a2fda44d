"""EXPERIMENT ONLY, not used by the application: the project's Celery app plus
the worker tweaks proposed in docs/benchmarks.md, so that they can be measured
without touching application code:

    .venv/bin/python bench/worker_memory.py 20 --celery-app bench.tuned_worker_app

1. Import WeasyPrint (``reporting.pdf``) in the worker's main process before the
   pool forks, so no pool child pays the ~0.5 s import (which also spawns
   ``ldconfig``/``gcc``/``ld`` through ``ctypes.util.find_library``) on its first
   report, including children replaced by ``--max-memory-per-child``.
2. ``gc.freeze()`` after start-up, so the collector no longer walks the ~160,000
   long-lived objects of Django, Celery and WeasyPrint on each full collection.
3. A larger first-generation threshold in each pool child, so a report build
   triggers far fewer collections (WeasyPrint allocates millions of objects).
"""

import gc

from celery.signals import worker_init, worker_process_init

from config.celery_app import app

__all__ = ("app",)

GC_THRESHOLD = (50_000, 20, 100)


@worker_init.connect
def preload_renderer(**kwargs) -> None:
    import reporting.pdf  # noqa: F401  WeasyPrint and its C libraries, before fork

    gc.collect()
    gc.freeze()


@worker_process_init.connect
def tune_collector(**kwargs) -> None:
    gc.set_threshold(*GC_THRESHOLD)
