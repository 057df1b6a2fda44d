from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from campaign.demo.accounts import demo_accounts_seed
from campaign.demo.assessments import assessments_seed
from campaign.demo.registrations import registrations_seed


class Command(BaseCommand):
    help = (
        "The demo: load An Giang's areas and the reference data (as a real "
        "install does), then add the demo accounts (password from DEMO_PASSWORD), "
        "demo registrations of 2023 and of the current year, and the assessments, "
        "recognitions, commendations, pledge and reviews that follow them. Safe "
        "to run again. Refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never on a production database).",
        )

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Demo accounts with a known "
                "password are refused; pass --force if you really mean it."
            )
        password = settings.DEMO_PASSWORD
        # The accounts are made through the services, which apply the password
        # policy: a password it refuses is refused here, before anything runs.
        try:
            password_validation.validate_password(password)
        except ValidationError as error:
            raise CommandError(
                "Set DEMO_PASSWORD to a password the password policy accepts "
                f"(at least 12 characters): {' '.join(error.messages)}"
            ) from None
        call_command("load_areas", stdout=self.stdout)
        call_command("load_reference_data", stdout=self.stdout)
        seeded = demo_accounts_seed(password=password)
        created = registrations_seed()
        for year, count in sorted(created.items()):
            self.stdout.write(f"Demo registrations of {year} added: {count}.")
        added = assessments_seed()
        self.stdout.write(
            "Demo assessments added: {assessments}; commendations: {commendations}; "
            "pledges: {pledges}; reviews: {reviews}.".format(**added)
        )
        # The accounts last, where they are seen when the server starts.
        self.stdout.write("")
        self.stdout.write("Demo accounts (password from DEMO_PASSWORD):")
        for item in seeded:
            state = "created" if item.created else "updated"
            self.stdout.write(
                f"  {item.account.username:<17} {state:<8} {item.account.description}"
            )
