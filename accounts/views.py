"""Dashboard entry: first-run setup, sign-up (when allowed), login and logout, password
change and reset (Django's views with our templates), and the home page."""

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .dashboard import dashboard_view
from .forms import SetupForm, free_slug
from .models import Membership, Organization
from .plans import Plan
from .signals import organization_created


def _create_owner(form: SetupForm):
    data = form.cleaned_data
    with transaction.atomic():
        user = get_user_model().objects.create_user(data["username"], data["email"], data["password"])
        organization = Organization.objects.create(
            name=data["organization"], slug=free_slug(data["organization"]), plan=Plan.FREE
        )
        Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
        organization_created.send(sender=Organization, organization=organization, owner=user)
    return user


@require_http_methods(["GET", "POST"])
def setup(request):
    """Offered while no user exists (the first run), like Uptime Kuma's setup screen."""
    if get_user_model().objects.exists():
        return redirect("accounts:home")
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, _create_owner(form), backend="django.contrib.auth.backends.ModelBackend")
        return redirect("accounts:home")
    return render(request, "accounts/setup.html", {"form": form, "first_run": True})


@require_http_methods(["GET", "POST"])
def signup(request):
    """A new organization and its owner, when STATUSAPP_ALLOW_SIGNUP is on."""
    if not settings.STATUSAPP_ALLOW_SIGNUP:
        raise Http404("Sign-up is off.")
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, _create_owner(form), backend="django.contrib.auth.backends.ModelBackend")
        return redirect("accounts:home")
    return render(request, "accounts/setup.html", {"form": form, "first_run": False})


def home(request):
    if not get_user_model().objects.exists():
        return redirect("accounts:setup")
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    return redirect("overview")  # by name: the overview lives in a layer above accounts


@dashboard_view()
def switch_organization(request, organization_id: str):
    if request.method != "POST":
        raise Http404
    if not Membership.objects.filter(user=request.user, organization_id=organization_id).exists():
        raise Http404("Not a member of that organization.")
    request.session["organization_id"] = organization_id
    return redirect("accounts:home")
