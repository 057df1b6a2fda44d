"""Root URLs. Vietnamese pages are unprefixed; English ones live under /en/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from config import views

urlpatterns = [
    # The language switch must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz/", views.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("areas/", include("units.urls")),
    path("reports/", include("reporting.urls")),
    path("", include("campaign.committees.urls")),
    path("", include("campaign.planning.urls")),
    path("", include("campaign.registrations.urls")),
    path("", include("campaign.assessments.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
