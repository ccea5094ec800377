"""Dashboard pages for status pages: the list, create and edit forms validated by the
API's own serializer (the same rules and the same messages) and saved through the
services the API calls, and delete after a confirmation.

The form's fields carry the API's names (`name`, `slug`, `accentColor`, `customDomain`…)
so its errors land next to them. Components are every monitor of the organization, each
with an "on the page" checkbox (`components`), a group (`group-<id>`) and a position
(`position-<id>`); "up" and "down" buttons reorder the rows without saving (pages.js does
it in place, without it the server renders the form again in the new order)."""

import base64

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.dashboard import api_context, dashboard_view, error_text
from accounts.models import Membership
from monitors.models import Monitor
from statusapp.api.exceptions import PlanLimitReached

from . import services, settings_fields
from .api.serializers import StatusPageSerializer
from .models import StatusPage

MEMBER = Membership.Role.MEMBER
PRIVACY = {
    "public": "Public: anyone with the link",
    "password": "Private, with a password",
    "members": "Private, for the organization's members only",
}
PASSWORD_NEEDED = "A page private with a password needs one: type it in, or choose another kind of privacy."  # noqa: S105 (a message)
BAD_POSITION = "Must be a whole number."


def privacy_of(page: StatusPage) -> str:
    if page.is_public:
        return "public"
    return "password" if page.password_hash else "members"


# --- the list ---


@dashboard_view()
def page_list(request):
    pages = (
        StatusPage.objects.filter(organization=request.organization)
        .annotate(component_count=Count("components"))
        .order_by("name", "id")
    )
    pages = list(pages)
    for page in pages:
        page.privacy = PRIVACY[privacy_of(page)]
        page.public_url = reverse("statuspages:page", kwargs={"slug": page.slug})
    context = {
        "section": "pages",
        "title": "Status pages",
        "pages": pages,
        "can_edit": request.membership.role != Membership.Role.VIEWER,
        "limit": request.organization.limits.status_pages,
        "plan": request.organization.get_plan_display(),
    }
    return render(request, "pages/list.html", context)


# --- the form's components ---


