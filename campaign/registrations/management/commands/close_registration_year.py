from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from campaign.registrations.services.registrations import registrations_close_year


class Command(BaseCommand):
    help = (
        "Year-end close: withdraw the registrations of YEAR still in draft, "
        "recording each change in the audit trail and the workflow log."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--by",
            required=True,
            help="User name recorded as the one closing the year.",
        )

    def handle(self, *args, year, by, **options):
        try:
            user = get_user_model().objects.get(username=by, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user named {by!r}.") from None
        closed = registrations_close_year(year=year, by=user)
        self.stdout.write(f"{closed} draft registrations of {year} withdrawn.")
