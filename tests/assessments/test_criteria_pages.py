"""Criteria set pages: every version listed, one version in full, and the
form that publishes a new version (never an edit in place)."""

from __future__ import annotations

from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation

from campaign.assessments.choices import CriteriaSubject
from campaign.assessments.models import CriteriaSet, Criterion
from campaign.assessments.selectors.criteria import criteria_set_current
from campaign.assessments.services.assessments import assessment_create
from campaign.assessments.services.criteria import criteria_set_specs
from tests.factories import Personas
from units.models import WardPolice

WARD = CriteriaSubject.WARD_POLICE


def en(name: str, *args) -> str:
    """The English page's address: the tests read the English wording, which
    the Vietnamese translations will not change."""
    with translation.override("en"):
        return reverse(name, args=args)


def publish_data(criteria_set: CriteriaSet, *, title=None, extra_rows=0, **changes):
    """The publish form as the page sends it, prefilled from ``criteria_set``;
    ``changes`` maps "rows-<i>-<field>" (or a heading field) to a new value."""
    rows = [
        (group, criterion)
        for group in criteria_set_specs(criteria_set)
        for criterion in group.criteria
    ]
    total = len(rows) + extra_rows
    data = {
        "title": title if title is not None else criteria_set.title,
        "basis": criteria_set.basis_id or "",
        "note": criteria_set.note,
        "is_placeholder": "on" if criteria_set.is_placeholder else "",
        "rows-TOTAL_FORMS": str(total),
        "rows-INITIAL_FORMS": str(len(rows)),
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "400",
    }
    for index, (group, criterion) in enumerate(rows):
        prefix = f"rows-{index}-"
        data.update(
            {
                prefix + "group_code": group.code,
                prefix + "group_title": group.title,
                prefix + "code": criterion.code,
                prefix + "text": criterion.text,
                prefix + "evidence_hint": criterion.evidence_hint,
            }
        )
        if criterion.required:
            data[prefix + "required"] = "on"
    for index in range(len(rows), total):
        data[f"rows-{index}-required"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


class CriteriaPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.ward_set = criteria_set_current(WARD)
        cls.ward_police = WardPolice.objects.get(area__key="ag91-30307")

    def login(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client


class CriteriaSetListTests(CriteriaPageTestCase):
    def test_sets_are_grouped_by_subject_with_counts_current_and_placeholder(self):
        response = self.login(self.p.officer_a).get(en("assessments:criteria_set_list"))
        self.assertContains(response, "<h1", count=1)
        for subject in CriteriaSubject:
            self.assertContains(response, str(subject.label))
        self.assertContains(
            response, "Placeholder texts — waiting for the official document", count=3
        )
        self.assertContains(response, self.ward_set.get_absolute_url())
        self.assertEqual(
            response.context["subjects"][2]["current"].pk, self.ward_set.pk
        )
        self.assertEqual(
            response.context["subjects"][2]["versions"][0].criteria_count, 22
        )

    def test_only_those_who_manage_criteria_see_the_publish_button(self):
        publish = en("assessments:criteria_set_publish", WARD)
        staff = self.login(self.p.staff).get(en("assessments:criteria_set_list"))
        officer = self.login(self.p.officer_a).get(en("assessments:criteria_set_list"))
        self.assertContains(staff, publish)
        self.assertNotContains(officer, publish)

    def test_the_newest_version_comes_first_and_is_the_current_one(self):
        self.login(self.p.staff).post(
            en("assessments:criteria_set_publish", WARD),
            publish_data(self.ward_set, title="Bộ tiêu chí Công an phường (bản 2)"),
        )
        response = self.login(self.p.leader).get(en("assessments:criteria_set_list"))
        versions = response.context["subjects"][2]["versions"]
        self.assertEqual([v.version for v in versions], [2, 1])
        self.assertEqual(response.context["subjects"][2]["current"].version, 2)

    def test_anonymous_user_is_sent_to_log_in(self):
        response = Client().get(en("assessments:criteria_set_list"))
        self.assertEqual(response.status_code, 302)


class CriteriaSetDetailTests(CriteriaPageTestCase):
    def test_groups_criteria_basis_and_publication_are_shown(self):
        response = self.login(self.p.officer_ward).get(
            en("assessments:criteria_set_detail", self.ward_set.pk)
        )
        criterion = Criterion.objects.filter(group__criteria_set=self.ward_set).first()
        self.assertContains(response, criterion.text)
        self.assertContains(response, criterion.evidence_hint)
        self.assertContains(response, "Current version")
        self.assertContains(response, "initial data")
        self.assertContains(
            response, en("planning:document_detail", self.ward_set.basis_id)
        )
        self.assertContains(response, "<h1", count=1)

    def test_an_earlier_version_says_so_and_leads_to_the_current_one(self):
        self.login(self.p.staff).post(
            en("assessments:criteria_set_publish", WARD), publish_data(self.ward_set)
        )
        response = self.login(self.p.officer_a).get(
            en("assessments:criteria_set_detail", self.ward_set.pk)
        )
        self.assertContains(response, "Earlier version")
        self.assertContains(response, criteria_set_current(WARD).get_absolute_url())

    def test_unknown_set_is_404(self):
        response = self.login(self.p.staff).get(
            en("assessments:criteria_set_detail", 999999)
        )
        self.assertEqual(response.status_code, 404)


class CriteriaSetPublishTests(CriteriaPageTestCase):
    def url(self, subject=WARD) -> str:
        return en("assessments:criteria_set_publish", subject)

    def test_the_form_is_prefilled_with_the_current_version(self):
        response = self.login(self.p.staff).get(self.url())
        self.assertEqual(response.status_code, 200)
        formset = response.context["formset"]
        self.assertEqual(formset.total_form_count(), 22 + 5)
        first = Criterion.objects.filter(group__criteria_set=self.ward_set).first()
        self.assertEqual(formset.forms[0].initial["code"], first.code)
        self.assertContains(response, first.text)
        self.assertEqual(response.context["form"]["title"].value(), self.ward_set.title)
        self.assertTrue(response.context["form"]["is_placeholder"].value())

    def test_local_officers_and_directors_may_not_publish(self):
        for user in (self.p.officer_a, self.p.officer_ward, self.p.leader):
            client = self.login(user)
            self.assertEqual(client.get(self.url()).status_code, 403)
            response = client.post(self.url(), publish_data(self.ward_set))
            self.assertEqual(response.status_code, 403)
        self.assertEqual(CriteriaSet.objects.filter(subject=WARD).count(), 1)

    def test_an_unknown_subject_is_404(self):
        response = self.login(self.p.staff).get(self.url("police_station"))
        self.assertEqual(response.status_code, 404)

    def test_publishing_a_new_version_keeps_old_assessments_on_their_version(self):
        old = assessment_create(
            year=2026, ward_police=self.ward_police, by=self.p.officer_ward
        )
        data = publish_data(
            self.ward_set,
            title="Bộ tiêu chí Công an phường điển hình (chính thức)",
            extra_rows=2,
            is_placeholder="",
            **{
                "rows-0-text": "Chi bộ Công an phường ban hành nghị quyết chuyên đề",
                "rows-1-DELETE": "on",
                "rows-22-group_code": "4",
                "rows-22-code": "4.9",
                "rows-22-text": "Tiêu chí mới của nhóm 4",
            },
        )
        data.pop("is_placeholder", None)
        response = self.login(self.p.staff).post(self.url(), data)
        new = criteria_set_current(WARD)
        self.assertRedirects(
            response, new.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertEqual(new.version, 2)
        self.assertFalse(new.is_placeholder)
        self.assertEqual(new.published_by, self.p.staff)
        codes = list(
            Criterion.objects.filter(group__criteria_set=new).values_list(
                "code", flat=True
            )
        )
        self.assertEqual(len(codes), 22)  # one removed, one added
        self.assertIn("4.9", codes)
        self.assertEqual(codes[-1], "4.9")  # its group's last criterion
        first = Criterion.objects.filter(group__criteria_set=new).first()
        self.assertEqual(
            first.text, "Chi bộ Công an phường ban hành nghị quyết chuyên đề"
        )
        old.refresh_from_db()
        self.assertEqual(old.criteria_set, self.ward_set)
        self.assertEqual(old.answers.count(), 22)
        self.assertEqual(
            set(old.answers.values_list("criterion__group__criteria_set", flat=True)),
            {self.ward_set.pk},
        )

    def test_publishing_an_empty_set_shows_the_message_and_creates_nothing(self):
        rows = 22
        data = publish_data(
            self.ward_set, **{f"rows-{i}-DELETE": "on" for i in range(rows)}
        )
        response = self.login(self.p.staff).post(self.url(), data)
        self.assertContains(
            response,
            "A criteria set needs at least one group with at least one criterion: "
            "nothing was published.",
            status_code=400,
        )
        self.assertContains(response, "Nothing was published:", status_code=400)
        self.assertEqual(CriteriaSet.objects.filter(subject=WARD).count(), 1)

    def test_duplicate_codes_and_missing_texts_are_explained_in_words(self):
        first = Criterion.objects.filter(group__criteria_set=self.ward_set).first()
        data = publish_data(
            self.ward_set, **{"rows-1-code": first.code, "rows-2-text": ""}
        )
        response = self.login(self.p.staff).post(self.url(), data)
        self.assertContains(
            response,
            f"The code {first.code} is used twice: each criterion needs its own.",
            status_code=400,
        )
        self.assertContains(response, "has no text.", status_code=400)
        self.assertEqual(CriteriaSet.objects.filter(subject=WARD).count(), 1)

    def test_a_group_given_two_titles_is_explained(self):
        data = publish_data(self.ward_set, **{"rows-1-group_title": "Một tên khác"})
        response = self.login(self.p.staff).post(self.url(), data)
        self.assertContains(response, "different titles", status_code=400)
        self.assertEqual(CriteriaSet.objects.filter(subject=WARD).count(), 1)

    def test_a_field_that_is_not_on_the_form_publishes_nothing(self):
        data = publish_data(self.ward_set, version="9", **{"rows-0-position": "3"})
        response = self.login(self.p.staff).post(self.url(), data)
        self.assertContains(response, "fields that are not on it", status_code=400)
        self.assertEqual(CriteriaSet.objects.filter(subject=WARD).count(), 1)

    def test_add_rows_gives_blank_rows_and_publishes_nothing(self):
        data = publish_data(self.ward_set, add_rows="1", **{"rows-0-text": "Sửa"})
        response = self.login(self.p.staff).post(self.url(), data)
        self.assertEqual(response.status_code, 200)
        formset = response.context["formset"]
        self.assertEqual(formset.total_form_count(), 22 + 5)
        self.assertEqual(formset.forms[0]["text"].value(), "Sửa")
        self.assertEqual(CriteriaSet.objects.filter(subject=WARD).count(), 1)

    def test_a_new_version_can_start_from_an_earlier_one(self):
        self.login(self.p.staff).post(
            self.url(),
            publish_data(self.ward_set, **{"rows-0-text": "Văn bản mới"}),
        )
        response = self.login(self.p.staff).get(
            self.url() + f"?from={self.ward_set.pk}"
        )
        first = Criterion.objects.filter(group__criteria_set=self.ward_set).first()
        self.assertEqual(
            response.context["formset"].forms[0].initial["text"], first.text
        )
        other = criteria_set_current(CriteriaSubject.ORGANISATION)
        response = self.login(self.p.staff).get(self.url() + f"?from={other.pk}")
        self.assertEqual(response.status_code, 404)
