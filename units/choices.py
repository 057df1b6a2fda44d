from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    TOWN = "town", _("Town")
    DISTRICT = "district", _("District")
    WARD = "ward", _("Ward")
    COMMUNE = "commune", _("Commune")
    TOWNSHIP = "township", _("Township")
    SPECIAL_ZONE = "special_zone", _("Special zone")


# Vietnamese kind words as they are written before a name ("Phường Mỹ Xuyên"),
# independent of the interface language.
AREA_KIND_PREFIX = {
    AreaKind.PROVINCE: "Tỉnh",
    AreaKind.CITY: "Thành phố",
    AreaKind.TOWN: "Thị xã",
    AreaKind.DISTRICT: "Huyện",
    AreaKind.WARD: "Phường",
    AreaKind.COMMUNE: "Xã",
    AreaKind.TOWNSHIP: "Thị trấn",
    AreaKind.SPECIAL_ZONE: "Đặc khu",
}

DISTRICT_LEVEL_KINDS = (AreaKind.CITY, AreaKind.TOWN, AreaKind.DISTRICT)
COMMUNE_LEVEL_KINDS = (
    AreaKind.WARD,
    AreaKind.COMMUNE,
    AreaKind.TOWNSHIP,
    AreaKind.SPECIAL_ZONE,
)


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("Province level")
    DISTRICT = "district", _("District level")
    COMMUNE = "commune", _("Commune level")


def level_of_kind(kind: str) -> str:
    if kind == AreaKind.PROVINCE:
        return AreaLevel.PROVINCE
    if kind in DISTRICT_LEVEL_KINDS:
        return AreaLevel.DISTRICT
    return AreaLevel.COMMUNE


class OrganisationKind(models.TextChoices):
    AGENCY = "agency", _("Agency")
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
