"""The page where the standing office writes the texts of the phase reports
(situation, assessment, directions, proposals, signer and recipients) for a
phase and a committee."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.forms import form_status
from reporting import selectors, services
from reporting.forms import ReportTextsChoiceForm, ReportTextsForm


@require_http_methods(["GET", "POST"])
def report_texts(request: HttpRequest) -> HttpResponse:
    """GET ``?phase=2023-2025&committee=<id>`` opens the texts of that phase
    and committee (by default the current phase and the provincial
    committee); POST to the same address saves them."""
    access.require(request.user, Capability.MANAGE_REPORTS)
    chooser = ReportTextsChoiceForm(
        request.GET if "phase" in request.GET else None, user=request.user
    )
    if chooser.is_bound and not chooser.is_valid():
        return render(
            request,
            "reporting/report_texts_form.html",
            {"chooser": chooser},
            status=400,
        )
    if chooser.is_bound:
        phase_key = chooser.cleaned_data["phase"]
        committee = chooser.cleaned_data["committee"]
    else:
        phase_key = chooser.current_phase.key if chooser.current_phase else ""
        committee = None
    phase = selectors.phase_by_key(phase_key)
    if committee is None and phase is not None:
        committee = selectors.provincial_committee(
            on=datetime.date(phase.end_year, 12, 31)
        )
    committee_id = committee.pk if committee else None
    texts = selectors.report_texts_get(phase_key=phase_key, committee_id=committee_id)

    if request.method == "POST":
        form = ReportTextsForm(request.POST)
        if form.is_valid():
            try:
                saved = services.report_texts_save(
                    phase_key=phase_key,
                    committee_id=committee_id,
                    values=form.values(),
                    version=form.cleaned_data["version"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("The texts have been saved (version %(version)s).")
                    % {"version": saved.version},
                )
                query = {"phase": phase_key}
                if committee_id is not None:
                    query["committee"] = committee_id
                return redirect(
                    f"{reverse('reporting:report_texts')}?{urlencode(query)}"
                )
    else:
        form = ReportTextsForm(initial=ReportTextsForm.initial_for(texts))
    return render(
        request,
        "reporting/report_texts_form.html",
        {
            "chooser": chooser,
            "form": form,
            "phase": phase,
            "committee": committee,
            "texts": texts,
            # Someone saved meanwhile: offer their version.
            "newer_saved": form.is_bound
            and texts is not None
            and form.data.get("version") != str(texts.version),
            "action_query": urlencode(
                {"phase": phase_key, "committee": committee_id or ""}
            ),
        },
        status=form_status(form),
    )
