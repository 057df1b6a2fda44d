"""Locust users of the load test (issue 10, item 5): local officers of
commune-level committees reading pages, editing and submitting their
registrations and assessments, and uploading evidence files.

Run by ``bench/load/run.py`` (which builds the data, starts the services and
checks the rows afterwards); this file speaks HTTP only and never imports
Django (locust monkey-patches the standard library with gevent).

Environment:
  LOAD_PLAN      JSON written by ``bench/load/_data.py setup``: the password, the
                 year, and per officer its commune (``area:<pk>``), its draft
                 registrations and its draft assessments with their answers
  LOAD_OUT       folder where, when the test stops, ``tally.json`` (successful
                 writes per officer, as this process saw them) and
                 ``requests.json`` (every request: name, start, ms, status, ok)
                 are written
  LOAD_WAIT_MIN / LOAD_WAIT_MAX   think time between tasks, seconds (1 / 3)
  LOAD_UPLOAD_KB size of an evidence file (100); PDF and PNG alternate

Each locust user takes the next officer of the plan and logs in once, through
the login form. Tasks (weights = share of tasks): reads 60 % (dashboard,
registration list and detail, assessment list and detail, progress page,
report centre), writes 30 % (create a registration with its signed document,
edit one -- the form read first, its ``based_on_version`` posted back --,
submit one, save an assessment's answers the same way, submit an assessment
whose answers are complete), uploads 10 % (an evidence file on a criterion);
plus the bare view ``/bench/bare/`` as the baseline, weight 10 on top.

A write counts as done when the server answers with its redirect (302) and,
for the workflow steps, the page it leads to shows the success message; a 409
(someone else's newer version) is tallied apart and not counted as a
failure; any other answer -- a form sent back (400), a 5xx, a refused step --
is a failure. Every POST is followed by the GET of the page it redirects to,
as a browser does (which also consumes the flash message).
"""

from __future__ import annotations

import json
import os
import random
import re
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
OUT = Path(os.environ["LOAD_OUT"])
WAIT = (
    float(os.environ.get("LOAD_WAIT_MIN", "1")),
    float(os.environ.get("LOAD_WAIT_MAX", "3")),
)
UPLOAD_BYTES = int(os.environ.get("LOAD_UPLOAD_KB", "100")) * 1024

_accounts = iter(PLAN["users"])
TALLIES: dict[str, dict[str, int]] = {}
RECORDS: list[tuple] = []
WRITES = (
    "registration_create",
    "registration_edit",
    "registration_submit",
    "assessment_answers",
    "assessment_submit",
    "evidence_upload",
)


@events.request.add_listener
def _record(request_type, name, response_time, response, exception, start_time=0, **_):
    status = getattr(response, "status_code", 0) if response is not None else 0
    RECORDS.append(
        (request_type, name, start_time, response_time, status, exception is None)
    )


def _dump(**_) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "tally.json").write_text(json.dumps(TALLIES, indent=1))
    (OUT / "requests.json").write_text(json.dumps(RECORDS))


events.test_stop.add_listener(_dump)
events.quitting.add_listener(_dump)


# --- files ------------------------------------------------------------------------


