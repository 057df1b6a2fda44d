from django.urls import path

from campaign.assessments.views import (
    assessable_unit_search,
    assessments,
    award_unit_search,
    awards,
    criteria,
    progress,
    ward_police,
)

app_name = "assessments"

urlpatterns = [
    # Criteria sets, versioned.
    path("criteria/", criteria.criteria_set_list, name="criteria_set_list"),
    path(
        "criteria/<int:pk>/", criteria.criteria_set_detail, name="criteria_set_detail"
    ),
    path(
        "criteria/publish/<str:subject>/",
        criteria.criteria_set_publish,
        name="criteria_set_publish",
    ),
    # Yearly assessments and their workflow.
    path("assessments/", assessments.assessment_list, name="assessment_list"),
    path(
        "assessments/export/<str:fmt>/",
        assessments.assessment_export,
        name="assessment_export",
    ),
    path(
        "assessments/waiting/",
        assessments.assessment_waiting,
        name="assessment_waiting",
    ),
    path("assessments/new/", assessments.assessment_create, name="assessment_create"),
    path(
        "assessments/new/units/",
        assessable_unit_search.assessable_unit_search,
        name="assessable_unit_search",
    ),
    path(
        "assessments/<int:pk>/", assessments.assessment_detail, name="assessment_detail"
    ),
    path(
        "assessments/<int:pk>/answers/",
        assessments.assessment_answers,
        name="assessment_answers",
    ),
    path(
        "assessments/<int:pk>/answers/<int:answer_pk>/evidence/",
        assessments.evidence_upload,
        name="evidence_upload",
    ),
    path(
        "assessments/<int:pk>/answers/<int:answer_pk>/verify/",
        assessments.answer_verify,
        name="answer_verify",
    ),
    path(
        "assessments/<int:pk>/answers/<int:answer_pk>/unverify/",
        assessments.answer_unverify,
        name="answer_unverify",
    ),
    path(
        "assessments/<int:pk>/submit/",
        assessments.assessment_submit,
        name="assessment_submit",
    ),
    path(
        "assessments/<int:pk>/return/",
        assessments.assessment_return,
        name="assessment_return",
    ),
    path(
        "assessments/<int:pk>/accept/",
        assessments.assessment_accept,
        name="assessment_accept",
    ),
    path(
        "assessments/<int:pk>/recognition/",
        assessments.recognition_create,
        name="recognition_create",
    ),
    path(
        "evidence/<int:pk>/",
        assessments.evidence_download,
        name="evidence_download",
    ),
    path(
        "evidence/<int:pk>/remove/",
        assessments.evidence_remove,
        name="evidence_remove",
    ),
    # The model ward police programme.
    path("ward-police/", ward_police.ward_police_overview, name="ward_police_overview"),
    path(
        "ward-police/in/<int:area_pk>/",
        ward_police.ward_police_grouping,
        name="ward_police_grouping",
    ),
    path(
        "ward-police/<int:pk>/",
        ward_police.ward_police_detail,
        name="ward_police_detail",
    ),
    # The target engine's figures.
    path("progress/", progress.progress_overview, name="progress"),
    # Recognitions, commendations, pledges, reviews; a unit's whole history.
    path("recognitions/", awards.recognition_list, name="recognition_list"),
    path("commendations/", awards.commendation_list, name="commendation_list"),
    path("commendations/new/", awards.commendation_create, name="commendation_create"),
    path(
        "award-units/search/",
        award_unit_search.award_unit_search,
        name="award_unit_search",
    ),
    path("pledges/", awards.pledge_list, name="pledge_list"),
    path("pledges/new/", awards.pledge_create, name="pledge_create"),
    path("pledges/<int:pk>/", awards.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/result/", awards.pledge_result, name="pledge_result"),
    path("reviews/", awards.review_list, name="review_list"),
    path("reviews/new/", awards.review_create, name="review_create"),
    path("reviews/<int:pk>/", awards.review_detail, name="review_detail"),
    path(
        "unit-history/<str:kind>/<int:pk>/",
        awards.unit_history,
        name="unit_history",
    ),
]
