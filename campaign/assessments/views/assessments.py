"""Assessment pages: start one, the detail page (answers, evidence,
verification, workflow, history), the workflow steps, evidence files and the
recognition. Views stay thin: the services decide and their refusals are
shown in words; objects are only ever looked up through the scoped selectors
(another locality's assessment or file is a 404)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import uploads
from campaign.assessments.choices import AssessmentStatus
from campaign.assessments.forms.assessments import (
    AUTHORITIES,
    EVIDENCE_LABEL,
    AnswerRow,
    AnswersForm,
    AssessmentCreateForm,
    EvidenceForm,
    RecognitionForm,
    ReturnForm,
    VerifyForm,
    YearForm,
    evidence_help,
    evidence_prefix,
    met_options,
    met_value,
    registration_key,
    ward_police_key,
)
from campaign.assessments.models import Assessment
from campaign.assessments.selectors import assessment_pages as pages
from campaign.assessments.selectors.assessable_units import (
    assessable_unit_sets_for_user,
)
from campaign.assessments.selectors.assessments import (
    answer_get_for_user,
    assessment_answer_groups,
    assessment_get_for_user,
    count_answers,
    evidence_get_for_user,
    ward_police_get_for_user,
)
from campaign.assessments.services import assessments as services
from campaign.assessments.services.awards import recognition_record
from campaign.assessments.views.assessment_list import (
    assessment_export,
    assessment_list,
    assessment_waiting,
    plan_years,
)
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.downloads import private_file_response
from campaign.forms import add_service_error, form_status
from campaign.planning.selectors.periods import (
    current_period,
    exemplary_programme,
    phases_of,
)
from campaign.registrations.selectors.registrations import registration_get_for_user

__all__ = [
    "answer_unverify",
    "answer_verify",
    "assessment_accept",
    "assessment_answers",
    "assessment_create",
    "assessment_detail",
    "assessment_export",
    "assessment_list",
    "assessment_return",
    "assessment_submit",
    "assessment_waiting",
    "evidence_download",
    "evidence_remove",
    "evidence_upload",
    "recognition_create",
]


def _at_criterion(assessment: Assessment, answer_pk: int) -> str:
    return f"{assessment.get_absolute_url()}#criterion-{answer_pk}"


# --- Start an assessment ------------------------------------------------------------


def _resolve_unit(user, key: str):
    """The ward police or registration a unit key names, if the user may see
    it (whatever the year: the service explains a wrong year); else ``None``."""
    kind, _sep, pk = (key or "").partition(":")
    if not pk.isdigit():
        return None
    try:
        if kind == "wp":
            return ward_police_get_for_user(user=user, pk=int(pk))
        if kind == "reg":
            return registration_get_for_user(user=user, pk=int(pk))
    except Http404:
        return None
    return None


def _asked_unit(request: HttpRequest) -> str:
    """The unit asked for in the query string (?ward_police= or ?registration=)."""
    ward_police = request.GET.get("ward_police", "")
    registration = request.GET.get("registration", "")
    if ward_police.isdigit():
        return ward_police_key(int(ward_police))
    if registration.isdigit():
        return registration_key(int(registration))
    return ""


def _year_from(value, years: list[int], default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if year in years else default


def _unit_label(unit) -> str:
    return getattr(unit, "name", None) or unit.unit_name


@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.ASSESS_UNITS)
    phases = phases_of(exemplary_programme())
    period = current_period(phases=phases)
    if period is None:
        messages.error(request, _("The plan and its phases are not loaded yet."))
        return redirect("assessments:assessment_list")
    years = plan_years()
    posted = request.method == "POST"
    source = request.POST if posted else request.GET
    asked = request.POST.get("unit", "") if posted else _asked_unit(request)
    default = period.year
    asked_unit = _resolve_unit(request.user, asked) if asked else None
    if not posted and asked_unit is not None and "year" not in request.GET:
        default = pages.default_assessment_year(asked_unit, current=default)
    year = _year_from(source.get("year"), years, default)
    units = assessable_unit_sets_for_user(user=request.user, year=year)
    # Offered apart only if the year's list lacks it (the form looks that up
    # among the options it reads, not by reading the whole list here).
    extra_choice = None
    if asked_unit is not None:
        extra_choice = (
            asked,
            _("%(unit)s — not in the list of %(year)s")
            % {"unit": _unit_label(asked_unit), "year": year},
        )
    form = AssessmentCreateForm(
        request.POST if posted else None,
        years=years,
        units=units,
        resolve=lambda key: _resolve_unit(request.user, key),
        extra_choice=extra_choice,
        initial={"year": year, "unit": asked},
    )
    existing = None
    if posted and form.is_valid():
        unit = form.chosen_unit
        is_ward_police = form.cleaned_data["unit"].startswith("wp:")
        target = {"ward_police" if is_ward_police else "registration": unit}
        try:
            assessment = services.assessment_create(
                year=form.cleaned_data["year"], by=request.user, **target
            )
        except ValidationError as error:
            if getattr(error, "code", "") == "duplicate":
                existing = pages.existing_assessment_for_user(
                    user=request.user, year=form.cleaned_data["year"], **target
                )
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "The assessment of %(unit)s for %(year)s has been started "
                    "against %(set)s. Answer every criterion, attach the "
                    "evidence, then submit it to the province."
                )
                % {
                    "unit": assessment.unit_name,
                    "year": assessment.year,
                    "set": assessment.criteria_set,
                },
            )
            return redirect(assessment)
    return render(
        request,
        "assessments/assessment_form.html",
        {
            "form": form,
            "year_form": YearForm(
                initial={"year": year}, years=years, auto_id="choose_%s"
            ),
            "year": year,
            "period": period,
            "existing": existing,
        },
        status=form_status(form),
    )


# --- The detail page ----------------------------------------------------------------


# A primary key no row has: ``reverse`` once with it, then put each row's in
# its place (a ``reverse`` per row and form costs more than the row's text).
_PK_MARK = 2_147_483_647


def _url_for_rows(name: str, *args: int) -> Callable[[int], str]:
    marked = reverse(name, args=[*args, _PK_MARK])
    return lambda pk: marked.replace(f"/{_PK_MARK}/", f"/{pk}/")


def _row_labels() -> dict[str, str]:
    """The fixed texts of the criterion rows, translated once per page: a
    ``{% translate %}`` per row and use cost more than the row's own text."""
    return {
        "met": gettext("Met"),
        "not_met": gettext("Not met"),
        "not_answered": gettext("Not answered"),
        "not_required": gettext("not required"),
        "verified": gettext("Verified"),
        "evidence": gettext("Evidence:"),
        "evidence_files": gettext("Evidence files"),
        "no_evidence": gettext("No evidence file yet."),
        "remove": gettext("Remove"),
        "attach_file": gettext("Attach a file"),
        "attach": gettext("Attach"),
        "release": gettext("Release"),
        "verified_met": gettext("Verified: met"),
        "verified_not_met": gettext("Verified: not met"),
        # The evidence form's field, as ``EvidenceForm`` labels it.
        "upload_label": str(EVIDENCE_LABEL),
        "upload_help": evidence_help(),
    }


