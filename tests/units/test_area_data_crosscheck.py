"""Integrity and cross-checks of the versioned An Giang area data file.

``units/data/an_giang_areas.json`` is authored for this project. These tests read it
with the standard library only (no Django, no database) and check:

* its structure: unique keys, parents that exist and come first, successions between
  existing records, valid date intervals, children inside their parent's interval,
  NFC names without a kind prefix;
* the official counts of commune-level units on reference dates;
* the old-to-new ward mapping of the 2025 reform given in the research notes;
* every code and name against the ``vietnam-provinces`` package: the post-reform
  records against version 2025.10.1 (installed, imported as ``vietnam_provinces``),
  the pre-reform records against version 0.6.0, whose unpacked package directory is
  named by the environment variable ``VIETNAM_PROVINCES_LEGACY_DIR``.

A missing reference is skipped with its reason, except when ``TEST_REQUIRE_SERVICES=1``
(as in CI), where it fails instead.
"""

from __future__ import annotations

import datetime
import functools
import importlib
import json
import os
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest

DATA_FILE = (
    Path(__file__).resolve().parents[2] / "units" / "data" / "an_giang_areas.json"
)

LEGACY_DIR_ENV = "VIETNAM_PROVINCES_LEGACY_DIR"
REQUIRE_ENV = "TEST_REQUIRE_SERVICES"
CURRENT_PACKAGE_VERSION = "2025.10.1"
LEGACY_DATA_VERSION = "2025-01-04"  # vietnam-provinces 0.6.0

REFORM = datetime.date(2025, 7, 1)
OLD_PROVINCE, NEW_PROVINCE = "89", "91"

KINDS = {
    "province",
    "city",
    "town",
    "district",
    "ward",
    "commune",
    "township",
    "special_zone",
}
LEVEL = {
    "province": 1,
    "city": 2,
    "town": 2,
    "district": 2,
    "ward": 3,
    "commune": 3,
    "township": 3,
    "special_zone": 3,
}
CODE_LENGTH = {1: 2, 2: 3, 3: 5}

# Kind words as written before a name in the official lists; longest first, so
# "Thành phố trung ương" wins over "Thành phố".
NAME_PREFIXES = (
    ("Thành phố trung ương ", "province"),
    ("Thành phố ", "city"),
    ("Thị xã ", "town"),
    ("Thị trấn ", "township"),
    ("Huyện ", "district"),
    ("Quận ", "district"),
    ("Phường ", "ward"),
    ("Xã ", "commune"),
    ("Đặc khu ", "special_zone"),
    ("Tỉnh ", "province"),
)
# division_type of vietnam-provinces 2025.10.1 (correct there, unlike in 0.6.0).
PACKAGE_DIVISION_KIND = {
    "tỉnh": "province",
    "thành phố trung ương": "province",
    "phường": "ward",
    "xã": "commune",
    "đặc khu": "special_zone",
}

KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_RE = re.compile(r"^\d+$")


# --------------------------------------------------------------------------- helpers


def references_required() -> bool:
    """True under ``TEST_REQUIRE_SERVICES=1`` (same values as tests/conftest.py)."""
    return os.environ.get(REQUIRE_ENV, "").lower() in {"1", "true", "yes"}


def require_or_skip(reason: str) -> None:
    """Skip with ``reason``, or fail when the environment demands every reference."""
    if references_required():
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1, so this cannot be skipped)")
    pytest.skip(reason)


@functools.cache
def load_data() -> dict:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def day(value: str | None) -> datetime.date | None:
    return None if value is None else datetime.date.fromisoformat(value)


def areas() -> list[dict]:
    return load_data()["areas"]


def areas_by_key() -> dict[str, dict]:
    return {area["key"]: area for area in areas()}


def in_force(area: dict, on: datetime.date) -> bool:
    start, end = day(area["valid_from"]), day(area["valid_to"])
    return (start is None or start <= on) and (end is None or on < end)


def areas_on(on: datetime.date) -> list[dict]:
    return [area for area in areas() if in_force(area, on)]


def split_official_name(name: str) -> tuple[str, str]:
    """ "Phường Mỹ Xuyên" -> ("Mỹ Xuyên", "ward"); a bare name gets kind ""."""
    name = unicodedata.normalize("NFC", name).strip()
    for prefix, kind in NAME_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :], kind
    return name, ""


