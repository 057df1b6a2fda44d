"""WSGI entry point of the HTTP benchmarks: the project with
``bench.settings_bench`` (its URLs plus one bare view).

    gunicorn bench.bare_wsgi -w 2 -b 127.0.0.1:<port>
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"

application = get_wsgi_application()
