"""Recognitions, commendations, emulation pledges and reviews: the pages staff
record them on, the lists everyone reads, the words a refusal is given in."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from campaign.assessments.choices import AssessmentStatus
from campaign.assessments.models import (
    Commendation,
    EmulationPledge,
    Recognition,
    Review,
    ReviewClassification,
)
from campaign.committees.models import SteeringCommittee
from campaign.planning.models import Phase
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.models import Registration
from tests.assessments import builders
from tests.factories import Personas
from units.models import Area, Organisation
from units.text import fold

SIGNING_DAY = datetime.date(2023, 8, 30)


def approved_registration(
    p: Personas,
    *,
    area: Area | None = None,
    organisation: Organisation | None = None,
    year: int = 2023,
    committee: SteeringCommittee | None = None,
    status: str = RegistrationStatus.APPROVED,
) -> Registration:
    """A registration built straight in the database (the registration
    services are tested on their own)."""
    name = area.full_name if area is not None else organisation.name
    kind = area.kind if area is not None else organisation.kind
    return Registration.objects.create(
        committee=committee or p.committee_a,
        area=area,
        organisation=organisation,
        unit_kind=kind,
        unit_name=name,
        search_name=fold(name),
        programme=p.programme,
        phase=Phase.objects.get(start_year__lte=year, end_year__gte=year),
        year=year,
        contact_name="Nguyễn Văn Tư",
        contact_phone="0296 3852 123",
        contact_search=fold("Nguyễn Văn Tư"),
        plan_summary="Xây dựng mô hình tự quản về an ninh, trật tự.",
        status=status,
        created_by=p.officer_a,
        updated_by=p.officer_a,
    )


def en_url(name: str, *args, **kwargs) -> str:
    """The page's English address (/en/…): the tests read the English texts,
    whatever the Vietnamese translations say."""
    with translation.override("en"):
        return reverse(name, *args, **kwargs)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries)


class AwardTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.my_binh = Area.objects.get(key="ag89-883-30280")  # Long Xuyên
        cls.chau_phu_a = Area.objects.get(key="ag89-884-30319")  # Châu Đốc
        cls.registration = approved_registration(cls.p, area=cls.my_binh)
        cls.registration_b = approved_registration(
            cls.p, area=cls.chau_phu_a, committee=cls.p.committee_b
        )
        cls.ward_police = builders.ward_police("ag89-883-30280")


# --- Recognitions --------------------------------------------------------------------


class RecognitionListTests(AwardTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        made = builders.assessment(
            by=cls.p.staff, year=2023, registration=cls.registration
        )
        cls.recognition = builders.recognise(made, by=cls.p.staff, number="15/QĐ-BCĐ")
        on_ward = builders.assessment(by=cls.p.staff, year=2024, ward=cls.ward_police)
        cls.ward_recognition = builders.recognise(
            on_ward, by=cls.p.staff, number="2878/QĐ-BCA"
        )
        cls.url = en_url("assessments:recognition_list")

    def test_staff_read_every_recognition_with_its_links(self):
        response = login(self.p.staff).get(self.url)
        self.assertContains(response, "15/QĐ-BCĐ")
        self.assertContains(response, "2878/QĐ-BCA")
        self.assertContains(
            response,
            en_url(
                "assessments:unit_history",
                kwargs={"kind": "area", "pk": self.my_binh.pk},
            ),
        )
        self.assertContains(
            response,
            en_url(
                "assessments:ward_police_detail", kwargs={"pk": self.ward_police.pk}
            ),
        )
        self.assertContains(
            response,
            en_url(
                "assessments:assessment_detail",
                kwargs={"pk": self.recognition.assessment_id},
            ),
        )

    def test_another_locality_reads_the_decision_but_gets_no_link_into_it(self):
        response = login(self.p.officer_b).get(self.url)
        # Published decisions: everyone with VIEW reads them…
        self.assertContains(response, "15/QĐ-BCĐ")
        self.assertContains(response, "Phường Mỹ Bình")
        # …but the scoped pages behind them stay closed.
        self.assertNotContains(response, "/unit-history/")
        self.assertNotContains(
            response,
            en_url(
                "assessments:assessment_detail",
                kwargs={"pk": self.recognition.assessment_id},
            ),
        )
        self.assertNotContains(
            response,
            en_url(
                "assessments:ward_police_detail", kwargs={"pk": self.ward_police.pk}
            ),
        )

    def test_the_owner_gets_the_links_of_its_own_unit(self):
        response = login(self.p.officer_a).get(self.url)
        self.assertContains(
            response,
            en_url(
                "assessments:unit_history",
                kwargs={"kind": "area", "pk": self.my_binh.pk},
            ),
        )

    def test_filters_by_programme_year_and_search_without_accents(self):
        client = login(self.p.leader)
        response = client.get(self.url, {"programme": "model_ward_police"})
        self.assertContains(response, "2878/QĐ-BCA")
        self.assertNotContains(response, "15/QĐ-BCĐ")
        response = client.get(self.url, {"year": 2023})
        self.assertContains(response, "15/QĐ-BCĐ")
        self.assertNotContains(response, "2878/QĐ-BCA")
        response = client.get(
            self.url, {"q": "MY BINH", "programme": "exemplary_units"}
        )
        self.assertContains(response, "15/QĐ-BCĐ")
        self.assertNotContains(response, "2878/QĐ-BCA")
        response = client.get(self.url, {"q": "chau phu"})
        self.assertContains(response, "No recognition matches these filters.")

    def test_the_page_needs_a_role(self):
        self.assertEqual(login(self.p.deactivated).get(self.url).status_code, 302)

    def test_a_page_runs_the_same_number_of_queries_with_more_rows(self):
        client = login(self.p.officer_a)
        small = count_queries(client, self.url)
        for year in (2024, 2025):
            registration = approved_registration(self.p, area=self.my_binh, year=year)
            builders.recognise(
                builders.assessment(
                    by=self.p.staff, year=year, registration=registration
                ),
                by=self.p.staff,
            )
        for key in ("ag89-883-30283", "ag89-883-30286", "ag89-884-30316"):
            builders.recognise(
                builders.assessment(
                    by=self.p.staff, year=2024, ward=builders.ward_police(key)
                ),
                by=self.p.staff,
            )
        self.assertEqual(Recognition.objects.count(), 7)
        self.assertEqual(count_queries(client, self.url), small)


# --- Commendations -------------------------------------------------------------------


class CommendationTests(AwardTestCase):
    url = en_url("assessments:commendation_create")

    def data(self, **extra):
        data = {
            "form": "merit",
            "authority": "Chủ tịch UBND tỉnh An Giang",
            "recipient_kind": "collective",
            "recipient_name": "Nhân dân và cán bộ phường Mỹ Bình",
            "unit": f"reg:{self.registration.pk}",
            "year": "2023",
            "decision_number": "1234/QĐ-UBND",
            "decided_on": "2024-01-15",
            "reason": "Có thành tích xuất sắc trong phong trào toàn dân bảo vệ ANTQ.",
        }
        data.update(extra)
        return data

    def test_staff_record_a_commendation_of_a_registered_unit(self):
        client = login(self.p.staff)
        self.assertEqual(client.get(self.url).status_code, 200)
        response = client.post(self.url, self.data())
        self.assertRedirects(response, en_url("assessments:commendation_list"))
        commendation = Commendation.objects.get()
        self.assertEqual(commendation.registration, self.registration)
        self.assertIsNone(commendation.ward_police)
        self.assertEqual(commendation.decided_on, datetime.date(2024, 1, 15))
        self.assertEqual(commendation.created_by, self.p.staff)
        listed = client.get(en_url("assessments:commendation_list"))
        self.assertContains(listed, "1234/QĐ-UBND")
        self.assertContains(listed, "Nhân dân và cán bộ phường Mỹ Bình")

    def test_an_individual_with_a_medal_and_a_ward_police(self):
        response = login(self.p.staff).post(
            self.url,
            self.data(
                form="medal",
                recipient_kind="individual",
                recipient_name="Đại úy Trần Văn An",
                unit=f"wp:{self.ward_police.pk}",
                decided_on="19/08/2024",
            ),
        )
        self.assertEqual(response.status_code, 302)
        commendation = Commendation.objects.get()
        self.assertEqual(commendation.ward_police, self.ward_police)
        self.assertEqual(commendation.decided_on, datetime.date(2024, 8, 19))

    def test_a_future_date_is_refused_in_words_and_nothing_is_saved(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        response = login(self.p.staff).post(
            self.url, self.data(decided_on=tomorrow.isoformat())
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, f"The date {tomorrow:%d/%m/%Y} is in the future.", status_code=400
        )
        self.assertFalse(Commendation.objects.exists())

    def test_missing_fields_are_named(self):
        response = login(self.p.staff).post(
            self.url,
            self.data(authority="", recipient_name=" ", decision_number="", form=""),
        )
        self.assertEqual(response.status_code, 400)
        for message in (
            "Choose the form of commendation.",
            "Name the authority that awarded it.",
            "Write the recipient&#x27;s name.",
            "Write the decision number.",
        ):
            self.assertContains(response, message, status_code=400)
        self.assertFalse(Commendation.objects.exists())

    def test_a_unit_that_is_not_offered_is_refused_in_words(self):
        draft = approved_registration(
            self.p,
            area=Area.objects.get(key="ag89-883-30283"),
            status=RegistrationStatus.DRAFT,
        )
        response = login(self.p.staff).post(self.url, self.data(unit=f"reg:{draft.pk}"))
        self.assertContains(response, "This unit cannot be chosen", status_code=400)
        self.assertNotContains(response, f"reg:{draft.pk}</", status_code=400)
        self.assertFalse(Commendation.objects.exists())

    def test_a_field_that_is_not_on_the_form_saves_nothing(self):
        response = login(self.p.staff).post(
            self.url, self.data(created_by=self.p.officer_b.pk)
        )
        self.assertContains(
            response, "fields that are not on it (created_by)", status_code=400
        )
        self.assertFalse(Commendation.objects.exists())

    def test_list_filters_by_form_recipient_and_search(self):
        client = login(self.p.staff)
        client.post(self.url, self.data())
        client.post(
            self.url,
            self.data(
                form="praise",
                recipient_kind="individual",
                recipient_name="Lê Thị Hoa",
                unit="",
                decision_number="77/QĐ-CAT",
            ),
        )
        list_url = en_url("assessments:commendation_list")
        response = login(self.p.officer_b).get(list_url, {"form": "praise"})
        self.assertContains(response, "77/QĐ-CAT")
        self.assertNotContains(response, "1234/QĐ-UBND")
        response = client.get(list_url, {"recipient_kind": "collective"})
        self.assertContains(response, "1234/QĐ-UBND")
        self.assertNotContains(response, "77/QĐ-CAT")
        # The honoured unit is found without accents.
        response = client.get(list_url, {"q": "my binh"})
        self.assertContains(response, "1234/QĐ-UBND")
        self.assertNotContains(response, "77/QĐ-CAT")


class CreatePagesAreForStaffTests(AwardTestCase):
    def test_local_officers_and_the_director_get_403(self):
        pledge = EmulationPledge.objects.create(
            title="Giao ước", signed_on=SIGNING_DAY, year=2023, created_by=self.p.staff
        )
        urls = [
            en_url("assessments:commendation_create"),
            en_url("assessments:pledge_create"),
            en_url("assessments:pledge_result", kwargs={"pk": pledge.pk}),
            en_url("assessments:review_create"),
        ]
        for user in (
            self.p.leader,
            self.p.officer_a,
            self.p.officer_b,
            self.p.officer_ward,
            self.p.officer_commune,
        ):
            client = login(user)
            for url in urls:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(client.get(url).status_code, 403)
                    self.assertEqual(client.post(url, {}).status_code, 403)
        self.assertFalse(Commendation.objects.exists())
        self.assertFalse(Review.objects.exists())

    def test_the_lists_show_the_create_buttons_to_staff_only(self):
        for name, create in (
            ("assessments:commendation_list", "assessments:commendation_create"),
            ("assessments:pledge_list", "assessments:pledge_create"),
            ("assessments:review_list", "assessments:review_create"),
        ):
            with self.subTest(name=name):
                self.assertContains(
                    login(self.p.staff).get(en_url(name)), en_url(create)
                )
                self.assertNotContains(
                    login(self.p.leader).get(en_url(name)), en_url(create)
                )

    def test_anonymous_users_are_sent_to_log_in(self):
        response = Client().get(en_url("assessments:review_create"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(en_url("login"), response["Location"])


# --- Emulation pledges ---------------------------------------------------------------


class PledgeTests(AwardTestCase):
    url = en_url("assessments:pledge_create")
    items = (
        "Tổ chức quán triệt, triển khai đầy đủ các văn bản chỉ đạo.\n"
        "\n"
        "Xây dựng ít nhất 01 mô hình tự phòng, tự quản, tự bảo vệ.\n"
        "  Không để xảy ra tội phạm nghiêm trọng kéo dài.  \n"
    )

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.committees_2023 = list(
            SteeringCommittee.objects.filter(
                level="district", valid_from__lte=SIGNING_DAY
            ).exclude(valid_to__lte=SIGNING_DAY)
        )

    def data(self, **extra):
        data = {
            "title": "Giao ước thi đua phong trào toàn dân bảo vệ ANTQ năm 2023",
            "signed_on": "2023-08-30",
            "year": "2023",
            "committees": [c.pk for c in self.committees_2023],
            "items": self.items,
        }
        data.update(extra)
        return data

    def test_the_page_lists_the_committees_in_force_on_the_signing_date(self):
        response = login(self.p.staff).get(self.url, {"signed_on": "2023-08-30"})
        self.assertContains(response, "Ban Chỉ đạo 138 thành phố Long Xuyên")
        self.assertContains(response, "Ban Chỉ đạo 138 thị xã Tịnh Biên")
        # Today's commune-level committees did not exist yet.
        self.assertNotContains(response, self.p.committee_ward.short_name)
        self.assertContains(response, 'value="2023-08-30"')

    def test_changing_the_date_reloads_only_the_committees(self):
        response = login(self.p.staff).get(
            self.url,
            {"signed_on": "2025-08-19", "committees": [self.p.committee_ward.pk]},
            headers={"HX-Request": "true"},
        )
        self.assertTemplateUsed(response, "assessments/includes/awards_committees.html")
        self.assertTemplateNotUsed(response, "base.html")
        self.assertContains(response, self.p.committee_ward.short_name)
        self.assertNotContains(response, "Ban Chỉ đạo 138 thành phố Long Xuyên")
        self.assertContains(
            response,
            f'value="{self.p.committee_ward.pk}" id="committee-{self.p.committee_ward.pk}" checked',
        )

    def test_staff_record_the_pledge_of_30_august_2023(self):
        client = login(self.p.staff)
        response = client.post(self.url, self.data())
        pledge = EmulationPledge.objects.get()
        self.assertRedirects(response, pledge.get_absolute_url())
        self.assertEqual(pledge.signed_on, SIGNING_DAY)
        self.assertEqual(pledge.year, 2023)
        self.assertEqual(set(pledge.committees.all()), set(self.committees_2023))
        self.assertEqual(
            [i.text for i in pledge.items.order_by("position")],
            [
                "Tổ chức quán triệt, triển khai đầy đủ các văn bản chỉ đạo.",
                "Xây dựng ít nhất 01 mô hình tự phòng, tự quản, tự bảo vệ.",
                "Không để xảy ra tội phạm nghiêm trọng kéo dài.",
            ],
        )
        detail = client.get(pledge.get_absolute_url())
        self.assertContains(detail, "Signed on 30/08/2023")
        self.assertContains(detail, "Xây dựng ít nhất 01 mô hình")
        self.assertContains(detail, "Ban Chỉ đạo 138 thành phố Châu Đốc")
        listed = client.get(en_url("assessments:pledge_list"))
        self.assertContains(listed, pledge.title)

    def test_no_items_is_refused_and_nothing_is_saved(self):
        response = login(self.p.staff).post(self.url, self.data(items=" \n \n"))
        self.assertContains(
            response, "Write at least one pledged item.", status_code=400
        )
        self.assertFalse(EmulationPledge.objects.exists())

    def test_no_committee_is_refused(self):
        data = self.data()
        del data["committees"]
        response = login(self.p.staff).post(self.url, data)
        self.assertContains(
            response, "Choose at least one signing committee.", status_code=400
        )
        self.assertFalse(EmulationPledge.objects.exists())

    def test_a_committee_not_in_force_that_day_is_refused_in_words(self):
        response = login(self.p.staff).post(
            self.url,
            self.data(committees=[self.p.committee_a.pk, self.p.committee_ward.pk]),
        )
        self.assertContains(
            response,
            f"{self.p.committee_ward.short_name}: not in force on 30/08/2023",
            status_code=400,
        )
        self.assertFalse(EmulationPledge.objects.exists())

    def test_a_future_signing_date_is_refused(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        response = login(self.p.staff).post(
            self.url,
            self.data(signed_on=tomorrow.isoformat(), committees=[self.p.province.pk]),
        )
        self.assertContains(
            response, f"The date {tomorrow:%d/%m/%Y} is in the future.", status_code=400
        )
        self.assertFalse(EmulationPledge.objects.exists())


class PledgeResultTests(AwardTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from campaign.assessments.services.awards import pledge_record

        cls.pledge = pledge_record(
            title="Giao ước thi đua năm 2023",
            signed_on=SIGNING_DAY,
            year=2023,
            committees=[cls.p.committee_a, cls.p.committee_b],
            items=["Nội dung một", "Nội dung hai"],
            by=cls.p.staff,
        )
        cls.url = en_url("assessments:pledge_result", kwargs={"pk": cls.pledge.pk})
        cls.first, cls.second = cls.pledge.items.order_by("position")

    def data(self, **extra):
        data = {
            "year_end_result": "Hoàn thành tốt các nội dung giao ước.",
            "result_recorded_on": "2023-12-20",
            f"item_{self.first.pk}": "Đạt",
            f"item_{self.second.pk}": "Đạt một phần",
        }
        data.update(extra)
        return data

    def test_staff_record_the_year_end_result_item_by_item(self):
        client = login(self.p.staff)
        form = client.get(self.url)
        self.assertContains(form, "1. Nội dung một")
        response = client.post(self.url, self.data())
        self.assertRedirects(response, self.pledge.get_absolute_url())
        self.pledge.refresh_from_db()
        self.assertEqual(self.pledge.result_recorded_on, datetime.date(2023, 12, 20))
        self.assertEqual(
            [i.result for i in self.pledge.items.order_by("position")],
            ["Đạt", "Đạt một phần"],
        )
        detail = client.get(self.pledge.get_absolute_url())
        self.assertContains(detail, "Hoàn thành tốt các nội dung giao ước.")
        self.assertContains(detail, "Đạt một phần")
        self.assertContains(detail, "Recorded on 20/12/2023")

    def test_a_result_before_the_signing_is_refused(self):
        response = login(self.p.staff).post(
            self.url, self.data(result_recorded_on="2023-08-01")
        )
        self.assertContains(
            response,
            "The result cannot be recorded before the signing date.",
            status_code=400,
        )
        self.pledge.refresh_from_db()
        self.assertIsNone(self.pledge.result_recorded_on)
        self.assertEqual(self.pledge.items.exclude(result="").count(), 0)

    def test_an_empty_result_is_refused(self):
        response = login(self.p.staff).post(self.url, self.data(year_end_result=""))
        self.assertContains(response, "Write the year-end result.", status_code=400)

    def test_an_unknown_pledge_is_a_404(self):
        url = en_url("assessments:pledge_result", kwargs={"pk": self.pledge.pk + 99})
        self.assertEqual(login(self.p.staff).get(url).status_code, 404)


# --- Reviews -------------------------------------------------------------------------


class ReviewTests(AwardTestCase):
    url = en_url("assessments:review_create")

    def data(self, rows=(), **extra):
        data = {
            "kind": "interim",
            "title": "Sơ kết 01 năm xây dựng điển hình",
            "held_on": "2023-12-28",
            "period_start": "2023",
            "period_end": "2023",
            "notes": "Các mô hình hoạt động hiệu quả.",
            "c-TOTAL_FORMS": str(max(len(rows), 3)),
            "c-INITIAL_FORMS": "0",
            "c-MIN_NUM_FORMS": "0",
            "c-MAX_NUM_FORMS": "500",
        }
        for index in range(max(len(rows), 3)):
            unit, grade, note = rows[index] if index < len(rows) else ("", "", "")
            data[f"c-{index}-unit"] = unit
            data[f"c-{index}-classification"] = grade
            data[f"c-{index}-note"] = note
        data.update(extra)
        return data

    def rows(self):
        return (
            (f"reg:{self.registration.pk}", "excellent", "Mô hình camera an ninh"),
            (f"wp:{self.ward_police.pk}", "good", ""),
            (f"reg:{self.registration_b.pk}", "good", ""),
        )

    def test_staff_record_a_review_with_its_classifications(self):
        client = login(self.p.staff)
        self.assertEqual(client.get(self.url).status_code, 200)
        response = client.post(self.url, self.data(rows=self.rows()))
        review = Review.objects.get()
        self.assertRedirects(response, review.get_absolute_url())
        self.assertEqual(review.kind, "interim")
        self.assertEqual(
            sorted(review.classifications.values_list("unit_name", "classification")),
            [
                ("Công an phường Mỹ Bình", "good"),
                ("Phường Châu Phú A", "good"),
                ("Phường Mỹ Bình", "excellent"),
            ],
        )
        detail = login(self.p.officer_a).get(review.get_absolute_url())
        self.assertContains(detail, "3 models classified")
        self.assertContains(detail, "Mô hình camera an ninh")
        groups = {g.value: g.count for g in detail.context["groups"]}
        self.assertEqual(groups, {"excellent": 1, "good": 2, "average": 0, "weak": 0})
        # Officer A opens its own unit's history, not Châu Đốc's.
        self.assertContains(
            detail,
            en_url(
                "assessments:unit_history",
                kwargs={"kind": "area", "pk": self.my_binh.pk},
            ),
        )
        self.assertNotContains(
            detail,
            en_url(
                "assessments:unit_history",
                kwargs={"kind": "area", "pk": self.chau_phu_a.pk},
            ),
        )
        listed = client.get(en_url("assessments:review_list"))
        self.assertContains(listed, "Sơ kết 01 năm xây dựng điển hình")

    def test_a_review_without_any_classification_is_refused(self):
        response = login(self.p.staff).post(self.url, self.data())
        self.assertContains(response, "Classify at least one model.", status_code=400)
        self.assertFalse(Review.objects.exists())

    def test_the_last_year_before_the_first_is_refused(self):
        response = login(self.p.staff).post(
            self.url,
            self.data(rows=self.rows(), period_start="2025", period_end="2023"),
        )
        self.assertContains(
            response, "The last year cannot be before the first.", status_code=400
        )
        self.assertFalse(Review.objects.exists())
        self.assertFalse(ReviewClassification.objects.exists())

    def test_a_future_date_is_refused(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        response = login(self.p.staff).post(
            self.url, self.data(rows=self.rows(), held_on=tomorrow.isoformat())
        )
        self.assertContains(
            response, f"The date {tomorrow:%d/%m/%Y} is in the future.", status_code=400
        )
        self.assertFalse(Review.objects.exists())

    def test_a_row_needs_both_its_unit_and_its_grade(self):
        response = login(self.p.staff).post(
            self.url,
            self.data(
                rows=(
                    (f"reg:{self.registration.pk}", "", ""),
                    ("", "weak", ""),
                )
            ),
        )
        self.assertContains(response, "Choose the grade of this unit.", status_code=400)
        self.assertContains(
            response, "Choose the unit this row classifies.", status_code=400
        )
        self.assertFalse(Review.objects.exists())

    def test_the_same_unit_twice_is_refused(self):
        row = (f"reg:{self.registration.pk}", "good", "")
        response = login(self.p.staff).post(self.url, self.data(rows=(row, row)))
        self.assertContains(
            response,
            "Phường Mỹ Bình (2023) is classified twice (rows 1 and 2).",
            status_code=400,
        )
        self.assertFalse(Review.objects.exists())

    def test_adding_rows_keeps_what_was_typed_and_saves_nothing(self):
        response = login(self.p.staff).post(
            self.url, self.data(rows=self.rows()[:1], add_rows="1")
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Review.objects.exists())
        formset = response.context["formset"]
        # The three rows sent (one filled, first), and five more.
        self.assertEqual(formset.total_form_count(), 3 + 5)
        self.assertEqual(formset.initial_form_count(), 1)
        self.assertContains(response, "Sơ kết 01 năm xây dựng điển hình")
        self.assertContains(response, "Mô hình camera an ninh")
        self.assertContains(
            response, f'<option value="reg:{self.registration.pk}" selected>'
        )
        self.assertNotContains(response, "Nothing was saved")

    def test_review_detail_runs_the_same_queries_whatever_its_rows(self):
        client = login(self.p.staff)
        client.post(self.url, self.data(rows=self.rows()[:1]))
        small = Review.objects.get()
        rows = [
            (f"reg:{approved_registration(self.p, area=area).pk}", grade, "")
            for area, grade in zip(
                Area.objects.filter(parent__key="ag89-883").exclude(pk=self.my_binh.pk)[
                    :6
                ],
                ("good", "average", "weak", "excellent", "good", "good"),
                strict=False,
            )
        ]
        rows += [
            (f"wp:{builders.ward_police(key).pk}", "average", "")
            for key in ("ag89-883-30283", "ag89-883-30286", "ag89-884-30316")
        ]
        response = client.post(
            self.url, self.data(rows=rows, title="Tổng kết", kind="final")
        )
        self.assertEqual(response.status_code, 302)
        large = Review.objects.get(title="Tổng kết")
        self.assertGreaterEqual(large.classifications.count(), 8)
        for user in (self.p.staff, self.p.officer_a):
            client = login(user)
            with self.subTest(user=user.username):
                self.assertEqual(
                    count_queries(client, small.get_absolute_url()),
                    count_queries(client, large.get_absolute_url()),
                )

    def test_the_service_refuses_a_row_without_a_unit_in_words(self):
        from django.core.exceptions import ValidationError

        from campaign.assessments.services import awards as services

        with self.assertRaises(ValidationError) as raised:
            services.review_record(
                kind="interim",
                title="Sơ kết",
                held_on=datetime.date(2023, 12, 28),
                period_start=2023,
                period_end=2023,
                notes="",
                classifications=[services.ClassificationInput(classification="good")],
                by=self.p.staff,
            )
        self.assertEqual(raised.exception.code, "no_unit")
        self.assertFalse(Review.objects.exists())

    def test_an_unknown_review_is_a_404(self):
        url = en_url("assessments:review_detail", kwargs={"pk": 999999})
        self.assertEqual(login(self.p.staff).get(url).status_code, 404)

    def test_the_list_filters_by_kind(self):
        client = login(self.p.staff)
        client.post(self.url, self.data(rows=self.rows()))
        client.post(
            self.url, self.data(rows=self.rows(), kind="final", title="Tổng kết 2023")
        )
        response = login(self.p.officer_b).get(
            en_url("assessments:review_list"), {"kind": "final"}
        )
        self.assertContains(response, "Tổng kết 2023")
        self.assertNotContains(response, "Sơ kết 01 năm")


class AcceptedAssessmentTests(AwardTestCase):
    """The lists show what the recognitions rest on only when it is there."""

    def test_a_recognition_whose_assessment_another_committee_made(self):
        made = builders.assessment(
            by=self.p.staff,
            year=2023,
            registration=self.registration_b,
            status=AssessmentStatus.ACCEPTED,
        )
        builders.recognise(made, by=self.p.staff, number="9/QĐ-BCĐ")
        response = login(self.p.officer_a).get(en_url("assessments:recognition_list"))
        self.assertContains(response, "9/QĐ-BCĐ")
        self.assertNotContains(
            response,
            en_url("assessments:assessment_detail", kwargs={"pk": made.pk}),
        )
