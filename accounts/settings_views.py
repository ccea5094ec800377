"""Dashboard pages for the organization, mounted at /settings/: its name (the owner edits
it), its plan with the plan's limits and what is used of them, the current hour's API
requests against the hourly limit; the members with their roles (admins and the owner
change roles and remove members); invitation links, and the page that accepts one. Also
the signed-in person's own preferences (their time zone), whatever their organization.

The rules (who may grant which role, the last owner) live in accounts/invitations.py."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import invitations, preferences, usage
from .dashboard import SESSION_KEY, can, dashboard_view
from .forms import PreferencesForm, SetupForm
from .models import Invitation, Membership

OWNER, ADMIN = Membership.Role.OWNER, Membership.Role.ADMIN


class OrganizationForm(forms.Form):
    name = forms.CharField(label="Organization name", max_length=200)


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email (optional)",
        max_length=254,
        required=False,
        help_text="Whom the link is for, as a reminder; the link itself works for whoever opens it.",
    )
    role = forms.ChoiceField(initial=Membership.Role.MEMBER)

    def __init__(self, *args, roles: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles


class JoinForm(SetupForm):
    """A new account for someone holding an invitation: SetupForm's rules, no organization."""

    organization = None


# --- the organization ---


def _limits(organization) -> list[dict]:
    limits = organization.limits
    rows = [
        ("Monitors", organization.monitors.count(), limits.monitors),
        ("Status pages", organization.status_pages.count(), limits.status_pages),
        ("Webhook endpoints", organization.webhook_endpoints.count(), limits.webhooks),
        ("Alert channels", organization.alert_channels.count(), limits.alert_channels),
    ]
    return [{"label": label, "used": used, "limit": limit} for label, used, limit in rows]


@require_http_methods(["GET", "POST"])
@dashboard_view()
def organization(request):
    organization = request.organization
    is_owner = request.membership.role == OWNER
    form = OrganizationForm(initial={"name": organization.name})
    status = 200
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied("Only the owner can rename the organization.")
        form = OrganizationForm(request.POST)
        if form.is_valid():
            invitations.organization_rename(actor=request.membership, name=form.cleaned_data["name"])
            messages.success(request, "Organization renamed.")
            return redirect("settings:organization")
        status = 400
    context = {
        "section": "settings",
        "tab": "organization",
        "title": "Organization",
        "organization": organization,
        "form": form,
        "is_owner": is_owner,
        "limits": _limits(organization),
        "requests_per_hour": organization.requests_per_hour,
        "usage": usage.current(organization.id),
    }
    return render(request, "settings/organization.html", context, status=status)


# --- the person's own preferences ---


@require_http_methods(["GET", "POST"])
@login_required
def preferences_page(request):
    form = PreferencesForm(request.POST or None, initial={"time_zone": preferences.time_zone_of(request.user.pk)})
    if request.method == "POST" and form.is_valid():
        profile = preferences.time_zone_set(user=request.user, time_zone=form.cleaned_data["time_zone"])
        messages.success(request, f"Times are now shown in {profile.time_zone}.")
        return redirect("settings:preferences")
    context = {"section": "settings", "tab": "preferences", "title": "Your preferences", "form": form}
    return render(request, "settings/preferences.html", context, status=400 if form.is_bound else 200)


# --- members ---


def _members_page(request, *, invite_form=None, row_errors=None, status=200):
    actor = request.membership
    is_admin = can(actor, ADMIN)
    memberships = list(
        Membership.objects.filter(organization=request.organization).select_related("user").order_by("created_at")
    )
    for membership in memberships:
        membership.manageable = is_admin and invitations.can_manage(actor, membership)
        membership.error = (row_errors or {}).get(membership.pk)
    roles = invitations.roles_up_to(actor.role)
    context = {
        "section": "settings",
        "tab": "members",
        "title": "Members",
        "memberships": memberships,
        "is_admin": is_admin,
        "roles": roles,
        "invite_form": invite_form or (InvitationForm(roles=roles) if is_admin else None),
        "pending": list(invitations.pending_invitations(request.organization)) if is_admin else [],
    }
    return render(request, "settings/members.html", context, status=status)


