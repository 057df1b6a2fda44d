"""Writes for user accounts and their memberships (managed by provincial staff).

Every service checks the actor's capability and re-reads the account or the
committee through the actor's scope, and records what it did in the audit
trail: who granted or removed a role, who created, deactivated or reactivated
an account, who set a password.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from campaign.committees import access, audit
from campaign.committees.access import SYSTEM, Actor, Capability, SystemActor
from campaign.committees.choices import AuditAction, MembershipRole
from campaign.committees.models import Membership, SteeringCommittee, User
from campaign.committees.selectors.accounts import (
    account_get_for_user,
    membership_get_for_user,
)
from campaign.committees.selectors.committees import committee_get_for_user

DUPLICATE_MEMBERSHIP = _("This user already has a role in this committee.")
CANNOT_DEACTIVATE_SELF = _("You cannot deactivate your own account.")
CANNOT_CHANGE_SUPERUSER = _(
    "Administrator accounts are managed by the system administrator."
)
USERNAME_TAKEN = _("This user name is already taken.")


def _record(
    action: str, *, by: Actor, user: User, label: str = "", **extra: Any
) -> None:
    """An entry about ``user``'s account, linked to its page."""
    audit.record(
        action=action,
        by=by,
        object_label=label or user.get_username(),
        link=("committees:account_detail", user.pk),
        subject_user=user,
        **extra,
    )


def _membership_label(membership: Membership) -> str:
    return f"{membership.user.get_username()} — {membership.committee.short_name}"


def _account(by: Actor, user: User) -> User:
    """The account re-read through the actor's scope, locked for the change."""
    if by is SYSTEM:
        return get_user_model().objects.select_for_update().get(pk=user.pk)
    return account_get_for_user(user=by, pk=user.pk, for_update=True)


def _committee(by: Actor, committee: SteeringCommittee) -> SteeringCommittee:
    if by is SYSTEM:
        return committee
    return committee_get_for_user(user=by, pk=committee.pk)


@transaction.atomic
def membership_add(
    *,
    user: User,
    committee: SteeringCommittee,
    role: str,
    by: Actor,
) -> Membership:
    access.require(by, Capability.MANAGE_ACCOUNTS)
    user = _account(by, user)
    committee = _committee(by, committee)
    if Membership.objects.filter(user=user, committee=committee).exists():
        raise ValidationError(DUPLICATE_MEMBERSHIP, code="duplicate")
    membership = Membership(
        user=user,
        committee=committee,
        role=MembershipRole(role),
        created_by=None if isinstance(by, SystemActor) else by,
    )
    membership.full_clean()
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:  # a concurrent request added the same one
        raise ValidationError(DUPLICATE_MEMBERSHIP, code="duplicate") from None
    _record(
        AuditAction.MEMBERSHIP_GRANTED,
        by=by,
        user=user,
        label=_membership_label(membership),
        changes=audit.created(membership, ("committee", "role")),
    )
    access.forget(user)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: Actor) -> None:
    access.require(by, Capability.MANAGE_ACCOUNTS)
    current = membership_get_for_user(user=by, pk=membership.pk, for_update=True)
    label = _membership_label(current)
    diff = audit.removed(current, ("committee", "role"))
    user = current.user
    current.delete()
    _record(AuditAction.MEMBERSHIP_REMOVED, by=by, user=user, label=label, changes=diff)
    access.forget(user)


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
    by: Actor,
) -> User:
    access.require(by, Capability.MANAGE_ACCOUNTS)
    committee = _committee(by, committee)
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
    _record(
        AuditAction.ACCOUNT_CREATED,
        by=by,
        user=user,
        changes=audit.created(user, ("username", "last_name", "first_name", "email")),
    )
    membership_add(user=user, committee=committee, role=role, by=by)
    return user


def _guard(user: User, by: Actor) -> None:
    if user.is_superuser and not by.is_superuser:
        raise ValidationError(CANNOT_CHANGE_SUPERUSER, code="superuser")


@transaction.atomic
def account_set_password(*, user: User, password: str, by: Actor) -> User:
    """Set a new password; the user's open sessions end with it."""
    access.require(by, Capability.MANAGE_ACCOUNTS)
    user = _account(by, user)
    _guard(user, by)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _record(AuditAction.PASSWORD_RESET, by=by, user=user)
    return user


@transaction.atomic
def account_set_active(*, user: User, active: bool, by: Actor) -> User:
    """Deactivate or reactivate an account. Either way its open sessions end:
    a deactivated user's at once, and reactivating an account never revives a
    session opened before it was deactivated (the session epoch moves on)."""
    access.require(by, Capability.MANAGE_ACCOUNTS)
    user = _account(by, user)
    _guard(user, by)
    if not active and user.pk == getattr(by, "pk", None):
        raise ValidationError(CANNOT_DEACTIVATE_SELF, code="self")
    if user.is_active == active:
        return user
    user.is_active = active
    user.session_epoch += 1
    user.save(update_fields=["is_active", "session_epoch"])
    _record(
        AuditAction.ACCOUNT_REACTIVATED if active else AuditAction.ACCOUNT_DEACTIVATED,
        by=by,
        user=user,
    )
    access.forget(user)
    return user


@transaction.atomic
def profile_update(*, user: User, first_name: str, last_name: str, email: str) -> User:
    """A user's own changes: their name and e-mail — nothing that grants access."""
    fields = ("last_name", "first_name", "email")
    before = audit.snapshot(user, fields)
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.email = email.strip()
    user.full_clean(exclude=["password", "username"])
    user.save(update_fields=["first_name", "last_name", "email"])
    diff = audit.changes(user, before)
    if diff:
        _record(AuditAction.PROFILE_UPDATED, by=user, user=user, changes=diff)
    return user


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The user's own password change (the old one checked by the form); their
    other sessions end with the old password."""
    if not user.check_password(old_password):
        raise PermissionDenied
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _record(AuditAction.PASSWORD_CHANGED, by=user, user=user)
    return user