def _rows(assessment: Assessment, groups, *, answers_form, upload, conflict) -> list:
    """The criteria by group, each row with its fields, its upload form, its
    texts and the addresses of its forms and files (translated and reversed
    once per page, not per row and use)."""
    upload_pk, upload_form = upload if upload else (None, None)
    title = gettext("Criterion %(code)s")
    legend = gettext("Result of criterion %(code)s")
    hint = gettext("criterion %(code)s")
    upload_url = _url_for_rows("assessments:evidence_upload", assessment.pk)
    verify_url = _url_for_rows("assessments:answer_verify", assessment.pk)
    unverify_url = _url_for_rows("assessments:answer_unverify", assessment.pk)
    download_url = _url_for_rows("assessments:evidence_download")
    remove_url = _url_for_rows("assessments:evidence_remove")
    shown = []
    for group in groups:
        rows = []
        for answer in group.answers:
            code = {"code": answer.criterion.code}
            row = AnswerRow(
                answer=answer,
                title=title % code,
                legend=legend % code,
                hint=hint % code,
                upload_url=upload_url(answer.pk),
                verify_url=verify_url(answer.pk),
                unverify_url=unverify_url(answer.pk),
            )
            for evidence in answer.evidence.all():
                evidence.download_url = download_url(evidence.pk)
                evidence.remove_url = remove_url(evidence.pk)
            if answers_form is not None:
                row.met_field = answers_form.met_field(answer)
                row.note_field = answers_form.note_field(answer)
                if row.met_field is not None and not row.met_field.errors:
                    row.met_options = met_options(row.met_field)
                if conflict is not None and row.met_field is not None:
                    sent_met = answers_form.data.get(row.met_field.html_name, "")
                    sent_note = answers_form.data.get(row.note_field.html_name, "")
                    row.changed_meanwhile = sent_met != met_value(answer.met) or (
                        sent_note.strip() != answer.note
                    )
                if not answer.verified:
                    row.takes_upload = True
                    if answer.pk == upload_pk:
                        row.posted_upload = upload_form
            rows.append(row)
        shown.append((group.group, rows))
    return shown


