"""Forms of two-step verification: a code typed after the password, and the
code that confirms the set-up of the authenticator app."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.forms import StrictForm

_CODE_ATTRS = {
    # Phones offer the code from an SMS or the app; nothing to correct or save.
    "autocomplete": "one-time-code",
    "autocapitalize": "off",
    "autocorrect": "off",
    "spellcheck": "false",
}


class TwoFactorVerifyForm(StrictForm):
    """The step after the password: a code of the app or a recovery code."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        help_text=_(
            "The six digits the authenticator app shows now, or one of your "
            "recovery codes."
        ),
        widget=forms.TextInput(attrs=_CODE_ATTRS),
    )


class TwoFactorSetupForm(StrictForm):
    """The code the app shows once the QR code (or the secret) was added."""

    code = forms.CharField(
        label=_("Code shown by the app"),
        max_length=16,
        help_text=_("Six digits; a new code appears every 30 seconds."),
        widget=forms.TextInput(attrs={**_CODE_ATTRS, "inputmode": "numeric"}),
    )
