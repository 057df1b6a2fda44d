"""Gunicorn settings for the container: ``gunicorn -c docker/gunicorn.conf.py config.wsgi``.

Environment:
  GUNICORN_WORKERS     number of sync worker processes (default 3; about 2 x CPU cores + 1)
  FORWARDED_ALLOW_IPS  addresses or networks whose X-Forwarded-Proto is believed
                       (default 127.0.0.1,::1; compose: the proxy's network)
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

# Whether a request came over TLS. Only a connection from FORWARDED_ALLOW_IPS —
# in compose the reverse proxy's own network (PROXY_SUBNET), plus the container
# itself for its health check — may say so with X-Forwarded-Proto; from any
# other address the header changes nothing and the request counts as plain
# http. Django reads the scheme gunicorn decided (SECURE_PROXY_SSL_HEADER is
# unset), so nobody who reaches gunicorn by another way can pass for https.
forwarded_allow_ips = (
    os.environ.get("FORWARDED_ALLOW_IPS", "").strip() or "127.0.0.1,::1"
)
# The one header the proxy (Caddy) sets; gunicorn's other defaults
# (X-Forwarded-Ssl, X-Forwarded-Protocol) would pass through it from the client.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Both logs to the container's output ("docker compose logs web").
accesslog = "-"
errorlog = "-"

# Worker heartbeat files on tmpfs, not the container's overlay filesystem.
worker_tmp_dir = "/dev/shm"  # the container's own tmpfs, chosen on purpose  # nosec B108

# Gunicorn's control socket (gunicornc) is not used in the container.
control_socket_disable = True