def describe_differences(
    label: str, ours: dict[str, tuple], theirs: dict[str, tuple]
) -> str:
    lines = [f"{label}: the data file and the package disagree"]
    for code in sorted(set(ours) - set(theirs), key=int):
        lines.append(f"  only in the data file: {code} {ours[code]}")
    for code in sorted(set(theirs) - set(ours), key=int):
        lines.append(f"  only in the package:   {code} {theirs[code]}")
    for code in sorted(set(ours) & set(theirs), key=int):
        if ours[code] != theirs[code]:
            lines.append(f"  {code}: data file {ours[code]} != package {theirs[code]}")
    return "\n".join(lines)


def commune_level_counts(on: datetime.date) -> Counter:
    return Counter(a["kind"] for a in areas_on(on) if LEVEL[a["kind"]] == 3)


def district_level_counts(on: datetime.date) -> Counter:
    return Counter(a["kind"] for a in areas_on(on) if LEVEL[a["kind"]] == 2)


def children_on(parent_key: str, on: datetime.date) -> list[dict]:
    return [a for a in areas_on(on) if a["parent"] == parent_key]


# ------------------------------------------------------------------------- structure


def test_header_fields():
    data = load_data()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\.\d+", data["version"]), data["version"]
    assert day(data["coverage_from"]) == datetime.date(2023, 1, 1)
    assert data["description"].strip()
    assert data["sources"], "the data file must cite its sources"
    for source in data["sources"]:
        assert source.get("title") and source.get("url") and source.get("used_for"), (
            source
        )


def test_keys_are_unique_and_slug_shaped():
    counts = Counter(area["key"] for area in areas())
    duplicates = sorted(key for key, n in counts.items() if n > 1)
    assert not duplicates, f"duplicate keys: {duplicates}"
    bad = [
        a["key"] for a in areas() if not KEY_RE.match(a["key"]) or len(a["key"]) > 40
    ]
    assert not bad, f"keys must be slugs of at most 40 characters: {bad}"


def test_fields_kinds_and_codes():
    problems = []
    for area in areas():
        if area["kind"] not in KINDS:
            problems.append(f"{area['key']}: unknown kind {area['kind']!r}")
            continue
        code = area["code"]
        if not isinstance(code, str) or not CODE_RE.match(code):
            problems.append(f"{area['key']}: code {code!r} is not a string of digits")
        elif len(code) != CODE_LENGTH[LEVEL[area["kind"]]]:
            problems.append(f"{area['key']}: code {code} has the wrong length")
        segments = area["key"].split("-")
        if not re.fullmatch(r"ag\d{2}", segments[0]):
            problems.append(f"{area['key']}: key does not start with ag<province>")
        if area["kind"] != "province" and code not in segments[1:]:
            problems.append(f"{area['key']}: key does not contain the code {code}")
    assert not problems, "\n".join(problems)


def test_names_are_nfc_without_kind_prefix():
    problems = []
    for area in areas():
        name = area["name"]
        if unicodedata.normalize("NFC", name) != name:
            problems.append(f"{area['key']}: {name!r} is not NFC")
        if name != name.strip() or "  " in name or not name:
            problems.append(f"{area['key']}: {name!r} has stray whitespace")
        _, kind = split_official_name(name)
        if kind:
            problems.append(f"{area['key']}: {name!r} starts with a kind word")
    assert not problems, "\n".join(problems)


def test_dates_parse_and_intervals_are_ordered():
    problems = []
    for area in areas():
        start, end = day(area["valid_from"]), day(area["valid_to"])
        if start is not None and end is not None and not start < end:
            problems.append(f"{area['key']}: valid_from {start} >= valid_to {end}")
    assert not problems, "\n".join(problems)


def test_parents_exist_come_first_and_are_one_level_up():
    seen: dict[str, dict] = {}
    problems = []
    for area in areas():
        parent_key = area["parent"]
        if area["kind"] == "province":
            if parent_key is not None:
                problems.append(f"{area['key']}: a province has no parent")
        elif parent_key is None:
            problems.append(f"{area['key']}: missing parent")
        elif parent_key not in seen:
            problems.append(
                f"{area['key']}: parent {parent_key} is missing or listed after it"
            )
        elif LEVEL[seen[parent_key]["kind"]] >= LEVEL[area["kind"]]:
            problems.append(f"{area['key']}: parent {parent_key} is not a higher level")
        elif not area["key"].startswith(parent_key.split("-")[0] + "-"):
            problems.append(f"{area['key']}: key not under its province {parent_key}")
        seen[area["key"]] = area
    assert not problems, "\n".join(problems)


