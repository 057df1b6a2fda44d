"""No unscoped lookups of registrations, assessments, evidence and report jobs
outside the selectors (issue 10, item 7): the project as it is, and the rule
itself on snippets that break it."""

from __future__ import annotations

import textwrap

from tests.static.unscoped_lookups import (
    ALLOWED,
    allowed_key,
    is_allowed,
    project_modules,
    scan_project,
    scan_source,
    violations,
)

HOW_TO_FIX = (
    "Read these through the room's selector (…_get_for_user / …_list_for_user), "
    "or, when an unscoped lookup is right, add (file, function) to ALLOWED in "
    "tests/static/unscoped_lookups.py with its reason."
)


def _scan(path: str, source: str):
    return scan_source(path, textwrap.dedent(source))


def test_no_unscoped_lookups_outside_the_selectors():
    found = violations(scan_project())
    assert not found, (
        f"{len(found)} unscoped lookup(s) outside the selectors:\n"
        + "\n".join(f"  {finding}" for finding in found)
        + f"\n{HOW_TO_FIX}"
    )


def test_every_allowed_entry_is_still_needed():
    used = {allowed_key(finding) for finding in scan_project()}
    stale = sorted(set(ALLOWED) - used)
    assert not stale, (
        "These ALLOWED entries match no lookup any more; remove them: "
        + ", ".join(f"{path} {function}" for path, function in stale)
    )


def test_every_allowed_entry_says_why():
    for (path, function), reason in ALLOWED.items():
        assert len(reason.split()) >= 6, f"{path} {function}: give the reason"


def test_it_reads_the_whole_app_but_not_migrations():
    paths = {path.as_posix() for path in project_modules()}
    assert any(
        p.endswith("campaign/registrations/views/registrations.py") for p in paths
    )
    assert any(p.endswith("reporting/services/jobs.py") for p in paths)
    assert not any("/migrations/" in p for p in paths)


VIEW = "campaign/registrations/views/unscoped.py"


def test_it_finds_an_unscoped_lookup_in_a_view_with_its_line():
    found = _scan(
        VIEW,
        """\
        from django.shortcuts import get_object_or_404, render

        from campaign.registrations.models import Registration


        def registration_detail(request, pk):
            registration = Registration.objects.get(pk=pk)
            return render(request, "x.html", {"registration": registration})
        """,
    )
    assert [(f.path, f.line, f.function) for f in found] == [
        (VIEW, 7, "registration_detail")
    ]
    assert not is_allowed(found[0])
    assert str(found[0]) == (
        f"{VIEW}:7 in registration_detail: "
        "registration = Registration.objects.get(pk=pk)"
    )


def test_it_finds_every_way_of_reaching_the_models():
    found = _scan(
        VIEW,
        """\
        from django import shortcuts
        from django.apps import apps
        from django.shortcuts import get_list_or_404
        from django.shortcuts import get_object_or_404 as fetch

        import campaign.assessments.models as assessment_models
        from campaign.assessments.models import Assessment as A
        from reporting import models as reporting_models
        from ..models import Registration


        class Page:
            def get(self, request, pk):
                a = fetch(A, pk=pk)
                b = shortcuts.get_object_or_404(Registration, pk=pk)
                c = get_list_or_404(reporting_models.ReportJob, status="done")
                d = assessment_models.Evidence._default_manager.all()
                e = A._base_manager.filter(pk=pk)
                f = Registration.history.all()
                g = apps.get_model("assessments", "Evidence").objects.all()
                h = apps.get_model("reporting.ReportJob")

                def inner():
                    return reporting_models.ReportJob.objects.count()

                return a, b, c, d, e, f, g, h, inner
        """,
    )
    assert [f.line for f in found] == [14, 15, 16, 17, 18, 19, 20, 21, 24]
    assert {f.function for f in found} == {"Page.get"}
    assert not any(is_allowed(f) for f in found)


def test_it_leaves_scoped_and_related_lookups_alone():
    found = _scan(
        VIEW,
        """\
        from django.shortcuts import get_object_or_404

        from campaign.committees.models import SteeringCommittee
        from campaign.registrations.selectors.registrations import (
            registration_get_for_user,
        )


        def registration_detail(request, pk):
            registration = registration_get_for_user(user=request.user, pk=pk)
            committee = get_object_or_404(SteeringCommittee, pk=1)
            history = registration.history.all()  # an instance's own history
            steps = registration.transitions.all()
            return registration, committee, history, steps
        """,
    )
    assert found == []


def test_a_selector_may_look_up_and_a_service_only_where_allowed():
    source = """\
        from campaign.registrations.models import Registration


        def registration_list_for_user(*, user):
            return Registration.objects.filter(committee__in=[])


        def _live_duplicate_exists(registration):
            return Registration.objects.filter(pk=registration.pk).exists()


        def registration_something_new(*, by):
            return Registration.objects.all()
        """
    in_selector = _scan("campaign/registrations/selectors/registrations.py", source)
    assert len(in_selector) == 3 and all(is_allowed(f) for f in in_selector)
    in_service = _scan("campaign/registrations/services/registrations.py", source)
    # Only the function on the allow-list may; the others are findings.
    assert [f.function for f in in_service if not is_allowed(f)] == [
        "registration_list_for_user",
        "registration_something_new",
    ]


def test_inside_the_models_module_the_class_itself_counts():
    found = _scan(
        "campaign/registrations/models.py",
        """\
        from django.db import models


        class Registration(models.Model):
            def siblings(self):
                return Registration.objects.filter(year=self.year)
        """,
    )
    assert [(f.line, f.function) for f in found] == [(6, "Registration.siblings")]
    assert not is_allowed(found[0])


def test_the_project_check_fails_on_a_tree_with_an_unscoped_view(tmp_path):
    views = tmp_path / "campaign" / "assessments" / "views"
    views.mkdir(parents=True)
    (views / "evidence.py").write_text(
        "from campaign.assessments.models import Evidence\n"
        "\n"
        "\n"
        "def evidence_download(request, pk):\n"
        "    return Evidence.objects.get(pk=pk).file\n",
        encoding="utf-8",
    )
    migrations = tmp_path / "campaign" / "assessments" / "migrations"
    migrations.mkdir()
    (migrations / "0001_initial.py").write_text(
        "from campaign.assessments.models import Evidence\nEvidence.objects.all()\n",
        encoding="utf-8",
    )
    found = violations(scan_project(tmp_path))
    assert [str(f) for f in found] == [
        "campaign/assessments/views/evidence.py:5 in evidence_download: "
        "return Evidence.objects.get(pk=pk).file"
    ]
