from django.urls import path

from reporting.views import dashboard, reports, scope_search, texts

app_name = "reporting"

urlpatterns = [
    path("", reports.report_list, name="report_list"),
    path("request/", reports.report_request, name="report_request"),
    path("texts/", texts.report_texts, name="report_texts"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("scopes/search/", scope_search.scope_search, name="scope_search"),
    path("dashboard/export.xlsx", dashboard.dashboard_export, name="dashboard_export"),
    path("<uuid:public_id>/", reports.report_detail, name="report_detail"),
    path("<uuid:public_id>/status/", reports.report_status, name="report_status"),
    path("<uuid:public_id>/download/", reports.report_download, name="report_download"),
    path("<uuid:public_id>/delete/", reports.report_delete, name="report_delete"),
]
