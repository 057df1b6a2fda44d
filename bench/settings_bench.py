"""Settings for the HTTP benchmarks: the project's settings, unchanged, with a
URLconf that adds one trivial view (``bench.urls_bench``). The baseline thus
runs in the same process, behind the same middleware, as the pages measured.

Used only by ``bench/bare_wsgi.py`` (gunicorn) and ``bench/registration_list.py``.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
