from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("request/", views.report_request, name="report_request"),
    path("<uuid:public_id>/", views.report_detail, name="report_detail"),
    path("<uuid:public_id>/status/", views.report_status, name="report_status"),
    path("<uuid:public_id>/download/", views.report_download, name="report_download"),
]