def make_pdf(token: str, size: int = UPLOAD_BYTES) -> bytes:
    """A valid one-page PDF of about ``size`` bytes (text drawn in a plain,
    uncompressed content stream; no scripts, no embedded files)."""
    lines, total, n = [], 0, 0
    while total < size - 600:
        y = 800 - (n % 110) * 7
        line = (
            f"BT /F1 6 Tf 30 {y} Td (Minh chung thu tai {token} dong {n:05d}) Tj ET\n"
        )
        lines.append(line)
        total += len(line)
        n += 1
    stream = "".join(lines).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def make_png(size: int = UPLOAD_BYTES) -> bytes:
    """A valid RGB PNG of about ``size`` bytes (noise does not compress)."""
    width = 200
    height = max(1, size // (width * 3))
    raw = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


# --- HTML forms -------------------------------------------------------------------


class FormFields(HTMLParser):
    """The values a browser would send: inputs (checked radios only),
    textareas and the selected option of each select."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.radios: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: dict[str, str] = {}
        self.feed(html)
        for name, value in self._first_option.items():
            self.values.setdefault(name, value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "radio":
                self.radios.setdefault(name, []).append(a.get("value", ""))
                if "checked" in a:
                    self.values[name] = a.get("value", "")
            elif kind == "checkbox":
                if "checked" in a:
                    self.values[name] = a.get("value", "on")
            elif kind not in ("file", "submit", "button"):
                self.values[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._first_option.setdefault(self._select, value)
            if "selected" in a:
                self.values[self._select] = value

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            # Django writes a newline after <textarea>; browsers drop it.
            current = self.values[self._textarea]
            self.values[self._textarea] = current + (
                data[1:] if not current and data.startswith("\n") else data
            )


# The request type, sent along so that gunicorn's access log (which the
# driver reads for the time spent in the server) can be grouped the same way.
NAME_HEADER = "X-Load-Name"
PK_IN_LOCATION = re.compile(r"/(registrations|assessments)/(\d+)/")


def _token() -> str:
    return f"{random.getrandbits(40):010x}"


class Officer(HttpUser):
    """A local officer of one commune-level committee (its own rows only)."""

    wait_time = between(*WAIT)

    def on_start(self) -> None:
        account = next(_accounts)  # StopIteration: more users than officers
        self.username = account["username"]
        self.area = account["area"]
        self.drafts: list[int] = list(account["drafts"])
        self.assessments = {a["pk"]: a["answers"] for a in account["assessments"]}
        self.complete: set[int] = set()  # every answer given by this user
        self.tally = TALLIES.setdefault(
            self.username,
            {**{w: 0 for w in WRITES}, "conflicts_409": 0},
        )
        self.created = 0
        self.uploads = 0
        self._login()

    # -- helpers -----------------------------------------------------------------

    def _login(self) -> None:
        page = self.client.get(
            "/login/", name="GET /login/", headers={NAME_HEADER: "GET /login/"}
        )
        fields = FormFields(page.text).values
        with self.client.post(
            "/login/",
            data={
                "csrfmiddlewaretoken": fields.get("csrfmiddlewaretoken", ""),
                "username": self.username,
                "password": PLAN["password"],
            },
            name="POST /login/",
            headers={NAME_HEADER: "POST /login/"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.username}: {response.status_code}")
                raise RuntimeError(f"{self.username} could not log in")
            response.success()

    def _csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def _page(self, url: str, name: str) -> str | None:
        """GET a page that must answer 200 (a redirect, e.g. to the login
        page, is a failure)."""
        with self.client.get(
            url,
            name=name,
            headers={NAME_HEADER: name},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return None
            response.success()
            return response.text

    def _post(self, url: str, name: str, kind: str, data: dict, files=None):
        """POST a form; success is a 302. Returns (ok, location). A 409 is the
        optimistic lock's answer: tallied, not a failure."""
        with self.client.post(
            url,
            data=data,
            files=files,
            name=name,
            headers={NAME_HEADER: name},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
                return True, response.headers.get("Location", "")
            if response.status_code == 409:
                response.success()
                self.tally["conflicts_409"] += 1
                return False, ""
            response.failure(f"{kind}: {response.status_code}")
            return False, ""

    def _follow(self, location: str, name: str) -> bool:
        """GET the page a POST redirected to, which must show the success
        message (a refused workflow step, or a registration found to exist
        already, redirects too, with an error or warning message)."""
        path = location.split("#", 1)[0]
        with self.client.get(
            path,
            name=name,
            headers={NAME_HEADER: name},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return False
            if "alert alert-success" not in response.text:
                response.failure("no success message after the step")
                return False
            response.success()
            return True

    # -- reads (60) ----------------------------------------------------------------

    @task(9)
    def dashboard(self) -> None:
        self._page("/reports/dashboard/", "GET /reports/dashboard/")

    @task(9)
    def registration_list(self) -> None:
        self._page("/registrations/", "GET /registrations/")

    @task(9)
    def registration_detail(self) -> None:
        pk = random.choice(self.drafts)
        self._page(f"/registrations/{pk}/", "GET /registrations/[id]/")

    @task(9)
    def assessment_list(self) -> None:
        self._page("/assessments/", "GET /assessments/")

    @task(9)
    def assessment_detail(self) -> None:
        pk = random.choice(list(self.assessments))
        self._page(f"/assessments/{pk}/", "GET /assessments/[id]/")

    @task(8)
    def progress(self) -> None:
        self._page("/progress/", "GET /progress/")

    @task(7)
    def report_centre(self) -> None:
        self._page("/reports/", "GET /reports/")

    # -- the baseline (10 on top) --------------------------------------------------

    @task(10)
    def bare(self) -> None:
        self._page("/bench/bare/", "GET /bench/bare/")

    # -- writes (30) ---------------------------------------------------------------

    @task(5)
    def registration_create(self) -> None:
        page = self._page("/registrations/new/", "GET /registrations/new/")
        if page is None:
            return
        form = FormFields(page).values
        self.created += 1
        token = _token()
        name = f"Đơn vị tải {self.username} số {self.created} {token}"
        document = make_pdf(token)
        ok, location = self._post(
            "/registrations/new/",
            "POST /registrations/new/",
            "registration_create",
            data={
                "csrfmiddlewaretoken": form.get("csrfmiddlewaretoken", ""),
                "year": form.get("year", str(PLAN["year"])),
                "unit": "",
                "new_organisation_name": name,
                "new_organisation_kind": random.choice(
                    ["agency", "enterprise", "school"]
                ),
                "new_organisation_area": self.area,
                "contact_name": "Trần Thị Tải",
                "contact_phone": "0912 345 678",
                "plan_summary": f"Kế hoạch của {name}.",
                "document_token": "",
            },
            files={
                "document": (f"Bản đăng ký {token}.pdf", document, "application/pdf")
            },
        )
        match = PK_IN_LOCATION.search(location) if ok else None
        if (
            ok
            and match
            and match.group(1) == "registrations"
            and self._follow(location, "GET /registrations/[id]/ (after POST)")
        ):
            self.tally["registration_create"] += 1
            self.drafts.append(int(match.group(2)))

    @task(9)
    def registration_edit(self) -> None:
        pk = random.choice(self.drafts)
        page = self._page(f"/registrations/{pk}/edit/", "GET /registrations/[id]/edit/")
        if page is None:
            return
        form = FormFields(page).values
        data = {
            name: form.get(name, "")
            for name in (
                "csrfmiddlewaretoken",
                "year",
                "contact_name",
                "contact_phone",
                "based_on_version",
                "document_token",
            )
        }
        data["plan_summary"] = f"Kế hoạch sửa lần {_token()} — tuyên truyền, tuần tra."
        ok, location = self._post(
            f"/registrations/{pk}/edit/",
            "POST /registrations/[id]/edit/",
            "registration_edit",
            data=data,
        )
        if ok and self._follow(location, "GET /registrations/[id]/ (after POST)"):
            self.tally["registration_edit"] += 1

    @task(4)
    def registration_submit(self) -> None:
        if len(self.drafts) < 2:  # keep one draft to edit
            return self.registration_edit()
        pk = random.choice(self.drafts)
        ok, location = self._post(
            f"/registrations/{pk}/submit/",
            "POST /registrations/[id]/submit/",
            "registration_submit",
            data={"csrfmiddlewaretoken": self._csrf()},
        )
        if ok and self._follow(location, "GET /registrations/[id]/ (after POST)"):
            self.tally["registration_submit"] += 1
            self.drafts.remove(pk)
        return None

    @task(9)
    def assessment_answers(self) -> None:
        pk = random.choice(list(self.assessments))
        page = self._page(f"/assessments/{pk}/", "GET /assessments/[id]/")
        if page is None:
            return
        parsed = FormFields(page)
        data = {
            "csrfmiddlewaretoken": parsed.values.get("csrfmiddlewaretoken", ""),
            "based_on_version": parsed.values.get("based_on_version", ""),
        }
        mets = [name for name in parsed.radios if re.fullmatch(r"met_\d+", name)]
        for name in mets:
            data[name] = "1" if random.random() < 0.8 else "0"
            note = "note_" + name[4:]
            data[note] = parsed.values.get(note, "")
        if mets:  # something always changes: one note
            data["note_" + random.choice(mets)[4:]] = f"Đã kiểm tra {_token()}."
        ok, location = self._post(
            f"/assessments/{pk}/answers/",
            "POST /assessments/[id]/answers/",
            "assessment_answers",
            data=data,
        )
        if ok and self._follow(location, "GET /assessments/[id]/ (after POST)"):
            self.tally["assessment_answers"] += 1
            self.complete.add(pk)

    @task(3)
    def assessment_submit(self) -> None:
        ready = [pk for pk in self.complete if pk in self.assessments]
        if not ready or len(self.assessments) < 2:  # keep one to work on
            return self.assessment_answers()
        pk = random.choice(ready)
        ok, location = self._post(
            f"/assessments/{pk}/submit/",
            "POST /assessments/[id]/submit/",
            "assessment_submit",
            data={"csrfmiddlewaretoken": self._csrf()},
        )
        if ok and self._follow(location, "GET /assessments/[id]/ (after POST)"):
            self.tally["assessment_submit"] += 1
            del self.assessments[pk]
        return None

    # -- uploads (10) --------------------------------------------------------------

    @task(10)
    def evidence_upload(self) -> None:
        pk = random.choice(list(self.assessments))
        answer = random.choice(self.assessments[pk])
        self.uploads += 1
        token = _token()
        if self.uploads % 2:
            upload = (f"Minh chứng {token}.pdf", make_pdf(token), "application/pdf")
        else:
            upload = (f"Ảnh minh chứng {token}.png", make_png(), "image/png")
        ok, location = self._post(
            f"/assessments/{pk}/answers/{answer}/evidence/",
            "POST /assessments/[id]/answers/[id]/evidence/",
            "evidence_upload",
            data={"csrfmiddlewaretoken": self._csrf()},
            files={f"ev{answer}-file": upload},
        )
        if ok and self._follow(location, "GET /assessments/[id]/ (after POST)"):
            self.tally["evidence_upload"] += 1