def _detail(
    request: HttpRequest,
    assessment: Assessment,
    *,
    answers_form: AnswersForm | None = None,
    upload: tuple[int, EvidenceForm] | None = None,
    return_form: ReturnForm | None = None,
    conflict: Assessment | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    data = pages.assessment_page_data(assessment=assessment)
    groups = data.groups
    answers = [answer for group in groups for answer in group.answers]
    count_answers(assessment, answers)
    answering = services.can_answer(user=user, assessment=assessment)
    if answering and answers_form is None:
        answers_form = AnswersForm(
            answers=answers, initial={"based_on_version": assessment.version}
        )
    if not answering:
        answers_form = None
    recognition = pages.assessment_recognition(assessment=assessment)
    meets_all = pages.meets_all(
        required_met=assessment.required_met,
        required_total=assessment.required_total,
    )
    upload_answer = None
    if upload is not None:
        upload_answer = next((a for a in answers if a.pk == upload[0]), None)
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "assessment": assessment,
            "groups": _rows(
                assessment,
                groups,
                answers_form=answers_form,
                upload=upload,
                conflict=conflict,
            ),
            "labels": _row_labels(),
            "answers_form": answers_form,
            "conflict": conflict,
            "upload_form": upload[1] if upload else None,
            "upload_answer": upload_answer,
            "can_answer": answering,
            "can_verify": services.can_verify(user=user, assessment=assessment),
            "actions": services.allowed_actions(user=user, assessment=assessment),
            "return_form": return_form or ReturnForm(),
            "timeline": data.timeline,
            "recognition": recognition,
            "meets_all": meets_all,
            "accepted": assessment.status == AssessmentStatus.ACCEPTED,
            "can_recognise": (
                assessment.status == AssessmentStatus.ACCEPTED
                and meets_all
                and recognition is None
                and access.can(user, Capability.MANAGE_AWARDS)
            ),
            "locked_count": sum(1 for a in answers if a.verified),
            "unanswered": assessment.criteria_total - assessment.criteria_answered,
        },
        status=status,
    )


@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The figures are counted from the answers the page reads anyway.
    assessment = assessment_get_for_user(
        user=request.user, pk=pk, counts=False, for_page=True
    )
    return _detail(request, assessment)


