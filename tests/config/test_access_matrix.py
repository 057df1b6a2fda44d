"""The access matrix: for every URL pattern of the project, what each persona gets.

Codes: 200 allowed; 302 sent to the login page (or away from it); 403 function
not allowed; 404 object outside the user's scope; 405 GET on a state-changing URL.
A URL pattern missing from MATRIX fails the test, so every new URL must be added.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaign.committees.choices import CommitteeRole
from campaign.committees.models import CommitteeMember, Membership
from campaign.planning.choices import DocumentType
from campaign.planning.models import LegalDocument, Plan, Target
from campaign.registrations.models import Registration
from reporting.choices import ReportStatus
from tests.factories import Personas
from tests.reporting.factories import ReportJobFactory
from units.models import Area

PERSONAS = ("anon", "staff", "leader", "a", "b", "gone")


def row(anon=302, staff=200, leader=200, a=200, b=200, gone=302):
    return {
        "anon": anon,
        "staff": staff,
        "leader": leader,
        "a": a,
        "b": b,
        "gone": gone,
    }


ALL = row()
PUBLIC = row(anon=200, gone=200)
STAFF_ONLY = row(leader=403, a=403, b=403)
POST_ONLY = row(staff=405, leader=405, a=405, b=405)
OWNER_ONLY = row(leader=404, a=404, b=404)  # objects of the staff member's own

# url name -> (kwargs from the objects, expected code per persona for a GET)
MATRIX = {
    "set_language": (
        None,
        row(anon=302, staff=302, leader=302, a=302, b=302, gone=302),
    ),
    "healthz": (None, PUBLIC),
    "home": (None, ALL),
    "login": (None, row(anon=200, staff=302, leader=302, a=302, b=302, gone=200)),
    "logout": (None, row(staff=405, leader=405, a=405, b=405)),
    "units:area_list": (None, ALL),
    "units:area_detail": (lambda o: {"pk": o.area.pk}, ALL),
    "reporting:report_list": (None, ALL),
    "reporting:report_request": (None, POST_ONLY),
    "reporting:report_detail": (lambda o: {"public_id": o.job.public_id}, OWNER_ONLY),
    "reporting:report_status": (lambda o: {"public_id": o.job.public_id}, OWNER_ONLY),
    "reporting:report_download": (lambda o: {"public_id": o.job.public_id}, OWNER_ONLY),
    "committees:committee_list": (None, ALL),
    "committees:committee_create": (None, STAFF_ONLY),
    "committees:committee_detail": (lambda o: {"pk": o.p.committee_a.pk}, row(b=404)),
    "committees:committee_edit": (lambda o: {"pk": o.p.committee_a.pk}, STAFF_ONLY),
    "committees:member_add": (lambda o: {"pk": o.p.committee_a.pk}, STAFF_ONLY),
    "committees:member_edit": (lambda o: {"pk": o.member.pk}, STAFF_ONLY),
    "committees:member_remove": (lambda o: {"pk": o.member.pk}, POST_ONLY),
    "committees:account_list": (None, STAFF_ONLY),
    "committees:account_create": (None, STAFF_ONLY),
    "committees:account_detail": (lambda o: {"pk": o.p.officer_b.pk}, STAFF_ONLY),
    "committees:membership_add": (lambda o: {"pk": o.p.officer_b.pk}, POST_ONLY),
    "committees:membership_remove": (lambda o: {"pk": o.membership.pk}, POST_ONLY),
    "committees:account_password_reset": (
        lambda o: {"pk": o.p.officer_b.pk},
        STAFF_ONLY,
    ),
    "committees:account_deactivate": (lambda o: {"pk": o.p.officer_b.pk}, POST_ONLY),
    "committees:account_activate": (lambda o: {"pk": o.p.officer_b.pk}, POST_ONLY),
    "committees:profile": (None, ALL),
    "committees:password_change": (None, ALL),
    "planning:document_list": (None, ALL),
    "planning:document_create": (None, STAFF_ONLY),
    "planning:document_detail": (lambda o: {"pk": o.document.pk}, ALL),
    "planning:document_edit": (lambda o: {"pk": o.document.pk}, STAFF_ONLY),
    "planning:document_download": (lambda o: {"pk": o.document.pk}, ALL),
    "planning:plan_list": (None, ALL),
    "planning:plan_detail": (lambda o: {"pk": o.plan.pk}, ALL),
    "planning:target_create": (lambda o: {"pk": o.plan.pk}, STAFF_ONLY),
    "planning:target_edit": (lambda o: {"pk": o.target.pk}, STAFF_ONLY),
    "planning:target_delete": (lambda o: {"pk": o.target.pk}, POST_ONLY),
    "registrations:registration_list": (None, ALL),
    "registrations:registration_export": (lambda o: {"fmt": "csv"}, ALL),
    "registrations:registration_waiting": (None, ALL),
    "registrations:registration_create": (None, row(leader=403)),
    "registrations:registration_detail": (
        lambda o: {"pk": o.registration.pk},
        row(b=404),
    ),
    "registrations:registration_edit": (
        lambda o: {"pk": o.registration.pk},
        row(leader=403, b=404),
    ),
    "registrations:registration_document": (
        lambda o: {"pk": o.registration.pk},
        row(b=404),
    ),
    "registrations:registration_submit": (
        lambda o: {"pk": o.registration.pk},
        POST_ONLY,
    ),
    "registrations:registration_withdraw": (
        lambda o: {"pk": o.registration.pk},
        POST_ONLY,
    ),
    "registrations:registration_return": (
        lambda o: {"pk": o.registration.pk},
        POST_ONLY,
    ),
    "registrations:registration_approve": (
        lambda o: {"pk": o.registration.pk},
        POST_ONLY,
    ),
    "registrations:notification_list": (None, ALL),
    "registrations:notifications_mark_read": (None, POST_ONLY),
}

# State-changing URLs, POSTed with no data: the access checks come first, so a
# refused persona never reaches the form (nothing changes either way).
POST_MATRIX = {
    "reporting:report_request": row(leader=400, a=403, b=403, staff=400),
    "committees:member_remove": row(staff=302, leader=403, a=403, b=403),
    "committees:membership_add": row(staff=400, leader=403, a=403, b=403),
    "committees:membership_remove": row(staff=302, leader=403, a=403, b=403),
    "committees:account_deactivate": row(staff=302, leader=403, a=403, b=403),
    "committees:account_activate": row(staff=302, leader=403, a=403, b=403),
    "planning:target_delete": row(staff=302, leader=403, a=403, b=403),
    "committees:committee_edit": row(staff=400, leader=403, a=403, b=403),
    # Local officer A's draft: B never learns it exists (404).
    "registrations:registration_submit": row(staff=302, leader=403, a=302, b=404),
    "registrations:registration_withdraw": row(staff=302, leader=403, a=302, b=404),
    "registrations:registration_return": row(staff=400, leader=403, a=403, b=404),
    "registrations:registration_approve": row(staff=302, leader=403, a=403, b=404),
    "registrations:notifications_mark_read": row(staff=302, leader=302, a=302, b=302),
}

# Django's admin is one entry: it checks is_staff itself (canbo.tinh is staff).
ADMIN = row(leader=302, a=302, b=302)


def url_patterns():
    """(name, pattern) of every named URL pattern; the admin site as one entry."""

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    yield "admin", entry
                    continue
                inner = (
                    f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                )
                yield from walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern):
                yield namespace + (entry.name or f"<unnamed {entry.pattern}>"), entry

    return dict(walk(get_resolver().url_patterns))


class Objects:
    def __init__(self):
        self.p = Personas()
        self.area = Area.objects.get(key="ag89-883-30286")
        self.member = CommitteeMember.objects.create(
            committee=self.p.committee_a,
            full_name="Trần Văn Bảy",
            position="Chủ tịch UBND thành phố",
            role=CommitteeRole.HEAD,
            valid_from=self.p.committee_a.valid_from,
        )
        self.membership = Membership.objects.get(user=self.p.officer_b)
        self.job = ReportJobFactory(
            requested_by=self.p.staff, status=ReportStatus.DONE, sha256="c" * 64
        )

        self.document = LegalDocument.objects.create(
            number_symbol="99/KH-TEST",
            doc_type=DocumentType.PLAN,
            issuer="Ban Chỉ đạo 138 tỉnh",
            title="Văn bản thử",
            file_name="van-ban.pdf",
        )

        self.plan = Plan.objects.create(
            document=self.document, committee=self.p.province_2023, title="Kế hoạch thử"
        )
        programme = self.plan.programmes.create(
            kind="exemplary_units", name="Điển hình"
        )
        phase = self.plan.phases.create(start_year=2023, end_year=2025)
        self.target = Target.objects.create(
            programme=programme,
            phase=phase,
            kind="quota",
            year=2023,
            unit_kind="commune",
            count=6,
        )
        ward = Area.objects.get(key="ag89-883-30280")
        self.registration = Registration.objects.create(
            committee=self.p.committee_a,
            area=ward,
            unit_kind="ward",
            unit_name=ward.full_name,
            search_name="phuong my binh",
            programme=programme,
            phase=phase,
            year=2023,
            contact_name="A",
            contact_phone="0296 3852 123",
            plan_summary="x",
            created_by=self.p.officer_a,
            updated_by=self.p.officer_a,
            document_name="dang-ky.pdf",
        )

    def store_files(self):
        """Files live in each test's own private directory (see conftest)."""
        self.registration.document.save("reg.pdf", ContentFile(b"%PDF-1.7 z"))
        self.job.file.save("job.pdf", ContentFile(b"%PDF-1.7 x"))
        self.document.file.save("doc.pdf", ContentFile(b"%PDF-1.7 y"))

    def user(self, persona):
        return {
            "staff": self.p.staff,
            "leader": self.p.leader,
            "a": self.p.officer_a,
            "b": self.p.officer_b,
            "gone": self.p.deactivated,
        }.get(persona)


class AccessMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.o = Objects()

    def setUp(self):
        self.o.store_files()

    def url(self, name):
        kwargs_of, _ = MATRIX[name]
        return reverse(name, kwargs=kwargs_of(self.o) if kwargs_of else None)

    def login(self, persona):
        self.client.logout()
        user = self.o.user(persona)
        if user is not None:
            self.client.force_login(user)

    def test_every_url_pattern_is_in_the_matrix(self):
        missing = sorted(set(url_patterns()) - set(MATRIX) - {"admin"})
        self.assertEqual(missing, [], "add these URL patterns to MATRIX")
        stale = sorted(set(MATRIX) - set(url_patterns()))
        self.assertEqual(stale, [], "these MATRIX entries match no URL pattern")

    def test_get_every_url_as_every_persona(self):
        for name in MATRIX:
            url = self.url(name)
            for persona in PERSONAS:
                expected = MATRIX[name][1][persona]
                with self.subTest(url=name, persona=persona):
                    self.login(persona)
                    with transaction.atomic():
                        response = self.client.get(url)
                        transaction.set_rollback(True)
                    self.assertEqual(response.status_code, expected)
                    if (
                        expected == 302
                        and persona in ("anon", "gone")
                        and name not in ("set_language",)
                    ):
                        self.assertTrue(
                            response["Location"].startswith(reverse("login"))
                        )

    def test_post_to_state_changing_urls_as_every_persona(self):
        for name, expected_row in POST_MATRIX.items():
            url = self.url(name)
            for persona in PERSONAS:
                with self.subTest(url=name, persona=persona):
                    self.login(persona)
                    with transaction.atomic():
                        response = self.client.post(url, {})
                        transaction.set_rollback(True)
                    self.assertEqual(response.status_code, expected_row[persona])

    def test_admin_site(self):
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get("/admin/")
                self.assertEqual(response.status_code, ADMIN[persona])
