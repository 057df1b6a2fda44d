"""Writes for user accounts and their memberships (managed by provincial staff)."""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from campaign.committees import access
from campaign.committees.choices import MembershipRole
from campaign.committees.models import Membership, SteeringCommittee

DUPLICATE_MEMBERSHIP = _("This user already has a role in this committee.")
CANNOT_DEACTIVATE_SELF = _("You cannot deactivate your own account.")
CANNOT_CHANGE_SUPERUSER = _(
    "Administrator accounts are managed by the system administrator."
)
USERNAME_TAKEN = _("This user name is already taken.")


@transaction.atomic
def membership_add(
    *,
    user: AbstractBaseUser,
    committee: SteeringCommittee,
    role: str,
    by: AbstractBaseUser | None,
) -> Membership:
    if Membership.objects.filter(user=user, committee=committee).exists():
        raise ValidationError(DUPLICATE_MEMBERSHIP, code="duplicate")
    membership = Membership(
        user=user, committee=committee, role=MembershipRole(role), created_by=by
    )
    membership.full_clean()
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:  # a concurrent request added the same one
        raise ValidationError(DUPLICATE_MEMBERSHIP, code="duplicate") from None
    access.forget(user)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: AbstractBaseUser) -> None:
    membership.delete()
    access.forget(membership.user)


@transaction.atomic
def account_create(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    committee: SteeringCommittee,
    role: str,
    by: AbstractBaseUser,
) -> AbstractBaseUser:
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": USERNAME_TAKEN})
    user = user_model(
        username=username, first_name=first_name, last_name=last_name, email=email
    )
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    membership_add(user=user, committee=committee, role=role, by=by)
    return user


def _guard(user: AbstractBaseUser, by: AbstractBaseUser) -> None:
    if user.is_superuser and not by.is_superuser:
        raise ValidationError(CANNOT_CHANGE_SUPERUSER, code="superuser")


@transaction.atomic
def account_set_password(
    *, user: AbstractBaseUser, password: str, by: AbstractBaseUser
) -> AbstractBaseUser:
    """Set a new password; the user's open sessions end with it."""
    _guard(user, by)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def account_set_active(
    *, user: AbstractBaseUser, active: bool, by: AbstractBaseUser
) -> AbstractBaseUser:
    """Deactivate or reactivate an account. A deactivated user's open sessions
    stop working at their next request (Django refuses inactive users)."""
    _guard(user, by)
    if not active and user.pk == by.pk:
        raise ValidationError(CANNOT_DEACTIVATE_SELF, code="self")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def profile_update(
    *, user: AbstractBaseUser, first_name: str, last_name: str, email: str
) -> AbstractBaseUser:
    """A user's own changes: their name and e-mail — nothing that grants access."""
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.email = email.strip()
    user.full_clean(exclude=["password", "username"])
    user.save(update_fields=["first_name", "last_name", "email"])
    return user
