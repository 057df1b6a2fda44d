"""Fuzzing the main POST endpoints (issue 10, item 8; the plan's row C7).

Each endpoint is driven as a browser would drive it, by the persona who uses
it: the page holding the form is opened once, its POST form read from the HTML
(fields, options, hidden values, file inputs), and then hypothesis sends that
form back again and again with its values kept, swapped for another option,
replaced by hostile text (Vietnamese, control characters, huge strings, markup,
format strings), left out, or joined by fields the form does not have, with
random, truncated or mislabelled files in its file inputs.

Every answer must be below 500 (the test client re-raises any exception of a
view), and whatever is not a success (a redirect without an error message,
not to the login page) must leave the database as it was: no row created,
changed or deleted in any table of the campaign. Each example runs in a
savepoint that is rolled back, so examples do not see each other's writes.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.messages import constants, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import PASSWORD
from tests.fuzz.fixtures import FuzzFixtures
from tests.fuzz.pages import PageForm, page_forms, post_forms, resolved
from tests.fuzz.strategies import (
    ENDPOINT_EXAMPLES,
    PAGE_EXAMPLES,
    bounded,
    hostile_text,
    sample_contents,
    uploads,
)

pytestmark = pytest.mark.fuzz

# The tables whose rows must not change when a POST fails: every model of the
# campaign and its reports (the areas are reference data no form writes).
WATCHED_APPS = ("committees", "planning", "registrations", "assessments", "reporting")


def fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row of the watched tables."""
    state = {}
    for app_label in WATCHED_APPS:
        config = apps.get_app_config(app_label)
        for model in config.get_models(include_auto_created=True):
            rows = list(model._base_manager.order_by("pk").values_list())
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()
            state[model._meta.label] = (len(rows), digest)
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(
        f"{label} ({before[label][0]} → {after[label][0]} rows)"
        for label in before
        if before[label] != after[label]
    )


@dataclass(frozen=True)
class Endpoint:
    persona: str  # an attribute of Personas ("staff", "officer_a", …); "": anonymous
    page: Callable[[FuzzEndpointTests], str]  # where the form is
    action: Callable[[FuzzEndpointTests], str]  # where it is sent
    form_index: int = 0  # when the page has several forms to ``action``
    # What a person filling the form in correctly would send (``FIRST``: the
    # first real option of that list), so that examples reach the services.
    fill: Callable[[FuzzEndpointTests], dict[str, object]] | None = None


def _url(name: str, *attrs: str, **query: str) -> Callable:
    def build(case) -> str:
        args = [getattr(case, attr).pk for attr in attrs]
        url = reverse(name, args=args)
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return url

    return build


