"""Asking the access module from templates: {% if user|can:"manage_accounts" %}."""

from django import template

from campaign.committees import access

register = template.Library()


@register.filter
def can(user, capability: str) -> bool:
    return access.can(user, capability)
