"""Registrations as the campaign runs today: commune-level committees after the
reform of 1 July 2025, the year read from the plan and the clock, the units of
the chosen year, worded refusals, kept uploads, one transaction for a new
organisation, and the scope checked by the services themselves."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import TestCase
from django.urls import reverse

from campaign.planning.selectors.periods import (
    current_period,
    current_year_of_programme,
    phases_of,
)
from campaign.registrations.models import Registration, RegistrationTransition
from campaign.registrations.selectors import registrations as selectors
from campaign.registrations.services import registrations as services
from tests.factories import Personas
from tests.registrations.test_registrations import pdf_file
from units.models import Area, Organisation

D = datetime.date


def stored_files() -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return sorted(p for p in root.rglob("*") if p.is_file())


class TodayTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.programme = cls.p.programme
        cls.year = current_year_of_programme(cls.programme)
        cls.ward = Area.objects.get(key="ag91-30307")  # Phường Long Xuyên
        cls.commune = Area.objects.get(key="ag91-30313")  # Xã Mỹ Hòa Hưng
        cls.my_thanh = Area.objects.get(key="ag89-883-30304")  # until 30/06/2025

    def register(self, area=None, by=None, year=None, **extra) -> Registration:
        values = {
            "programme": self.programme,
            "year": year or self.year,
            "contact_name": "Võ Minh Tâm",
            "contact_phone": "0296 3841 234",
            "plan_summary": "Khu phố an toàn",
            "document": pdf_file(),
            "by": by or self.p.officer_ward,
        }
        if "organisation" not in extra and "new_organisation" not in extra:
            values["area"] = area or self.ward
        values.update(extra)
        return services.registration_create(**values)

    def create_url(self, **params) -> str:
        url = reverse("registrations:registration_create")
        if params:
            url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
        return url

    def form_data(self, unit, **extra):
        data = {
            "year": self.year,
            "unit": unit,
            "contact_name": "Võ Minh Tâm",
            "contact_phone": "0296 3841 234",
            "plan_summary": "Khu phố an toàn",
            "document": pdf_file(),
        }
        data.update(extra)
        return {k: v for k, v in data.items() if v is not None}


class CurrentPeriodTests(TodayTestCase):
    def test_the_phase_and_year_come_from_the_plan_and_the_day(self):
        phases = phases_of(self.programme)
        for day, expected in (
            (D(2023, 8, 30), (2023, 2023, True)),
            (D(2025, 12, 31), (2023, 2025, True)),
            (D(2026, 12, 3), (2026, 2026, True)),
            (D(2030, 1, 1), (2026, 2030, True)),
            # Outside the plan: the nearest year of it, and it says so.
            (D(2031, 2, 1), (2026, 2030, False)),
            (D(2022, 5, 1), (2023, 2023, False)),
        ):
            with self.subTest(day=day):
                period = current_period(phases=phases, on=day)
                self.assertEqual(
                    (period.phase.start_year, period.year, period.in_plan), expected
                )

    def test_without_phases_there_is_no_period(self):
        self.assertIsNone(current_period(phases=[]))

    def test_the_form_opens_on_the_current_year(self):
        self.client.force_login(self.p.officer_ward)
        response = self.client.get(self.create_url())
        self.assertEqual(response.context["year"], self.year)
        self.assertContains(response, f'<option value="{self.year}" selected>')


class TodayCommitteesRegisterTests(TodayTestCase):
    def test_the_ward_officer_registers_his_ward_for_the_current_year(self):
        registration = self.register()
        self.assertEqual(registration.committee, self.p.committee_ward)
        self.assertEqual(registration.unit_kind, "ward")
        self.assertTrue(registration.phase.contains_year(self.year))

    def test_the_commune_officer_sees_only_his_commune(self):
        areas = selectors.registrable_areas_for_user(
            user=self.p.officer_commune, year=self.year
        )
        self.assertEqual(list(areas), [self.commune])

    def test_an_officer_of_a_2023_district_committee_registers_nothing_today(self):
        self.assertEqual(
            selectors.registering_committees_for_user(
                user=self.p.officer_a, year=self.year
            ),
            [],
        )
        self.assertFalse(
            selectors.registrable_areas_for_user(
                user=self.p.officer_a, year=self.year
            ).exists()
        )
        self.client.force_login(self.p.officer_a)
        response = self.client.get(self.create_url())
        self.assertContains(response, "Không Ban Chỉ đạo nào của bạn hoạt động")

    def test_a_new_organisation_is_created_with_its_registration_and_managed_here(
        self,
    ):
        registration = self.register(
            new_organisation=services.NewOrganisation(
                name="Trường THCS Nguyễn Du", kind="school", area=self.ward
            )
        )
        organisation = registration.organisation
        self.assertEqual(organisation.managed_by, self.ward)
        self.assertEqual(registration.committee, self.p.committee_ward)
        self.assertEqual(registration.unit_kind, "school")


class BadInputTests(TodayTestCase):
    """A clear message and nothing changed."""

    def assert_nothing_changed(self):
        self.assertFalse(Registration.objects.exists())
        self.assertFalse(
            Organisation.objects.filter(name__startswith="Trường").exists()
        )
        # Only the uploads kept for the forms sent back (pending/, swept later).
        self.assertEqual([p for p in stored_files() if p.parent.name != "pending"], [])

    def test_a_year_outside_every_phase(self):
        for year in (2022, 2031):
            with self.subTest(year=year):
                with self.assertRaises(ValidationError) as caught:
                    self.register(year=year)
                message = " ".join(caught.exception.message_dict["year"])
                self.assertIn(f"Năm {year} không thuộc kế hoạch", message)
                self.assertIn("2023–2025, 2026–2030", message)
                self.client.force_login(self.p.officer_ward)
                response = self.client.post(
                    self.create_url(),
                    self.form_data(f"area:{self.ward.pk}", year=year),
                )
                self.assertContains(
                    response, f"Năm {year} không thuộc kế hoạch", status_code=400
                )
        self.assert_nothing_changed()

    def test_a_unit_not_valid_in_the_chosen_year_is_explained_in_words(self):
        with self.assertRaises(ValidationError) as caught:
            self.register(area=self.my_thanh, by=self.p.staff)
        message = " ".join(caught.exception.message_dict["unit"])
        self.assertIn("Phường Mỹ Thạnh không còn trong năm", message)
        self.assertIn("30/06/2025", message)
        self.assertIn("Phường Mỹ Thới", message)  # what it became
        self.client.force_login(self.p.staff)
        response = self.client.post(
            self.create_url(), self.form_data(f"area:{self.my_thanh.pk}")
        )
        self.assertContains(
            response, "Phường Mỹ Thạnh không còn trong năm", status_code=400
        )
        self.assertNotContains(response, f"area:{self.my_thanh.pk} ", status_code=400)
        self.assert_nothing_changed()

    def test_a_unit_of_another_commune(self):
        with self.assertRaises(ValidationError) as caught:
            self.register(area=self.commune, by=self.p.officer_ward)
        self.assertIn(
            "Xã Mỹ Hòa Hưng không thuộc địa bàn",
            caught.exception.message_dict["unit"][0],
        )
        self.client.force_login(self.p.officer_ward)
        response = self.client.post(
            self.create_url(), self.form_data(f"area:{self.commune.pk}")
        )
        self.assertContains(
            response, "Xã Mỹ Hòa Hưng không thuộc địa bàn", status_code=400
        )
        self.assert_nothing_changed()

    def test_a_second_registration_of_the_same_unit_and_year(self):
        first = self.register()
        with self.assertRaisesMessage(ValidationError, "đã được đăng ký"):
            self.register()
        self.assertEqual(list(Registration.objects.all()), [first])
        self.assertEqual(len(stored_files()), 1)  # the first one's document only

    def test_a_refused_registration_leaves_no_new_organisation_and_no_file(self):
        self.register()
        with self.assertRaises(ValidationError):
            # The ward is registered already: refused after the checks passed.
            self.register(
                area=None,
                organisation=None,
                new_organisation=services.NewOrganisation(
                    name="Trường THCS Nguyễn Du", kind="school", area=self.commune
                ),
            )
        self.assertFalse(
            Organisation.objects.filter(name="Trường THCS Nguyễn Du").exists()
        )
        self.assertEqual(Registration.objects.count(), 1)
        self.assertEqual(len(stored_files()), 1)


class FormTests(TodayTestCase):
    def test_changing_the_year_reloads_the_units_of_that_year(self):
        self.client.force_login(self.p.staff)
        response = self.client.get(
            self.create_url(year=2024), headers={"HX-Request": "true"}
        )
        self.assertTemplateUsed(response, "registrations/includes/unit_fields.html")
        self.assertTemplateNotUsed(response, "base.html")
        self.assertContains(response, "Phường Mỹ Thạnh — Thành phố Long Xuyên")
        self.assertContains(response, '<input type="hidden" name="year" value="2024"')
        response = self.client.get(
            self.create_url(year=self.year), headers={"HX-Request": "true"}
        )
        self.assertNotContains(response, "Phường Mỹ Thạnh")
        self.assertContains(response, "Phường Long Xuyên")

    def test_without_javascript_the_year_form_reloads_the_page(self):
        self.client.force_login(self.p.staff)
        response = self.client.get(self.create_url(year=2024))
        self.assertTemplateUsed(response, "registrations/registration_form.html")
        self.assertContains(response, "Phường Mỹ Thạnh — Thành phố Long Xuyên")
        self.assertContains(response, 'class="col-auto nojs-only"')

    def test_a_checked_upload_is_kept_across_a_failed_validation(self):
        self.client.force_login(self.p.officer_ward)
        response = self.client.post(
            self.create_url(),
            self.form_data(
                f"area:{self.ward.pk}",
                contact_phone="123",
                document=pdf_file("Bản đăng ký phường.pdf"),
            ),
        )
        self.assertEqual(response.status_code, 400)
        form = response.context["form"]
        self.assertIn("contact_phone", form.errors)
        token = form.kept.token
        self.assertContains(response, "Bản đăng ký phường.pdf", status_code=400)
        # Sent again without the file: the kept one is used.
        response = self.client.post(
            self.create_url(),
            self.form_data(f"area:{self.ward.pk}", document=None, document_token=token),
        )
        registration = Registration.objects.get()
        self.assertRedirects(response, registration.get_absolute_url())
        self.assertEqual(registration.document_name, "Bản đăng ký phường.pdf")
        self.assertTrue(registration.document.read().startswith(b"%PDF"))
        # The kept copy is gone; only the registration's document remains.
        self.assertEqual([p.parent.name for p in stored_files()], ["registrations"])

    def test_a_kept_upload_is_only_its_uploaders(self):
        self.client.force_login(self.p.officer_ward)
        response = self.client.post(
            self.create_url(),
            self.form_data(f"area:{self.ward.pk}", contact_phone="123"),
        )
        token = response.context["form"].kept.token
        self.client.force_login(self.p.officer_commune)
        response = self.client.post(
            self.create_url(),
            self.form_data(
                f"area:{self.commune.pk}", document=None, document_token=token
            ),
        )
        self.assertContains(
            response, "Hãy đính kèm bản đăng ký có chữ ký", status_code=400
        )
        self.assertFalse(Registration.objects.exists())

    def test_a_refused_file_is_not_kept(self):
        self.client.force_login(self.p.officer_ward)
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = self.client.post(
            self.create_url(),
            self.form_data(
                f"area:{self.ward.pk}",
                document=SimpleUploadedFile("x.pdf", b"MZ\x90\x00" + b"\x00" * 100),
            ),
        )
        self.assertEqual(response.status_code, 400)
        self.assertIsNone(response.context["form"].kept)
        self.assertEqual(stored_files(), [])


class ServiceScopeTests(TodayTestCase):
    """Every write service, called by an officer of another commune, raises and
    changes nothing — whatever the view would have done."""

    def test_registration_services_refuse_an_officer_of_another_commune(self):
        registration = self.register()
        submitted = self.register(area=self.commune, by=self.p.officer_commune)
        submitted = services.registration_submit(
            registration=submitted, by=self.p.officer_commune
        )
        before = sorted(
            Registration.objects.values_list("pk", "status", "version", "contact_phone")
        )
        steps = RegistrationTransition.objects.count()
        calls = {
            "update": lambda: services.registration_update(
                registration=registration,
                expected_version=registration.version,
                by=self.p.officer_commune,
                contact_phone="0296 0000 000",
            ),
            "submit": lambda: services.registration_submit(
                registration=registration, by=self.p.officer_commune
            ),
            "withdraw": lambda: services.registration_withdraw(
                registration=registration, by=self.p.officer_commune
            ),
            "return": lambda: services.registration_return(
                registration=submitted, reason="x", by=self.p.officer_ward
            ),
            "approve": lambda: services.registration_approve(
                registration=submitted, by=self.p.officer_ward, confirm_quota=True
            ),
            "create in another commune": lambda: self.register(
                area=self.ward, by=self.p.officer_commune, year=self.year
            ),
            "close the year": lambda: services.registrations_close_year(
                year=self.year, by=self.p.officer_commune
            ),
        }
        for name, call in calls.items():
            with self.subTest(name):
                with self.assertRaises((Http404, PermissionDenied, ValidationError)):
                    call()
        self.assertEqual(
            sorted(
                Registration.objects.values_list(
                    "pk", "status", "version", "contact_phone"
                )
            ),
            before,
        )
        self.assertEqual(RegistrationTransition.objects.count(), steps)

    def test_the_owner_passes_the_same_checks(self):
        registration = self.register()
        updated = services.registration_update(
            registration=registration,
            expected_version=registration.version,
            by=self.p.officer_ward,
            contact_phone="0296 3841 999",
        )
        self.assertEqual(updated.contact_phone, "0296 3841 999")


class DownloadTests(TodayTestCase):
    def test_a_document_missing_from_storage_is_404_not_an_error(self):
        registration = self.register()
        registration.document.storage.delete(registration.document.name)
        self.client.force_login(self.p.officer_ward)
        with self.assertLogs("campaign.downloads", "WARNING"):
            response = self.client.get(
                reverse("registrations:registration_document", args=[registration.pk])
            )
        self.assertEqual(response.status_code, 404)

    def test_the_document_downloads_privately(self):
        registration = self.register()
        self.client.force_login(self.p.officer_ward)
        response = self.client.get(
            reverse("registrations:registration_document", args=[registration.pk])
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertIn("attachment;", response["Content-Disposition"])


class EditYearTests(TodayTestCase):
    def test_moving_a_registration_to_a_year_its_unit_did_not_exist_is_refused(self):
        registration = self.register()
        with self.assertRaises(ValidationError) as caught:
            services.registration_update(
                registration=registration,
                expected_version=registration.version,
                by=self.p.officer_ward,
                year=2024,
            )
        self.assertIn(
            "Phường Long Xuyên chưa được thành lập trong năm 2024",
            " ".join(caught.exception.message_dict["year"]),
        )
        registration.refresh_from_db()
        self.assertEqual((registration.year, registration.version), (self.year, 1))

    def test_moving_it_within_the_phase_moves_nothing_else(self):
        registration = self.register()
        other = self.year + 1 if self.year < 2030 else self.year - 1
        updated = services.registration_update(
            registration=registration,
            expected_version=registration.version,
            by=self.p.officer_ward,
            year=other,
        )
        self.assertEqual(updated.year, other)
        self.assertTrue(updated.phase.contains_year(other))
