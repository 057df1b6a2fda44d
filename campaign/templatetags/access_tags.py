"""Asking the access module from templates: {% if user|can:"manage_accounts" %}."""

from django import template

from campaign import access

register = template.Library()


@register.filter
def can(user, capability: str) -> bool:
    return access.can(user, capability)


@register.simple_tag
def unread_notifications(user) -> int:
    """How many notifications the user has not read (one query)."""
    from campaign.selectors.registrations import unread_notification_count

    if not user.is_authenticated:
        return 0
    return unread_notification_count(user=user)
