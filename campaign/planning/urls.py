from django.urls import path

from campaign.planning.views import documents, plans

app_name = "planning"

urlpatterns = [
    # Legal documents
    path("documents/", documents.document_list, name="document_list"),
    path("documents/new/", documents.document_create, name="document_create"),
    path("documents/<int:pk>/", documents.document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", documents.document_edit, name="document_edit"),
    path(
        "documents/<int:pk>/file/",
        documents.document_download,
        name="document_download",
    ),
    # The plan, its programmes, phases and targets
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/targets/new/", plans.target_create, name="target_create"),
    path("targets/<int:pk>/edit/", plans.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", plans.target_delete, name="target_delete"),
]
