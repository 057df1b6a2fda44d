"""The project's URLs plus ``/bench/bare/``: a bare Django view (no template,
no query of its own), the baseline of ``bench/registration_list.py``.

Nothing here is added to the application's own URLconf.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


# Outside i18n_patterns, like /healthz/; still behind every middleware
# (sessions, LoginRequiredMiddleware, CSRF, CSP, history...).
urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *project_urlpatterns]
