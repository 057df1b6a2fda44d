"""Reads for two-step verification (xác thực hai bước): who must use it, and
what a user has set up. The devices themselves are django-otp's: a TOTP
device (the authenticator app) and a static device holding the recovery codes.
"""

from __future__ import annotations

from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from campaign.committees import access
from campaign.committees.choices import MembershipRole
from campaign.committees.models import User

# Roles whose accounts must use two-step verification when the deployment
# asks for it (TWO_FACTOR_REQUIRED): provincial staff change everything, and
# leaders read everything in their scope and take its reports away.
TWO_FACTOR_ROLES = frozenset({MembershipRole.PROVINCIAL_STAFF, MembershipRole.LEADER})


def two_factor_required_for(user: User | AnonymousUser) -> bool:
    """Whether the user must pass two-step verification: when the deployment
    requires it, for provincial staff, leaders, superusers (the admin) and any
    account with staff status."""
    if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return any(g.role in TWO_FACTOR_ROLES for g in access.access_for(user).grants)


def two_factor_enabled(user: User) -> bool:
    """Whether the user has a confirmed device (the app or recovery codes)."""
    return user_has_device(user, confirmed=True)


@dataclass(frozen=True)
class TwoFactorStatus:
    enabled: bool
    required: bool
    recovery_codes_left: int


def two_factor_status_for_self(*, user: User) -> TwoFactorStatus:
    """What the user's own settings page shows."""
    return TwoFactorStatus(
        enabled=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        required=two_factor_required_for(user),
        recovery_codes_left=StaticToken.objects.filter(
            device__user=user, device__confirmed=True
        ).count(),
    )


def totp_setup_uri(*, user: User, key: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code,
    for a secret not stored yet."""
    device = TOTPDevice(user=user, key=key)
    return device.config_url


def totp_secret_for_typing(key: str) -> str:
    """The secret in base32, in groups of four, for typing into the app."""
    text = b32encode(unhexlify(key)).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
