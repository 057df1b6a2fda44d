"""A page that chooses its own caching, for tests/config/test_cache_control.py."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import cache_control


@login_not_required
@cache_control(max_age=60)
def cacheable(request):
    return HttpResponse("figures")


urlpatterns = [path("cacheable/", cacheable)]