@dashboard_view()
def members(request):
    return _members_page(request)


@require_POST
@dashboard_view(ADMIN)
def member_role(request, membership_id: int):
    target = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organization=request.organization
    )
    try:
        invitations.membership_change_role(actor=request.membership, target=target, role=request.POST.get("role", ""))
    except ValidationError as exc:
        return _members_page(request, row_errors={target.pk: " ".join(exc.messages)}, status=400)
    messages.success(request, f"{target.user.get_username()} is now {target.get_role_display().lower()}.")
    return redirect("settings:members")


@require_http_methods(["GET", "POST"])
@dashboard_view(ADMIN)
def member_remove(request, membership_id: int):
    target = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organization=request.organization
    )
    if not invitations.can_manage(request.membership, target):
        raise PermissionDenied("You cannot remove someone whose role is above yours.")
    error, status = "", 200
    if request.method == "POST":
        try:
            invitations.membership_remove(actor=request.membership, target=target)
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        else:
            messages.success(request, f"{target.user.get_username()} removed.")
            return redirect("settings:members")
    context = {"section": "settings", "title": "Remove member", "target": target, "error": error}
    return render(request, "settings/confirm_remove.html", context, status=status)


# --- invitations ---


@never_cache
@require_POST
@dashboard_view(ADMIN)
def invitation_create(request):
    form = InvitationForm(request.POST, roles=invitations.roles_up_to(request.membership.role))
    if not form.is_valid():
        return _members_page(request, invite_form=form, status=400)
    invitation, token = invitations.invitation_create(
        actor=request.membership, role=form.cleaned_data["role"], email=form.cleaned_data["email"]
    )
    context = {
        "section": "settings",
        "title": "Invitation link",
        "invitation": invitation,
        "link": request.build_absolute_uri(reverse("settings:accept", args=[token])),
    }
    return render(request, "settings/invitation_created.html", context)


@require_POST
@dashboard_view(ADMIN)
def invitation_revoke(request, invitation_id: str):
    invitation = get_object_or_404(
        Invitation, pk=invitation_id, organization=request.organization, accepted_at__isnull=True
    )
    invitations.invitation_revoke(actor=request.membership, invitation=invitation)
    messages.success(request, "Invitation revoked: its link no longer works.")
    return redirect("settings:members")


def _unusable(request, problem: invitations.InvitationUnusable):
    context = {"title": "Invitation", "message": problem.message}
    return render(request, "settings/invitation_problem.html", context, status=problem.status)


def _joined(request, membership: Membership):
    request.session[SESSION_KEY] = membership.organization_id
    messages.success(
        request, f"Welcome to {membership.organization.name}: you joined as {membership.get_role_display().lower()}."
    )
    return redirect("accounts:home")


@never_cache
@require_http_methods(["GET", "POST"])
def accept(request, token: str):
    """The invitation link: a signed-in person joins with one click; a visitor first
    creates an account (or logs in and comes back)."""
    try:
        invitation = invitations.invitation_usable(token)
    except invitations.InvitationUnusable as problem:
        return _unusable(request, problem)
    context = {"title": f"Join {invitation.organization.name}", "invitation": invitation}
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = invitations.invitation_accept(invitation=invitation, user=request.user)
            except invitations.InvitationUnusable as problem:
                return _unusable(request, problem)
            return _joined(request, membership)
        context["already"] = Membership.objects.filter(
            user=request.user, organization_id=invitation.organization_id
        ).exists()
        return render(request, "settings/accept.html", context)

    form = JoinForm(request.POST or None, initial={"email": invitation.email})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(data["username"], data["email"], data["password"])
                membership = invitations.invitation_accept(invitation=invitation, user=user)
        except invitations.InvitationUnusable as problem:
            return _unusable(request, problem)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return _joined(request, membership)
    context["form"] = form
    return render(request, "settings/accept.html", context, status=400 if form.is_bound else 200)
