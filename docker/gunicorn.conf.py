"""Gunicorn settings for the container: ``gunicorn -c docker/gunicorn.conf.py config.wsgi``.

Environment:
  GUNICORN_WORKERS  number of sync worker processes (default 3; about 2 x CPU cores + 1)
"""

import os

_workers = os.environ.get("GUNICORN_WORKERS", "").strip() or "3"
try:
    workers = int(_workers)
except ValueError:
    raise SystemExit(f"GUNICORN_WORKERS={_workers!r} is not a whole number.") from None
if workers < 1:
    raise SystemExit(f"GUNICORN_WORKERS={workers} must be at least 1.")

bind = "0.0.0.0:8000"

# Both logs to the container's output ("docker compose logs web").
accesslog = "-"
errorlog = "-"

# Worker heartbeat files on tmpfs, not the container's overlay filesystem.
worker_tmp_dir = "/dev/shm"

# Gunicorn's control socket (gunicornc) is not used in the container.
control_socket_disable = True
