"""WSGI entry point of the load test: ``bench.bare_wsgi`` (the project with
``bench.settings_bench``: its URLs plus ``/bench/bare/``) wrapped so that each
response carries ``X-Load-CPU-ms``, the CPU time the worker process spent on
the request (``time.process_time``; a sync worker serves one request at a
time, so the difference is that request's). gunicorn's access log records
it; the driver groups it by request type. Unlike wall times, it does not grow
when other processes take the machine's cores. PostgreSQL's own CPU is not
in it.

    gunicorn bench.load.wsgi -w 3 -b 127.0.0.1:<port>
"""

from __future__ import annotations

import time

from bench.bare_wsgi import application as project_application

CPU_HEADER = "X-Load-CPU-ms"


def application(environ, start_response):
    started = time.process_time()
    answer = {}

    def keep(status, headers, exc_info=None):
        answer["start"] = (status, headers, exc_info)
        return lambda data: None  # Django never uses write()

    body = project_application(environ, keep)
    status, headers, exc_info = answer["start"]
    cpu_ms = (time.process_time() - started) * 1000
    start_response(status, [*headers, (CPU_HEADER, f"{cpu_ms:.2f}")], exc_info)
    return body