def _position(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.lstrip("-").isdigit() and len(value) < 7 else None


def _component_rows(request, page: StatusPage | None, post=None) -> list[dict]:
    """Every monitor of the organization as a row of the form, in display order: the
    page's components first (in their order), then the others by name; a posted form in
    the order of its positions."""
    monitors = list(
        Monitor.objects.filter(organization=request.organization)
        .only("id", "name", "type", "status")
        .order_by("name", "id")
    )
    if post is None:
        chosen = {component.monitor_id: component for component in page.components.all()} if page else {}
        rows = [
            {
                "monitor": monitor,
                "on": monitor.id in chosen,
                "group": chosen[monitor.id].group if monitor.id in chosen else "",
            }
            for monitor in monitors
        ]
        rows.sort(key=lambda row: (0, chosen[row["monitor"].id].position) if row["on"] else (1, 0))
        for number, row in enumerate(rows, 1):
            row["position"] = str(number)
        return rows
    checked = set(post.getlist("components"))
    rows = [
        {
            "monitor": monitor,
            "on": monitor.id in checked,
            "group": post.get(f"group-{monitor.id}", ""),
            "position": post.get(f"position-{monitor.id}", "").strip(),
        }
        for monitor in monitors
    ]
    unplaced = float("inf")
    rows.sort(key=lambda row: position if (position := _position(row["position"])) is not None else unplaced)
    return rows


def _move(rows: list[dict], move: str) -> None:
    """Swap a row with its neighbour ("<monitor id>:up" or ":down") and number them all again."""
    monitor_id, _, direction = move.rpartition(":")
    index = next((i for i, row in enumerate(rows) if row["monitor"].id == monitor_id), None)
    if index is not None:
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
    for number, row in enumerate(rows, 1):
        row["position"] = str(number)


# --- create and edit ---


def _errors(serializer_errors: dict, chosen: list[str]) -> dict[str, str]:
    """The serializer's errors by form field; a component's error goes next to its group."""
    errors = {}
    for name, detail in serializer_errors.items():
        if name == "components" and isinstance(detail, dict):
            for index, messages_ in detail.items():
                errors[f"group-{chosen[int(index)]}"] = error_text(messages_)
        else:
            errors[name] = error_text(detail)
    return errors


def _api_data(request, page: StatusPage | None, rows: list[dict]) -> tuple[dict, dict[str, str]]:
    """The form as the API's body, and the errors only the form can make (privacy,
    positions). A blank slug makes one from the name on a new page (an edited page keeps
    needing one); blank description and custom domain mean none; a blank password and
    no logo file keep the current ones."""
    post, errors = request.POST, {}
    data = {
        "name": post.get("name", ""),
        "description": post.get("description", ""),
        "accentColor": post.get("accentColor", ""),
        "customDomain": post.get("customDomain", "").strip() or None,
        "notifyAutomaticIncidents": "notifyAutomaticIncidents" in post,
    }
    slug = post.get("slug", "").strip()
    if slug or page is not None:
        data["slug"] = slug

    privacy = post.get("privacy", "")
    if privacy not in PRIVACY:
        errors["privacy"] = "Choose who may see the page."
    data["isPublic"] = privacy == "public"
    password = post.get("password", "")
    if privacy == "members":
        data["password"] = ""  # else whoever has the old password still gets in
    elif password:
        data["password"] = password
    elif "removePassword" in post:
        data["password"] = ""
    has_password = bool(data["password"]) if "password" in data else bool(page and page.password_hash)
    if privacy == "password" and not has_password:
        errors["password"] = PASSWORD_NEEDED

    upload = request.FILES.get("logo")
    if upload is not None:
        # A byte over the limit is enough for the API's own "at most 128 KB"; the claimed
        # type is not trusted anyway (the image is known by its first bytes).
        content = upload.read(settings_fields.MAX_LOGO_BYTES + 1)
        data["logo"] = "data:image/upload;base64," + base64.b64encode(content).decode()

    components = []
    for row in rows:
        if row["on"]:
            if _position(row["position"]) is None:
                errors[f"position-{row['monitor'].id}"] = BAD_POSITION
            components.append({"id": row["monitor"].id, "group": row["group"]})
    data["components"] = components
    return data, errors


def _save(request, page: StatusPage | None, rows: list[dict]):
    data, errors = _api_data(request, page, rows)
    serializer = StatusPageSerializer(page, data=data, partial=page is not None, context=api_context(request))
    if not serializer.is_valid():
        errors = _errors(serializer.errors, [entry["id"] for entry in data["components"]]) | errors
    if errors:
        return None, errors
    fields = dict(serializer.validated_data)
    if "logo" not in data and "removeLogo" in request.POST:
        # Not sent as "logo": "" because the serializer passes "" through unconverted
        # (CharField skips to_internal_value for blanks) and the service needs a tuple.
        fields["logo"] = settings_fields.logo_from_data_url("")
    try:
        if page is None:
            return services.status_page_create(organization=request.organization, **fields), {}
        return services.status_page_update(page=page, **fields), {}
    except PlanLimitReached as exc:
        return None, {"nonFieldErrors": str(exc.detail)}


def _form_values(page: StatusPage | None, post=None) -> dict:
    if post is not None:
        values = {name: post.get(name, "") for name in ("name", "slug", "description", "accentColor", "customDomain")}
        return values | {
            "privacy": post.get("privacy", ""),
            "removeLogo": "removeLogo" in post,
            "notifyAutomaticIncidents": "notifyAutomaticIncidents" in post,
        }
    if page is None:
        return {"accentColor": StatusPage._meta.get_field("accent_color").default, "privacy": "public"}
    return {
        "name": page.name,
        "slug": page.slug,
        "description": page.description,
        "accentColor": page.accent_color,
        "customDomain": page.custom_domain or "",
        "privacy": privacy_of(page),
        "notifyAutomaticIncidents": page.notify_automatic_incidents,
    }


def _logo_help(page: StatusPage | None, was_chosen: bool) -> str:
    help_text = f"A PNG, JPEG, GIF or WebP image of at most {settings_fields.MAX_LOGO_BYTES // 1024} KB."
    if page is not None and page.logo_type:
        help_text += " Leave it empty to keep the current one."
    if was_chosen:
        help_text += " Choose the file again: a form shown again does not keep it."
    return help_text


def _verify_domain(request, page: StatusPage) -> None:
    result = services.verify_custom_domain(page=page)
    if result.verified:
        messages.success(request, f"{page.custom_domain} is verified: it now serves this page.")
    else:
        messages.error(request, result.detail)


def _form(request, page: StatusPage | None):
    errors, status = {}, 200
    post = request.POST if request.method == "POST" else None
    rows = _component_rows(request, page, post)
    if post is not None:
        if post.get("move"):
            _move(rows, post["move"])
        elif post.get("verifyDomain") and page is not None:
            _verify_domain(request, page)  # like a move: the form comes back as it was typed
        else:
            saved, errors = _save(request, page, rows)
            if saved is not None:
                messages.success(request, f"Status page “{saved.name}” saved.")
                return redirect("pages:list")
            status = 400
    for row in rows:
        monitor_id = row["monitor"].id
        row["group_error"] = errors.get(f"group-{monitor_id}", "")
        row["position_error"] = errors.get(f"position-{monitor_id}", "")
    context = {
        "section": "pages",
        "title": "New status page" if page is None else f"Edit {page.name}",
        "page": page,
        "public_url": reverse("statuspages:page", kwargs={"slug": page.slug}) if page else None,
        "values": _form_values(page, post),
        "errors": errors,
        "rows": rows,
        "privacy_choices": list(PRIVACY.items()),
        "logo_help": _logo_help(page, request.FILES.get("logo") is not None),
    }
    return render(request, "pages/form.html", context, status=status)


@dashboard_view(MEMBER)
def page_create(request):
    return _form(request, None)


@dashboard_view(MEMBER)
def page_edit(request, page_id: str):
    return _form(request, get_object_or_404(StatusPage, pk=page_id, organization=request.organization))


@dashboard_view(MEMBER)
def page_delete(request, page_id: str):
    page = get_object_or_404(StatusPage, pk=page_id, organization=request.organization)
    if request.method == "POST":
        services.status_page_delete(page=page)
        messages.success(request, f"Status page “{page.name}” deleted.")
        return redirect("pages:list")
    context = {
        "section": "pages",
        "title": "Delete status page",
        "page": page,
        "public_url": reverse("statuspages:page", kwargs={"slug": page.slug}),
        "subscriber_count": page.subscribers.filter(unsubscribed_at__isnull=True).count(),
    }
    return render(request, "pages/confirm_delete.html", context)
