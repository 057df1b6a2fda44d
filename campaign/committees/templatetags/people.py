"""How people's names are shown: Vietnamese order, family name first."""

from django import template

register = template.Library()


@register.filter
def vn_name(user) -> str:
    """ "Trần Thị Minh" for last_name "Trần Thị" and first_name "Minh"; the
    username when no name is recorded."""
    full = " ".join(part for part in (user.last_name, user.first_name) if part)
    return full or user.get_username()
