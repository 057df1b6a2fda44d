"""The unread-notification count shown in the page header."""

from django import template

from campaign.registrations.selectors.registrations import unread_notification_count

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """How many notifications the user has not read (one query)."""
    if not user.is_authenticated:
        return 0
    return unread_notification_count(user=user)
