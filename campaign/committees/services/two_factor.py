"""Writes for two-step verification (xác thực hai bước): setting up the
authenticator app, checking a code after the password, the recovery codes,
turning it off, and staff resetting it for a user who lost their phone.

A code of the app is accepted once: the device keeps the time step of the last
code it accepted and refuses that step and every earlier one, so a code seen
over someone's shoulder is useless once used (the code that confirmed the set-up
included). A recovery code is deleted when it is used. Wrong codes slow the
next try down (django-otp's throttling: 1, 2, 4, 8 … seconds).
"""

from __future__ import annotations

import datetime
import re
import time
from binascii import unhexlify
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from campaign.committees import access, audit
from campaign.committees.access import Actor, Capability
from campaign.committees.choices import AuditAction
from campaign.committees.models import User
from campaign.committees.selectors.accounts import account_get_for_user
from campaign.committees.selectors.two_factor import two_factor_required_for
from campaign.committees.services.accounts import CANNOT_CHANGE_SUPERUSER

RECOVERY_CODE_COUNT = 10
# The app's device, as the user sees it in lists.
DEVICE_NAME = "authenticator"

WRONG_SETUP_CODE = _(
    "This code is not right. Check that the phone's clock is set automatically "
    "and type the code the app shows now."
)
NO_DEVICE = _("Two-step verification is not set up for this account.")
STILL_REQUIRED = _(
    "Two-step verification is required for your role and cannot be turned off. "
    "To use another phone, set it up again."
)

_TOTP_CODE = re.compile(r"^\d{6}$")


def totp_key_new() -> str:
    """A new secret for the authenticator app (20 random bytes, hex)."""
    return default_key()


def normalise_code(code: str) -> str:
    """Spaces and dashes are for reading; recovery codes are lower case."""
    return re.sub(r"[\s-]", "", code).lower()


def _devices_delete(user: User) -> bool:
    """Remove every device of the user; whether there was one."""
    had = TOTPDevice.objects.filter(user=user).exists()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return had


def _recovery_codes_new(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


def _record(action: str, *, by: Actor, user: User) -> None:
    audit.record(
        action=action,
        by=by,
        object_label=user.get_username(),
        link=("committees:account_detail", user.pk),
        subject_user=user,
    )


def _lock(user: User) -> User:
    """The user's row, locked: two set-ups at once end with one device."""
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def two_factor_enable(
    *, user: User, key: str, code: str
) -> tuple[TOTPDevice, list[str]]:
    """Set up the authenticator app with ``key`` once the user typed a code it
    shows, replacing any device the user had, and make new recovery codes.
    The user's other sessions end (the session epoch moves on; the view keeps
    the current one). Returns the device and the codes (shown to the user
    once, never again)."""
    code = normalise_code(code)
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    if not _TOTP_CODE.match(code) or not totp.verify(int(code), tolerance=1):
        raise ValidationError(WRONG_SETUP_CODE, code="wrong_code")
    user = _lock(user)
    _devices_delete(user)
    device = TOTPDevice(
        user=user,
        name=DEVICE_NAME,
        key=key,
        confirmed=True,
        drift=totp.drift,
        # The code just typed is used: the verification step refuses it.
        last_t=totp.t(),
    )
    device.full_clean(exclude=["user"])
    device.save()
    codes = _recovery_codes_new(user)
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    _record(AuditAction.TWO_FACTOR_ENABLED, by=user, user=user)
    return device, codes


@dataclass(frozen=True)
class Verification:
    """The result of a code typed after the password."""

    device: Device | None
    # Set when wrong codes came too fast: no code is checked before then.
    retry_at: datetime.datetime | None = None


def _throttled_until(device: Device) -> datetime.datetime | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    return (data or {}).get("locked_until")


@transaction.atomic
def two_factor_verify(*, user: User, code: str) -> Verification:
    """Check a code of the app (six digits) or a recovery code; the device that
    accepted it, or none. The devices are locked while the code is checked, so
    the same code sent twice at once is accepted once."""
    code = normalise_code(code)
    model = TOTPDevice if _TOTP_CODE.match(code) else StaticDevice
    devices = model.objects.filter(user=user, confirmed=True).select_for_update()
    retry_at = None
    for device in devices:
        waiting = _throttled_until(device)
        if waiting is not None:
            retry_at = waiting
            continue
        if device.verify_token(code):
            return Verification(device=device)
    return Verification(device=None, retry_at=retry_at)


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes for a user who has the app set up; the old ones stop
    working."""
    user = _lock(user)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(NO_DEVICE, code="no_device")
    codes = _recovery_codes_new(user)
    _record(AuditAction.RECOVERY_CODES_RENEWED, by=user, user=user)
    return codes


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    """The user turns two-step verification off — only when their role does
    not require it."""
    if two_factor_required_for(user):
        raise ValidationError(STILL_REQUIRED, code="required")
    user = _lock(user)
    if not _devices_delete(user):
        raise ValidationError(NO_DEVICE, code="no_device")
    _record(AuditAction.TWO_FACTOR_DISABLED, by=user, user=user)


@transaction.atomic
def two_factor_reset(*, user: User, by: Actor) -> User:
    """Provincial staff remove the devices of a user who lost their phone and
    their recovery codes. The user's open sessions end (whoever holds the phone
    holds no session either); at the next sign-in they set it up again if their
    role requires it."""
    access.require(by, Capability.MANAGE_ACCOUNTS)
    user = account_get_for_user(user=by, pk=user.pk, for_update=True)
    if user.is_superuser and not by.is_superuser:
        raise ValidationError(CANNOT_CHANGE_SUPERUSER, code="superuser")
    if not _devices_delete(user):
        raise ValidationError(NO_DEVICE, code="no_device")
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    _record(AuditAction.TWO_FACTOR_RESET, by=by, user=user)
    return user