def test_children_lie_inside_their_parent_interval():
    by_key = areas_by_key()
    problems = []
    for area in areas():
        if area["parent"] is None:
            continue
        parent = by_key[area["parent"]]
        start, end = day(area["valid_from"]), day(area["valid_to"])
        p_start, p_end = day(parent["valid_from"]), day(parent["valid_to"])
        if p_start is not None and (start is None or start < p_start):
            problems.append(f"{area['key']} starts before its parent {parent['key']}")
        if p_end is not None and (end is None or end > p_end):
            problems.append(f"{area['key']} ends after its parent {parent['key']}")
    assert not problems, "\n".join(problems)


def test_a_code_is_used_by_one_record_at_a_time():
    by_code: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for area in areas():
        by_code[(LEVEL[area["kind"]], area["code"])].append(area)
    far_past, far_future = datetime.date.min, datetime.date.max
    problems = []
    for (_, code), records in by_code.items():
        spans = sorted(
            (
                (day(r["valid_from"]) or far_past, day(r["valid_to"]) or far_future, r)
                for r in records
            ),
            key=lambda span: span[:2],
        )
        for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
            if start < end:
                problems.append(f"{code}: {first['key']} overlaps {second['key']}")
    assert not problems, "\n".join(problems)


def test_successions_link_existing_records_on_their_date():
    by_key = areas_by_key()
    problems = []
    pairs = Counter()
    for s in load_data()["successions"]:
        label = f"{s['predecessor']} -> {s['successor']}"
        pairs[(s["predecessor"], s["successor"])] += 1
        pred, succ = by_key.get(s["predecessor"]), by_key.get(s["successor"])
        if pred is None or succ is None:
            problems.append(f"{label}: unknown key")
            continue
        if s["predecessor"] == s["successor"]:
            problems.append(f"{label}: a record cannot succeed itself")
        on = day(s["date"])
        if day(pred["valid_to"]) != on:
            problems.append(f"{label}: date {on} is not the predecessor's valid_to")
        if not in_force(succ, on):
            problems.append(f"{label}: successor not in force on {on}")
        if LEVEL[pred["kind"]] != LEVEL[succ["kind"]]:
            problems.append(f"{label}: links different levels")
        if not s.get("note") or len(s["note"]) > 300:
            problems.append(f"{label}: note missing or longer than 300 characters")
        if unicodedata.normalize("NFC", s["note"]) != s["note"]:
            problems.append(f"{label}: note is not NFC")
    problems += [
        f"{pred} -> {succ}: listed {n} times"
        for (pred, succ), n in pairs.items()
        if n > 1
    ]
    assert not problems, "\n".join(problems)


def test_every_ended_commune_level_unit_has_a_successor():
    """Only district-level units (abolished on 1 July 2025) end without a successor."""
    with_successor = {s["predecessor"] for s in load_data()["successions"]}
    orphans = [
        a["key"]
        for a in areas()
        if a["valid_to"] is not None
        and LEVEL[a["kind"]] != 2
        and a["key"] not in with_successor
    ]
    assert not orphans, f"ended without a successor: {orphans}"
    early = [
        a["key"]
        for a in areas()
        if a["valid_to"] is not None
        and day(a["valid_to"]) < REFORM
        and a["key"] not in with_successor
    ]
    assert not early, f"ended before the 2025 reform without a successor: {early}"


def test_partial_successions_are_marked():
    """A unit split between several successors marks each link as partial."""
    targets: dict[tuple[str, str], set[str]] = defaultdict(set)
    flags: dict[tuple[str, str], set[bool]] = defaultdict(set)
    for s in load_data()["successions"]:
        targets[(s["predecessor"], s["date"])].add(s["successor"])
        flags[(s["predecessor"], s["date"])].add(bool(s.get("partial", False)))
    wrong = [
        f"{pred} on {date}: {len(targets[(pred, date)])} successors, partial={f}"
        for (pred, date), f in flags.items()
        if f != {len(targets[(pred, date)]) > 1}
    ]
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------------------- counts

