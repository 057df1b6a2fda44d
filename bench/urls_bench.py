"""The project's URLs plus ``/bench/bare/``: a bare Django view (no template,
no query of its own), the baseline of ``bench/registration_list.py``; and
``/bench/layout/``, the site's layout with no content (for profiling).

Nothing here is added to the application's own URLconf.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def layout(request: HttpRequest) -> HttpResponse:
    """The site's layout with no content: what every page costs before its
    own work (profiling only; not a verdict's baseline)."""
    return render(request, "base.html")


# Outside i18n_patterns, like /healthz/; still behind every middleware
# (sessions, LoginRequiredMiddleware, CSRF, CSP, history...).
urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/layout/", layout, name="bench_layout"),
    *project_urlpatterns,
]
