from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Criteria sets, yearly assessments with evidence, the model ward police
    programme, the target engine, recognitions, commendations, emulation
    pledges and reviews."""

    name = "campaign.assessments"
    label = "assessments"
    verbose_name = _("Assessments and progress")

    def ready(self) -> None:
        # The placeholder criteria sets load with the rest of the reference data.
        from campaign.assessments.services.criteria import (
            criteria_seed_check,
            criteria_seed_load,
            criteria_seed_read,
        )
        from campaign.planning.services.reference_data import (
            ReferenceExtension,
            register_reference_extension,
        )

        register_reference_extension(
            ReferenceExtension(
                name="criteria sets",
                check=lambda keys: criteria_seed_check(
                    criteria_seed_read(), document_keys=keys
                ),
                load=lambda documents: criteria_seed_load(
                    criteria_seed_read(), documents=documents
                ),
            )
        )