# Commune-level units of An Giang on each date. 2 January 2023: the state set by
# NQ 1107/NQ-UBTVQH14 (2020); 30 June 2023: after NQ 721/NQ-UBTVQH15 (Tịnh Biên town,
# its 7 wards, and the townships Đa Phước and Hội An, from 10 April 2023);
# 2 January 2025: after Đông Xuyên merged into Mỹ Xuyên; 2 July 2025: the new
# province under NQ 1654/NQ-UBTVQH15.
EXPECTED_COMMUNE_LEVEL = {
    "2023-01-02": {"commune": 116, "ward": 21, "township": 19},
    "2023-06-30": {"commune": 110, "ward": 28, "township": 18},
    "2025-01-02": {"commune": 110, "ward": 27, "township": 18},
    "2025-07-02": {"commune": 85, "ward": 14, "special_zone": 3},
}
EXPECTED_TOTAL = {
    "2023-01-02": 156,
    "2023-06-30": 156,
    "2025-01-02": 155,
    "2025-07-02": 102,
}
EXPECTED_DISTRICT_LEVEL = {
    "2023-01-02": {"city": 2, "town": 1, "district": 8},
    "2023-06-30": {"city": 2, "town": 2, "district": 7},
    "2025-01-02": {"city": 2, "town": 2, "district": 7},
    "2025-07-02": {},
}
EXPECTED_PROVINCE = {
    "2023-01-02": "ag89",
    "2023-06-30": "ag89",
    "2025-01-02": "ag89",
    "2025-07-02": "ag91",
}


@pytest.mark.parametrize("on", sorted(EXPECTED_COMMUNE_LEVEL))
def test_counts_per_kind(on):
    when = datetime.date.fromisoformat(on)
    communes = dict(commune_level_counts(when))
    assert communes == EXPECTED_COMMUNE_LEVEL[on], f"commune level on {on}"
    assert sum(communes.values()) == EXPECTED_TOTAL[on]
    assert dict(district_level_counts(when)) == EXPECTED_DISTRICT_LEVEL[on], (
        f"district level on {on}"
    )
    provinces = [a["key"] for a in areas_on(when) if a["kind"] == "province"]
    assert provinces == [EXPECTED_PROVINCE[on]]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("2023-01-02", {"ag89-883": 11, "ag89-884": 5, "ag89-887": 5}),
        (
            "2023-06-30",
            {"ag89-883": 11, "ag89-884": 5, "ag89-887": 5, "ag89-890": 7},
        ),
        (
            "2025-01-02",
            {"ag89-883": 10, "ag89-884": 5, "ag89-887": 5, "ag89-890": 7},
        ),
    ],
)
def test_wards_per_city_and_town(on, expected):
    when = datetime.date.fromisoformat(on)
    wards = Counter(a["parent"] for a in areas_on(when) if a["kind"] == "ward")
    assert dict(wards) == expected


def test_tinh_bien_upgrade():
    before, after = datetime.date(2023, 4, 9), datetime.date(2023, 4, 10)
    district = {a["key"]: a for a in areas_on(before) if a["code"] == "890"}
    town = {a["key"]: a for a in areas_on(after) if a["code"] == "890"}
    assert [(a["key"], a["kind"]) for a in district.values()] == [
        ("ag89-890-h", "district")
    ]
    assert [(a["key"], a["kind"]) for a in town.values()] == [("ag89-890", "town")]
    old = Counter(a["kind"] for a in children_on("ag89-890-h", before))
    new = Counter(a["kind"] for a in children_on("ag89-890", after))
    assert old == {"township": 3, "commune": 11}
    assert new == {"ward": 7, "commune": 7}
    links = {
        (s["predecessor"], s["successor"])
        for s in load_data()["successions"]
        if s["date"] == "2023-04-10"
    }
    assert ("ag89-890-h", "ag89-890") in links
    for child in children_on("ag89-890-h", before):
        successor = f"ag89-890-{child['code']}"
        assert (child["key"], successor) in links, child["key"]


