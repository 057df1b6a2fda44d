"""Project-wide middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on the application's responses.

    Every page of the registry shows data of a province's security movement to
    one signed-in person: no browser cache, shared cache or proxy may keep a
    copy (a shared office computer's back button, a caching proxy of the
    provincial network). So:

    - a response to a signed-in user always carries ``no-store`` and
      ``private``, added to whatever the view set (downloads and exports set
      ``private, no-store`` themselves; a view that sets ``max-age`` keeps it,
      but ``no-store`` wins);
    - any other response (the login page with its CSRF token, the redirect to
      it, the health check) gets the same unless its view chose its own
      ``Cache-Control``.

    Static files never reach this middleware: WhiteNoise, listed before it,
    answers them with its own long-lived caching headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
