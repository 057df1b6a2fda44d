from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from units import selectors
from units.choices import AreaKind
from units.forms import AreaFilterForm, AsOfForm, today

AREAS_PER_PAGE = 50


@require_GET
def area_list(request: HttpRequest) -> HttpResponse:
    # Bound even when empty: every filter is optional, so no filter means "all".
    form = AreaFilterForm(request.GET)
    if form.is_valid():
        as_of = form.cleaned_as_of()
        areas = selectors.area_list(
            as_of=as_of, query=form.cleaned_data["q"], kind=form.cleaned_data["kind"]
        )
    else:
        as_of = today()
        areas = selectors.area_list(as_of=as_of).none()
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    kind_counts = selectors.area_counts_by_kind(as_of=as_of)
    paginator = Paginator(areas, AREAS_PER_PAGE)
    if form.is_valid() and not query:
        # Without a search the kept counts by kind give the total: no COUNT
        # over every unit in force.
        kind = form.cleaned_data["kind"]
        paginator.count = (
            kind_counts.get(kind, 0) if kind else sum(kind_counts.values())
        )
    page = paginator.get_page(request.GET.get("page"))
    # Nothing on that date: say when units of that name did exist (e.g. a
    # ward merged away in 2025 is still found for earlier dates).
    other_dates = (
        selectors.area_list_any_date(query=query)
        if query and page.paginator.count == 0
        else []
    )
    return render(
        request,
        "units/area_list.html",
        {
            "form": form,
            "as_of": as_of,
            "page_obj": page,
            "rows": selectors.area_rows(page.object_list, as_of=as_of),
            "other_dates": other_dates,
            "kind_counts": [
                (AreaKind(kind).label, count)
                for kind, count in kind_counts.items()
                if count
            ],
        },
    )


@require_GET
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = selectors.area_get(pk=pk)
    form = AsOfForm(request.GET)
    as_of = (form.cleaned_data["as_of"] if form.is_valid() else None) or today()
    came_from, became = selectors.area_successions(area=area)
    children = selectors.area_list(as_of=as_of, parent=area)
    return render(
        request,
        "units/area_detail.html",
        {
            "area": area,
            "form": form,
            "as_of": as_of,
            "valid_on_date": area.is_valid_on(as_of),
            "children": children,
            "came_from": came_from,
            "became": became,
        },
    )