def test_dong_xuyen_merged_into_my_xuyen():
    by_key = areas_by_key()
    dong_xuyen = [a for a in areas() if a["name"] == "Đông Xuyên"]
    assert len(dong_xuyen) == 1
    (record,) = dong_xuyen
    assert record["kind"] == "ward" and record["parent"] == "ag89-883"
    assert record["valid_to"] == "2025-01-01"
    my_xuyen = by_key["ag89-883-30286"]
    assert my_xuyen["name"] == "Mỹ Xuyên" and my_xuyen["valid_from"] is None
    assert {
        (s["successor"], s["date"])
        for s in load_data()["successions"]
        if s["predecessor"] == record["key"]
    } == {(my_xuyen["key"], "2025-01-01")}


# Old-to-new ward mapping of the 2025 reform (research notes §6, after tto.vn):
# new ward -> the old units (name, kind) that formed it, wholly or in part.
REFORM_WARDS = {
    "Long Xuyên": {
        ("Mỹ Bình", "ward"),
        ("Mỹ Long", "ward"),
        ("Mỹ Xuyên", "ward"),
        ("Mỹ Phước", "ward"),
        ("Mỹ Quý", "ward"),
        ("Mỹ Hòa", "ward"),
    },
    "Bình Đức": {("Bình Đức", "ward"), ("Bình Khánh", "ward"), ("Mỹ Khánh", "commune")},
    "Mỹ Thới": {("Mỹ Thới", "ward"), ("Mỹ Thạnh", "ward")},
    "Châu Đốc": {
        ("Vĩnh Ngươn", "ward"),
        ("Châu Phú A", "ward"),
        ("Châu Phú B", "ward"),
        ("Vĩnh Mỹ", "ward"),
        ("Vĩnh Châu", "commune"),
    },
    "Vĩnh Tế": {("Núi Sam", "ward"), ("Vĩnh Tế", "commune"), ("Vĩnh Châu", "commune")},
    "Tân Châu": {("Long Thạnh", "ward"), ("Long Sơn", "ward")},
    "Long Phú": {("Long Phú", "ward"), ("Long Hưng", "ward"), ("Long Châu", "ward")},
    "Thới Sơn": {("Thới Sơn", "ward"), ("Nhơn Hưng", "ward"), ("Nhà Bàng", "ward")},
    "Tịnh Biên": {("An Phú", "ward"), ("Tịnh Biên", "ward"), ("An Nông", "commune")},
    "Chi Lăng": {("Núi Voi", "ward"), ("Chi Lăng", "ward"), ("Tân Lợi", "commune")},
}


def test_reform_ward_mapping_matches_research_notes():
    by_key = areas_by_key()
    eve = REFORM - datetime.timedelta(days=1)
    formed_from: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for s in load_data()["successions"]:
        if s["date"] != REFORM.isoformat():
            continue
        pred, succ = by_key[s["predecessor"]], by_key[s["successor"]]
        assert in_force(pred, eve), s
        if succ["kind"] == "ward" and pred["key"].startswith("ag89-"):
            formed_from[succ["name"]].add((pred["name"], pred["kind"]))
    assert dict(formed_from) == REFORM_WARDS

    # Every ward of old An Giang in force on 30 June 2025 (27 of them) has a successor.
    old_wards = [
        a for a in areas_on(eve) if a["kind"] == "ward" and a["key"].startswith("ag89")
    ]
    assert len(old_wards) == 27
    succeeded = {s["predecessor"] for s in load_data()["successions"]}
    assert not [a["key"] for a in old_wards if a["key"] not in succeeded]
    assert ("ag89", "ag91") in {
        (s["predecessor"], s["successor"]) for s in load_data()["successions"]
    }


def test_every_old_commune_level_unit_is_succeeded_in_2025():
    eve = REFORM - datetime.timedelta(days=1)
    old_units = [
        a["key"]
        for a in areas_on(eve)
        if LEVEL[a["kind"]] == 3 and a["key"].startswith("ag89")
    ]
    assert len(old_units) == 155
    succeeded = {
        s["predecessor"]
        for s in load_data()["successions"]
        if s["date"] == REFORM.isoformat()
    }
    assert not sorted(set(old_units) - succeeded)


# ---------------------------------------------------- cross-check with the package