ENDPOINTS: dict[str, Endpoint] = {
    # Signing in (anonymous): any user name and password, never a crash.
    "login": Endpoint("", _url("login"), _url("login")),
    # Registrations: create, edit, workflow.
    "registration_create": Endpoint(
        "officer_ward",
        _url("registrations:registration_create"),
        _url("registrations:registration_create"),
        fill=lambda case: {
            "unit": FIRST,
            "contact_name": "Nguyễn Văn Tư",
            "contact_phone": "0296 3852 123",
            "plan_summary": "Xây dựng mô hình tự quản về an ninh, trật tự.",
            "document": pdf_upload,
        },
    ),
    "registration_edit": Endpoint(
        "officer_a",
        _url("registrations:registration_edit", "reg_draft"),
        _url("registrations:registration_edit", "reg_draft"),
    ),
    "registration_submit": Endpoint(
        "officer_a",
        _url("registrations:registration_detail", "reg_draft"),
        _url("registrations:registration_submit", "reg_draft"),
    ),
    "registration_withdraw": Endpoint(
        "officer_a",
        _url("registrations:registration_detail", "reg_draft"),
        _url("registrations:registration_withdraw", "reg_draft"),
    ),
    "registration_return": Endpoint(
        "staff",
        _url("registrations:registration_detail", "reg_submitted"),
        _url("registrations:registration_return", "reg_submitted"),
        fill=lambda case: {"reason": "Hồ sơ chưa có chữ ký của Chủ tịch UBND."},
    ),
    "registration_approve": Endpoint(
        "staff",
        _url("registrations:registration_approve", "reg_submitted"),
        _url("registrations:registration_approve", "reg_submitted"),
    ),
    # Assessments: start, answers, evidence, workflow, recognition.
    "assessment_create": Endpoint(
        "officer_a",
        _url("assessments:assessment_create", year="2023"),
        _url("assessments:assessment_create"),
        fill=lambda case: {"unit": f"reg:{case.reg_to_assess.pk}"},
    ),
    "assessment_answers": Endpoint(
        "officer_a",
        _url("assessments:assessment_detail", "assessment_draft"),
        _url("assessments:assessment_answers", "assessment_draft"),
    ),
    "evidence_upload": Endpoint(
        "officer_a",
        _url("assessments:assessment_detail", "assessment_draft"),
        lambda case: reverse(
            "assessments:evidence_upload",
            args=[case.assessment_draft.pk, case.draft_answer.pk],
        ),
    ),
    "assessment_submit": Endpoint(
        "officer_a",
        _url("assessments:assessment_detail", "assessment_draft"),
        _url("assessments:assessment_submit", "assessment_draft"),
    ),
    "answer_verify": Endpoint(
        "staff",
        _url("assessments:assessment_detail", "assessment_submitted"),
        lambda case: reverse(
            "assessments:answer_verify",
            args=[case.assessment_submitted.pk, case.submitted_answer.pk],
        ),
    ),
    "assessment_return": Endpoint(
        "staff",
        _url("assessments:assessment_detail", "assessment_submitted"),
        _url("assessments:assessment_return", "assessment_submitted"),
        fill=lambda case: {"reason": "Thiếu minh chứng của tiêu chí 1.1."},
    ),
    "assessment_accept": Endpoint(
        "staff",
        _url("assessments:assessment_detail", "assessment_submitted"),
        _url("assessments:assessment_accept", "assessment_submitted"),
    ),
    "recognition_create": Endpoint(
        "staff",
        _url("assessments:recognition_create", "assessment_accepted"),
        _url("assessments:recognition_create", "assessment_accepted"),
        fill=lambda case: {
            "decision_number": "20/QĐ-BCĐ",
            "decided_on": timezone.localdate().isoformat(),
        },
    ),
    # Awards and criteria (provincial staff).
    "commendation_create": Endpoint(
        "staff",
        _url("assessments:commendation_create"),
        _url("assessments:commendation_create"),
        fill=lambda case: {
            "form": FIRST,
            "authority": "Ban Chỉ đạo 138 tỉnh An Giang",
            "decision_number": "12/QĐ-BCĐ",
            "decided_on": "2026-11-20",
            "recipient_kind": "collective",
            "recipient_name": "Công an phường Mỹ Bình",
            "unit": FIRST,
            "reason": "Thành tích xuất sắc trong phong trào.",
        },
    ),
    "pledge_create": Endpoint(
        "staff",
        _url("assessments:pledge_create"),
        _url("assessments:pledge_create"),
        fill=lambda case: {
            "title": "Giao ước thi đua năm 2026",
            "items": "Không để xảy ra tội phạm nghiêm trọng.",
            "committees": FIRST,
        },
    ),
    "pledge_result": Endpoint(
        "staff",
        _url("assessments:pledge_result", "pledge"),
        _url("assessments:pledge_result", "pledge"),
        fill=lambda case: {
            "year_end_result": "Hoàn thành các nội dung giao ước.",
            f"item_{case.pledge_item.pk}": "Đạt",
        },
    ),
    "review_create": Endpoint(
        "staff",
        _url("assessments:review_create"),
        _url("assessments:review_create"),
        fill=lambda case: {
            "title": "Sơ kết năm 2026",
            "held_on": "2026-11-30",
            "c-0-unit": FIRST,
            "c-0-classification": "excellent",
        },
    ),
    "criteria_set_publish": Endpoint(
        "staff",
        lambda case: reverse("assessments:criteria_set_publish", args=["ward_police"]),
        lambda case: reverse("assessments:criteria_set_publish", args=["ward_police"]),
    ),
    # Reports: a request by a local officer and by a leader; the texts.
    "report_request_officer": Endpoint(
        "officer_a",
        _url("reporting:report_list"),
        _url("reporting:report_request"),
    ),
    "report_request_leader": Endpoint(
        "leader",
        _url("reporting:report_list"),
        _url("reporting:report_request"),
    ),
    "report_texts": Endpoint(
        "staff",
        _url("reporting:report_texts"),
        _url("reporting:report_texts"),
    ),
    # Committees, members, accounts.
    "committee_create": Endpoint(
        "staff",
        _url("committees:committee_create"),
        _url("committees:committee_create"),
        fill=lambda case: {
            "level": "commune",
            "area": FIRST,
            "parent": FIRST,
            "valid_from": "2026-01-01",
        },
    ),
    "committee_edit": Endpoint(
        "staff",
        _url("committees:committee_edit", "committee"),
        _url("committees:committee_edit", "committee"),
    ),
    "member_add": Endpoint(
        "staff",
        _url("committees:member_add", "committee"),
        _url("committees:member_add", "committee"),
        fill=lambda case: {
            "full_name": "Lê Thị Năm",
            "position": "Phó Chủ tịch UBND xã",
            "role": "deputy",
        },
    ),
    "member_edit": Endpoint(
        "staff",
        _url("committees:member_edit", "member"),
        _url("committees:member_edit", "member"),
    ),
    "account_create": Endpoint(
        "staff",
        _url("committees:account_create"),
        _url("committees:account_create"),
        fill=lambda case: {
            "username": "canbo.moi",
            "last_name": "Nguyễn Thị",
            "first_name": "An",
            "email": "an@example.invalid",
            "committee": FIRST,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    ),
    "membership_add": Endpoint(
        "staff",
        _url("committees:account_detail", "account"),
        _url("committees:membership_add", "account"),
        fill=lambda case: {"committee": FIRST},
    ),
    "profile": Endpoint(
        "officer_a", _url("committees:profile"), _url("committees:profile")
    ),
    "password_change": Endpoint(
        "officer_a",
        _url("committees:password_change"),
        _url("committees:password_change"),
        fill=lambda case: {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    ),
    # Documents and targets.
    "document_create": Endpoint(
        "staff",
        _url("planning:document_create"),
        _url("planning:document_create"),
        fill=lambda case: {
            "number_symbol": "15/KH-BCĐ",
            "doc_type": FIRST,
            "issued_on": "2026-10-01",
            "issuer": "Ban Chỉ đạo 138 tỉnh An Giang",
            "title": "Kế hoạch xây dựng điển hình năm 2027",
            "file": pdf_upload,
        },
    ),
    "document_edit": Endpoint(
        "staff",
        _url("planning:document_edit", "document"),
        _url("planning:document_edit", "document"),
    ),
    "target_create": Endpoint(
        "staff",
        _url("planning:target_create", "plan"),
        _url("planning:target_create", "plan"),
        fill=lambda case: {
            "programme": FIRST,
            "phase": FIRST,
            "kind": "quota",
            "year": "2024",
            "unit_kind": "enterprise",
            "count": "2",
        },
    ),
    "target_edit": Endpoint(
        "staff",
        _url("planning:target_edit", "target"),
        _url("planning:target_edit", "target"),
    ),
}

KEEP, OPTION, HOSTILE, DROP = "keep", "option", "hostile", "drop"
FIRST = object()  # in a fill: the first real option of that list
NEW_PASSWORD = "Một-mật-khẩu-mới-đủ-dài-2026"


def pdf_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "Bản đăng ký.pdf", sample_contents()[0], content_type="application/pdf"
    )


def _filled(fill: dict[str, object], form: PageForm) -> dict[str, object]:
    options = {item.name: item.options for item in form.inputs()}
    filled = {}
    for name, value in fill.items():
        if value is FIRST:
            real = [o for o in options.get(name, []) if o]
            if not real:
                continue
            value = real[0]
        filled[name] = value
    return filled


# Status codes answered, by endpoint (printed with FUZZ_REPORT=1 and -s).
STATISTICS: dict[str, Counter] = {}


@st.composite
def payloads(draw, form: PageForm, filled: dict[str, object]):
    """The form's values — as the page gave them, or as a person filling it in
    correctly would (``filled``) — each kept, swapped for another option,
    replaced by hostile text or dropped; maybe fields it does not have; files
    in its file inputs (a valid one kept, or random ones); one of its submit
    buttons."""
    baseline: dict[str, object] = dict(form.baseline())
    baseline.update(filled)
    data: dict[str, object] = {}
    for item in form.inputs():
        if item.name == "csrfmiddlewaretoken":
            continue
        if item.kind == "file":
            kept = baseline.get(item.name)  # a function making a valid file
            choices = [st.none()] if kept is None else [st.builds(kept)]
            upload = draw(st.one_of(*choices, uploads()))
            if upload is not None:
                data[item.name] = upload
            continue
        move = draw(st.sampled_from([KEEP, KEEP, KEEP, OPTION, HOSTILE, DROP]))
        if move == KEEP and item.name in baseline:
            data[item.name] = baseline[item.name]
        elif move == OPTION and item.options:
            data[item.name] = draw(
                st.lists(st.sampled_from(item.options), min_size=1, max_size=3)
                if item.multiple
                else st.sampled_from(item.options)
            )
        elif move == HOSTILE:
            data[item.name] = draw(hostile_text)
    buttons = form.submit_buttons()
    if buttons:
        button = draw(st.sampled_from(buttons))
        if button.name:
            data[button.name] = button.value
    extra = draw(
        st.dictionaries(
            st.one_of(
                st.sampled_from(["status", "committee", "version", "pk"]), hostile_text
            ),
            hostile_text,
            max_size=2,
        )
    )
    for name, value in extra.items():
        if name and "\x00" not in name:
            data.setdefault(name, value)
    return data


class FuzzEndpointTests(FuzzFixtures):
    def fuzz(self, name: str) -> None:
        endpoint = ENDPOINTS[name]
        client = Client()
        user = getattr(self.p, endpoint.persona) if endpoint.persona else None
        if user is not None:
            client.force_login(user)
        page_url, action = endpoint.page(self), endpoint.action(self)
        page = client.get(page_url)
        self.assertEqual(page.status_code, 200, f"{name}: {page_url}")
        form = post_forms(page.content.decode(), action, page_url)[endpoint.form_index]
        action = resolved(form, page_url)
        login_url = reverse("login")

        filled = _filled(endpoint.fill(self) if endpoint.fill else {}, form)

        @bounded(ENDPOINT_EXAMPLES)
        @given(payloads(form, filled))
        def run(data):
            with transaction.atomic():
                # Signed in again each time: an example that changed the
                # password (rolled back since) must not sign out the next.
                if user is not None:
                    client.force_login(user)
                before = fingerprint()
                response = client.post(action, data=data)
                self.assertLess(response.status_code, 500, f"{name}: {data!r}")
                STATISTICS.setdefault(name, Counter())[response.status_code] += 1
                # Only what this request said: earlier examples' messages are
                # still in the client's cookie, never shown.
                said = get_messages(response.wsgi_request)._queued_messages
                errors = [m for m in said if m.level >= constants.ERROR]
                success = (
                    response.status_code in (301, 302, 303)
                    and not errors
                    and not response["Location"].startswith(login_url)
                )
                if not success:
                    changed = changed_tables(before, fingerprint())
                    self.assertFalse(
                        changed,
                        f"{name}: a refused POST ({response.status_code}) changed "
                        f"{changed}; data {data!r}",
                    )
                transaction.set_rollback(True)

        run()


def _make_test(name: str):
    def test(self):
        self.fuzz(name)

    test.__name__ = f"test_{name}"
    test.__doc__ = f"POSTs to {name} never fail with a 500 and save nothing invalid."
    return test


for _name in ENDPOINTS:
    setattr(FuzzEndpointTests, f"test_{_name}", _make_test(_name))


@pytest.fixture(scope="module", autouse=True)
def _report_statistics():
    yield
    if os.environ.get("FUZZ_REPORT"):
        for name, codes in sorted(STATISTICS.items()):
            print(
                f"{name}: {sum(codes.values())} requests, {dict(sorted(codes.items()))}"
            )


# --- The lists and their filters (GET) -------------------------------------------------

# Pages with a filter form: (persona, URL name). The query string is fuzzed
# from the page's own GET form, as with the POST forms above.
FILTER_PAGES: dict[str, tuple[str, str]] = {
    "registration_list": ("officer_a", "registrations:registration_list"),
    "registration_create_year": ("officer_ward", "registrations:registration_create"),
    "assessment_list": ("staff", "assessments:assessment_list"),
    "assessment_create_year": ("officer_a", "assessments:assessment_create"),
    "recognition_list": ("officer_a", "assessments:recognition_list"),
    "commendation_list": ("staff", "assessments:commendation_list"),
    "pledge_list": ("staff", "assessments:pledge_list"),
    "review_list": ("staff", "assessments:review_list"),
    "progress": ("leader", "assessments:progress"),
    "audit_list": ("staff", "committees:audit_list"),
    "account_list": ("staff", "committees:account_list"),
    "document_list": ("officer_a", "planning:document_list"),
    "area_list": ("officer_a", "units:area_list"),
    "dashboard": ("officer_a", "reporting:dashboard"),
}


@st.composite
def queries(draw, form: PageForm):
    query: dict[str, object] = {}
    baseline = form.baseline()
    for item in form.inputs():
        move = draw(st.sampled_from([KEEP, OPTION, HOSTILE, HOSTILE, DROP]))
        if move == KEEP and item.name in baseline:
            query[item.name] = baseline[item.name]
        elif move == OPTION and item.options:
            query[item.name] = draw(st.sampled_from(item.options))
        elif move in (HOSTILE, OPTION):
            query[item.name] = draw(hostile_text.filter(lambda t: len(t) < 3000))
    query.update(
        draw(
            st.dictionaries(
                st.sampled_from(["page", "sort", "format", "year", "q"]),
                hostile_text.filter(lambda t: len(t) < 3000),
                max_size=2,
            )
        )
    )
    return query


class FuzzFilterPageTests(FuzzFixtures):
    def fuzz_page(self, name: str) -> None:
        persona, url_name = FILTER_PAGES[name]
        client = Client()
        client.force_login(getattr(self.p, persona))
        url = reverse(url_name)
        page = client.get(url)
        self.assertEqual(page.status_code, 200, f"{name}: {url}")
        path = urlsplit(url).path
        forms = [
            form
            for form in page_forms(page.content.decode())
            if form.method == "get" and urlsplit(resolved(form, url)).path == path
        ]
        self.assertTrue(forms, f"{name}: no filter form on {url}")

        @bounded(PAGE_EXAMPLES)
        @given(queries(forms[0]))
        def run(query):
            response = client.get(url, data=query)
            self.assertLess(response.status_code, 500, f"{name}: {query!r}")
            STATISTICS.setdefault(f"GET {name}", Counter())[response.status_code] += 1

        run()


def _make_page_test(name: str):
    def test(self):
        self.fuzz_page(name)

    test.__name__ = f"test_{name}"
    test.__doc__ = f"Any query string on {name} is answered without a 500."
    return test


for _name in FILTER_PAGES:
    setattr(FuzzFilterPageTests, f"test_{_name}", _make_page_test(_name))