@require_POST
def assessment_answers(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    access.require(request.user, Capability.ASSESS_UNITS)
    if not services.can_answer(user=request.user, assessment=assessment):
        messages.error(request, services.NOT_EDITABLE)
        return redirect(assessment)
    answers = [
        answer
        for group in assessment_answer_groups(assessment=assessment)
        for answer in group.answers
    ]
    form = AnswersForm(request.POST, answers=answers)
    conflict = None
    if form.is_valid():
        given = {
            answer_id: services.AnswerInput(met=met, note=note)
            for answer_id, (met, note) in form.answer_values().items()
        }
        try:
            saved = services.assessment_answers_update(
                assessment=assessment,
                expected_version=form.cleaned_data["based_on_version"],
                answers=given,
                by=request.user,
            )
        except services.AssessmentConflict as error:
            conflict = error.current
            form.add_error(
                None,
                _(
                    "Not saved: someone else changed this assessment after you "
                    "opened it. Your answers are kept in the form; the saved "
                    "ones are shown next to each criterion that differs. Check "
                    "them, then save again to replace them with yours."
                ),
            )
            # Saving again is based on the version now shown.
            form.data = form.data.copy()
            form.data["based_on_version"] = conflict.version
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if saved.version == form.cleaned_data["based_on_version"]:
                messages.info(request, _("Nothing had changed: nothing to save."))
            else:
                messages.success(request, _("The answers have been saved."))
            return redirect(f"{assessment.get_absolute_url()}#answers")
    current = assessment_get_for_user(user=request.user, pk=pk)
    return _detail(
        request,
        current,
        answers_form=form,
        conflict=conflict,
        status=409 if conflict is not None else 400,
    )


# --- Evidence -----------------------------------------------------------------------


def _upload_valid(request: HttpRequest, form: EvidenceForm) -> bool:
    """Validate the upload form; a file dropped while it streamed in for its
    size is explained on its field (the form never saw it)."""
    valid = form.is_valid()
    too_large = form.add_prefix("file") in uploads.too_large_fields(request)
    if too_large:
        form.errors.pop("file", None)
        form.add_error("file", uploads.too_large_error())
    return valid and not too_large


@require_POST
def evidence_upload(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    answer = answer_get_for_user(user=request.user, pk=answer_pk)
    if answer.assessment_id != assessment.pk:
        raise Http404("No such criterion in this assessment.")
    access.require(request.user, Capability.ASSESS_UNITS)
    form = EvidenceForm(
        request.POST,
        request.FILES,
        prefix=evidence_prefix(answer.pk),
        code=answer.criterion.code,
    )
    if _upload_valid(request, form):
        try:
            evidence = services.evidence_add(
                assessment=assessment,
                answer_id=answer.pk,
                file=form.cleaned_data["file"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("“%(name)s” has been attached to criterion %(code)s.")
                % {"name": evidence.file_name, "code": answer.criterion.code},
            )
            return redirect(_at_criterion(assessment, answer.pk))
    return _detail(request, assessment, upload=(answer.pk, form), status=400)


@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = evidence_get_for_user(user=request.user, pk=pk)
    return private_file_response(evidence.file, filename=evidence.file_name)


@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = evidence_get_for_user(user=request.user, pk=pk)
    assessment = evidence.answer.assessment
    access.require(request.user, Capability.ASSESS_UNITS)
    try:
        services.evidence_remove(evidence_id=evidence.pk, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("“%(name)s” has been removed from criterion %(code)s.")
            % {"name": evidence.file_name, "code": evidence.answer.criterion.code},
        )
    return redirect(_at_criterion(assessment, evidence.answer_id))


# --- Verification -------------------------------------------------------------------


@require_POST
def answer_verify(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    access.require(request.user, Capability.VERIFY_ASSESSMENTS)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose “met” or “not met” to verify it."))
        return redirect(_at_criterion(assessment, answer_pk))
    try:
        answer = services.answer_verify(
            assessment=assessment,
            answer_id=answer_pk,
            met=form.cleaned_data["met"],
            by=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            (
                _("Criterion %(code)s verified: met.")
                if answer.met
                else _("Criterion %(code)s verified: not met.")
            )
            % {"code": answer.criterion.code},
        )
    return redirect(_at_criterion(assessment, answer_pk))


@require_POST
def answer_unverify(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    access.require(request.user, Capability.VERIFY_ASSESSMENTS)
    try:
        answer = services.answer_unverify(
            assessment=assessment, answer_id=answer_pk, by=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Criterion %(code)s has been released: it is no longer verified.")
            % {"code": answer.criterion.code},
        )
    return redirect(_at_criterion(assessment, answer_pk))


# --- Workflow -----------------------------------------------------------------------


def _transition(request: HttpRequest, pk: int, action: str, **kwargs) -> HttpResponse:
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    access.require(request.user, services.TRANSITIONS[action].capability)
    service = {
        "submit": services.assessment_submit,
        "return": services.assessment_return,
        "accept": services.assessment_accept,
    }[action]
    try:
        service(assessment=assessment, by=request.user, **kwargs)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            form = ReturnForm(request.POST)
            if form.is_valid():
                add_service_error(form, error)
            return _detail(request, assessment, return_form=form, status=400)
        for message in error.messages:
            messages.error(request, message)
        return redirect(assessment)
    done = {
        "submit": _(
            "The assessment has been submitted to the provincial standing "
            "office for verification."
        ),
        "return": _("The assessment has been returned with your reason."),
        "accept": _("The assessment has been verified and accepted."),
    }
    messages.success(request, done[action])
    return redirect(assessment)


@require_POST
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "submit")


@require_POST
def assessment_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "return", reason=request.POST.get("reason", ""))


@require_POST
def assessment_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "accept")


# --- Recognition --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def recognition_create(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    access.require(request.user, Capability.MANAGE_AWARDS)
    recognition = pages.assessment_recognition(assessment=assessment)
    if recognition is not None:
        messages.info(
            request,
            _("This assessment already has its recognition (decision %(number)s).")
            % {"number": recognition.decision_number},
        )
        return redirect(assessment)
    posted = request.method == "POST"
    form = RecognitionForm(request.POST if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            recognition_record(
                assessment=assessment,
                decision_number=data["decision_number"],
                decided_on=data["decided_on"],
                authority=data["authority"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The recognition of %(unit)s for %(year)s has been recorded.")
                % {"unit": assessment.unit_name, "year": assessment.year},
            )
            return redirect(assessment)
    meets_all = pages.meets_all(
        required_met=assessment.required_met,
        required_total=assessment.required_total,
    )
    return render(
        request,
        "assessments/recognition_form.html",
        {
            "assessment": assessment,
            "form": form,
            "authorities": AUTHORITIES,
            "accepted": assessment.status == AssessmentStatus.ACCEPTED,
            "meets_all": meets_all,
        },
        status=form_status(form),
    )