def test_post_reform_matches_vietnam_provinces_2025():
    vp = import_current_package()
    assert vp.__version__ == CURRENT_PACKAGE_VERSION, (
        f"cross-check written against vietnam-provinces {CURRENT_PACKAGE_VERSION}, "
        f"found {vp.__version__}: review the data file against the new package data"
    )
    province = vp.Province.from_code(vp.ProvinceCode(int(NEW_PROVINCE)))
    theirs = {
        str(int(w.code)): (
            split_official_name(w.name)[0],
            PACKAGE_DIVISION_KIND[w.division_type.value],
        )
        for w in vp.Ward.iter_by_province(province.code)
    }
    theirs[NEW_PROVINCE] = (split_official_name(province.name)[0], "province")

    on = REFORM + datetime.timedelta(days=1)
    ours = {
        a["code"]: (a["name"], a["kind"])
        for a in areas_on(on)
        if a["key"] == f"ag{NEW_PROVINCE}" or a["parent"] == f"ag{NEW_PROVINCE}"
    }
    assert len(ours) == len(areas_on(on)), "every record in force is in the province"
    assert ours == theirs, describe_differences(
        f"An Giang ({NEW_PROVINCE}) on {on}", ours, theirs
    )


def import_current_package():
    """``vietnam_provinces`` 2025.10.1, the installed (post-reform) package."""
    reason = (
        "vietnam-provinces is not installed "
        f"(pip install vietnam-provinces=={CURRENT_PACKAGE_VERSION})"
    )
    if references_required():
        try:
            return importlib.import_module("vietnam_provinces")
        except ImportError:
            require_or_skip(reason)
    return pytest.importorskip("vietnam_provinces", reason=reason)


def legacy_data_dir() -> Path:
    """The unpacked ``vietnam_provinces`` package directory of version 0.6.0."""
    value = os.environ.get(LEGACY_DIR_ENV)
    if not value:
        require_or_skip(
            f"{LEGACY_DIR_ENV} is not set: point it at the 'vietnam_provinces' "
            "directory of the unpacked vietnam-provinces 0.6.0 wheel"
        )
    base = Path(value)
    for candidate in (base, base / "vietnam_provinces"):
        if (candidate / "data" / "nested-divisions.json").is_file():
            return candidate
    pytest.fail(
        f"{LEGACY_DIR_ENV}={value} holds no data/nested-divisions.json; it must be "
        "the 'vietnam_provinces' directory of the unpacked 0.6.0 wheel"
    )
    raise AssertionError  # unreachable: pytest.fail raises


def test_pre_reform_matches_vietnam_provinces_0_6_0():
    package_dir = legacy_data_dir()
    init = (package_dir / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r"__data_version__\s*=\s*['\"]([^'\"]+)['\"]", init)
    assert found and found.group(1) == LEGACY_DATA_VERSION, (
        f"{package_dir} is not vietnam-provinces 0.6.0 "
        f"(data version {found.group(1) if found else 'unknown'}, "
        f"expected {LEGACY_DATA_VERSION})"
    )
    nested = json.loads(
        (package_dir / "data" / "nested-divisions.json").read_text(encoding="utf-8")
    )
    (province,) = [p for p in nested if str(p["code"]) == OLD_PROVINCE]

    # 0.6.0 gives every district the type "huyện" and every commune-level unit
    # "xã"; the real kind is the prefix of the name.
    theirs: dict[str, tuple] = {
        OLD_PROVINCE: (*split_official_name(province["name"]), None)
    }
    for district in province["districts"]:
        theirs[str(district["code"])] = (
            *split_official_name(district["name"]),
            OLD_PROVINCE,
        )
        for ward in district["wards"]:
            theirs[str(ward["code"])] = (
                *split_official_name(ward["name"]),
                str(district["code"]),
            )

    on = datetime.date(2025, 1, 2)
    by_key = areas_by_key()
    ours = {
        a["code"]: (
            a["name"],
            a["kind"],
            by_key[a["parent"]]["code"] if a["parent"] else None,
        )
        for a in areas_on(on)
        if a["key"].startswith(f"ag{OLD_PROVINCE}")
    }
    assert ours == theirs, describe_differences(
        f"An Giang ({OLD_PROVINCE}) on {on}", ours, theirs
    )
