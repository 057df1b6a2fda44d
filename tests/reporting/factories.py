from __future__ import annotations

import factory

from reporting.choices import ReportKind
from reporting.models import ReportJob
from tests.factories import UserFactory


class ReportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportJob

    kind = ReportKind.AREA_CATALOGUE
    params = factory.LazyFunction(lambda: {"as_of": "2023-06-30", "language": "vi"})
    requested_by = factory.SubFactory(UserFactory)
