"""Members and invitations: who may change whose role, who may be removed, and invitation
links (created by an admin or the owner, accepted once, before they expire).

Rules, with roles ranked viewer < member < admin < owner:
- only an admin or the owner manages members and invitations;
- nobody grants a role above their own, or changes or removes someone whose role is above
  their own (an admin cannot make anyone owner, nor touch an owner);
- an organization always keeps an owner: the last one can be neither demoted nor removed.

An invitation's token is shown once, in the link; only its keyed hash (HMAC-SHA256 with
the server's pepper, as API keys) is stored, so the table alone lets nobody in.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .dashboard import ROLE_RANK
from .models import Invitation, Membership, Organization

OWNER = Membership.Role.OWNER
INVITATION_LIFETIME = timedelta(days=7)
_MAX_TOKEN_LENGTH = 64

LAST_OWNER = "The organization needs an owner: make someone else owner first."


class InvitationUnusable(Exception):
    """The link cannot be used: unknown (or revoked), already used, or expired."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def roles_up_to(role: str) -> list[tuple[str, str]]:
    """The roles someone with `role` may grant, highest first."""
    return [(value, label) for value, label in Membership.Role.choices if ROLE_RANK[value] <= ROLE_RANK[role]]


def can_manage(actor: Membership, target: Membership) -> bool:
    return ROLE_RANK[actor.role] >= ROLE_RANK[Membership.Role.ADMIN] and ROLE_RANK[target.role] <= ROLE_RANK[actor.role]


def _check_manager(actor: Membership, target: Membership | None = None, role: str | None = None) -> None:
    if ROLE_RANK[actor.role] < ROLE_RANK[Membership.Role.ADMIN]:
        raise PermissionDenied("Managing members needs the admin role.")
    if target is not None and target.organization_id != actor.organization_id:
        raise PermissionDenied("Not a member of your organization.")
    if target is not None and not can_manage(actor, target):
        raise PermissionDenied("You cannot change someone whose role is above yours.")
    if role is not None and ROLE_RANK[role] > ROLE_RANK[actor.role]:
        raise PermissionDenied("You cannot grant a role above your own.")


def _other_owners(target: Membership) -> int:
    # Locks the organization's owners, so two owners demoting each other at once
    # cannot leave none (PostgreSQL; SQLite serializes writers anyway).
    owners = Membership.objects.select_for_update().filter(organization_id=target.organization_id, role=OWNER)
    return sum(1 for owner in owners if owner.pk != target.pk)


@transaction.atomic
def membership_change_role(*, actor: Membership, target: Membership, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError("Select a valid role.")
    _check_manager(actor, target, role)
    if target.role == OWNER and role != OWNER and not _other_owners(target):
        raise ValidationError(LAST_OWNER)
    if target.role != role:
        target.role = role
        target.save(update_fields=["role"])
    return target


@transaction.atomic
def membership_remove(*, actor: Membership, target: Membership) -> None:
    _check_manager(actor, target)
    if target.role == OWNER and not _other_owners(target):
        raise ValidationError(LAST_OWNER)
    if target.pk == actor.pk:
        raise ValidationError("You cannot remove yourself: ask another admin or the owner.")
    target.delete()


def organization_rename(*, actor: Membership, name: str) -> Organization:
    if actor.role != OWNER:
        raise PermissionDenied("Only the owner can rename the organization.")
    organization = actor.organization
    organization.name = name
    organization.save(update_fields=["name"])  # moves the organization's generation (accounts/apps.py)
    return organization


# --- invitations ---


def hash_token(token: str) -> str:
    return hmac.new(settings.API_KEY_PEPPER.encode(), f"invitation:{token}".encode(), hashlib.sha256).hexdigest()


def invitation_create(*, actor: Membership, role: str, email: str = "") -> tuple[Invitation, str]:
    """A new invitation and its token (returned here once, never stored)."""
    if role not in Membership.Role.values:
        raise ValidationError("Select a valid role.")
    _check_manager(actor, role=role)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization_id=actor.organization_id,
        role=role,
        email=email,
        token_hash=hash_token(token),
        created_by=actor.user,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    return invitation, token


def invitation_revoke(*, actor: Membership, invitation: Invitation) -> None:
    _check_manager(actor)
    if invitation.organization_id != actor.organization_id:
        raise PermissionDenied("Not an invitation of your organization.")
    invitation.delete()


def pending_invitations(organization: Organization):
    return Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("created_by")


def invitation_usable(token: str) -> Invitation:
    """The invitation this token opens, or InvitationUnusable saying why not."""
    invitation = None
    if 0 < len(token) <= _MAX_TOKEN_LENGTH:
        invitation = Invitation.objects.filter(token_hash=hash_token(token)).select_related("organization").first()
    _check_usable(invitation)
    return invitation


def _check_usable(invitation: Invitation | None) -> None:
    if invitation is None:
        raise InvitationUnusable(
            "This invitation link is not valid: it may have been mistyped or revoked. Ask for a new one.", 404
        )
    if invitation.accepted_at is not None:
        raise InvitationUnusable("This invitation has already been used. Ask for a new one if you need it.", 410)
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable("This invitation has expired. Ask for a new one.", 410)


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Make `user` a member with the invitation's role; an invitation is used once."""
    if Membership.objects.filter(user=user, organization_id=invitation.organization_id).exists():
        raise InvitationUnusable(f"You are already a member of {invitation.organization}.", 400)
    now = timezone.now()
    # One conditional UPDATE: of two people accepting at once, only one gets it.
    claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=now).update(
        accepted_at=now, accepted_by=user
    )
    if not claimed:
        _check_usable(Invitation.objects.filter(pk=invitation.pk).first())
        raise InvitationUnusable("This invitation has expired. Ask for a new one.", 410)
    return Membership.objects.create(user=user, organization_id=invitation.organization_id, role=invitation.role)
