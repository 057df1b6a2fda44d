from __future__ import annotations

from django import forms
from django.contrib.auth.forms import SetPasswordMixin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaign.committees.choices import MembershipRole
from campaign.committees.forms.pickers import InstanceChoiceField, committee_choices
from campaign.forms import StrictForm


class CommitteeChoiceField(InstanceChoiceField):
    """A committee of ``committee_choices_for_user``, the ended ones with
    their last day: the whole list when short, else the chosen one and
    ``committees:membership_committee_search``."""


class MembershipForm(StrictForm):
    committee = CommitteeChoiceField(label=_("Committee"))
    # Least privilege first: a new role is a local officer unless chosen otherwise.
    role = forms.ChoiceField(
        label=_("Role"),
        choices=MembershipRole.choices,
        initial=MembershipRole.LOCAL_OFFICER,
    )

    def __init__(self, *args, committees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if committees is not None:
            self.fields["committee"].set_choices(
                committee_choices(committees),
                url=reverse("committees:membership_committee_search"),
                empty_label="---------",
            )


class AccountCreateForm(SetPasswordMixin, MembershipForm):
    """A new account for a local committee, with its first membership."""

    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_(
            "Letters, digits and . @ + - _ only, e.g. longxuyen or nguyen.van.a"
        ),
        error_messages={"invalid": _("Use only letters, digits and . @ + - _")},
    )
    last_name = forms.CharField(label=_("Family and middle name"), max_length=150)
    first_name = forms.CharField(label=_("Given name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password1, password2 = SetPasswordMixin.create_password_fields()

    field_order = [
        "username",
        "last_name",
        "first_name",
        "email",
        "committee",
        "role",
        "password1",
        "password2",
    ]

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        return cleaned


class PasswordResetByStaffForm(SetPasswordMixin, StrictForm):
    """Provincial staff set a new password for a user who forgot theirs."""

    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("New password"), label2=_("New password confirmation")
    )

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        return cleaned


class ProfileForm(StrictForm):
    """A user's own details. Anything else posted (committee, role, is_staff…)
    is refused with a message and nothing is saved."""

    last_name = forms.CharField(label=_("Family and middle name"), max_length=150)
    first_name = forms.CharField(label=_("Given name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
