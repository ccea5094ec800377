"""The public status page: /status/<slug>/ with its history, incident pages, logo, the
Statuspage-compatible JSON under api/v2/, the Atom and RSS feeds and the badges.

No API key: public pages are for anyone, private ones check access first (access.py).
Every response is built once per change (page_cache.py) and carries an ETag and a
Last-Modified, so clients revalidate with a 304.
"""

from collections.abc import Callable
from functools import wraps

import orjson
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.client_address import client_address
from incidents.models import Incident

from . import access, badges, feeds, page_cache, snapshot, statuspage_json
from .bars import bar
from .models import StatusPage

HISTORY_LIMIT = 200
TOO_MANY_GUESSES = "Too many wrong passwords. Try again later."
FEED_LIMIT = 50  # incidents in incidents.json and the feeds
JSON = "application/json"
HTML = "text/html; charset=utf-8"
# No inline script or style anywhere on these pages; the logo is same-origin.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
}


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "statuspages/not_found.html", {"message": "There is no status page here."}, status=404)


def public_page(view: Callable) -> Callable:
    """Look the page up, check access, and call `view(request, page, generation, **kwargs)`."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:
        page, current = access.find(slug.lower())
        if page is None:
            return _not_found(request)
        if not access.allowed(request, page):
            if not page.password_hash:
                return render(request, "statuspages/members_only.html", {"page": page}, status=403)
            if request.method != "POST":
                return _password_form(request, page)
            try:
                password = request.POST.get("password", "")
                matches = access.password_matches(page, password, client_address(request))
            except access.GuessesRefused as refused:
                response = _password_form(request, page, TOO_MANY_GUESSES, status=429)
                response["Retry-After"] = str(refused.retry_after)
                return response
            if not matches:
                return _password_form(request, page, "That password is not right.")
            response = HttpResponseRedirect(request.path)
            response.set_cookie(
                access.cookie_name(page),
                access.password_token(page),
                max_age=30 * 86400,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
            return response
        if request.method == "POST":  # a password sent again, or a stale form
            return HttpResponseRedirect(request.path)
        response = view(request, page, current, **kwargs)
        for name, value in SECURITY_HEADERS.items():
            response.setdefault(name, value)
        return response

    return csrf_exempt(require_http_methods(["GET", "HEAD", "POST"])(wrapper))


def _password_form(request: HttpRequest, page: StatusPage, error: str = "", status: int = 401) -> HttpResponse:
    response = render(request, "statuspages/password.html", {"page": page, "error": error}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _cached(request, page: StatusPage, current, name: str, build: Callable[[], tuple[bytes, str]]) -> HttpResponse:
    entry = page_cache.get(f"{page.slug}:{name}:{request.get_host()}", current, build)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    etags = request.headers.get("If-None-Match")
    if (etags is not None and entry.etag in [tag.strip() for tag in etags.split(",")]) or (
        etags is None and since is not None and since >= int(entry.built_at)
    ):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(entry.body, content_type=entry.content_type)
    response["ETag"] = entry.etag
    response["Last-Modified"] = http_date(entry.built_at)
    response["Cache-Control"] = "public, max-age=30" if page.is_public else "private, no-cache"
    if not page.is_public:
        response["Vary"] = "Cookie"
    return response


def page_url(request: HttpRequest, page: StatusPage) -> str:
    """The page's public address as this request reached it: its custom domain's root, or /status/<slug>/."""
    if page.custom_domain and request.get_host().split(":")[0] == page.custom_domain:
        return request.build_absolute_uri("/")
    return request.build_absolute_uri(f"/status/{page.slug}/")


def _html(request, template: str, context: dict) -> bytes:
    return render_to_string(f"statuspages/{template}", context, request=request).encode()


@public_page
def page(request: HttpRequest, page: StatusPage, current) -> HttpResponse:
    def build():
        shot = snapshot.build(page)
        groups = [(name, [(component, bar(component)) for component in members]) for name, members in shot.groups]
        context = {"page": page, "shot": shot, "groups": groups, "page_url": page_url(request, page)}
        return _html(request, "page.html", context), HTML

    return _cached(request, page, current, "page", build)


def _page_incidents(page: StatusPage, queryset, limit: int | None = None) -> list[snapshot.IncidentView]:
    rows = snapshot.page_components(page)
    ids = [row.monitor_id for row in rows]
    return snapshot.incidents(page, ids, {row.monitor_id: row.monitor.name for row in rows}, queryset, limit)


@public_page
def history(request: HttpRequest, page: StatusPage, current) -> HttpResponse:
    def build():
        incidents = _page_incidents(page, Incident.objects.all(), HISTORY_LIMIT)
        months: dict[str, list] = {}
        for incident in incidents:
            months.setdefault(incident.created_at.strftime("%B %Y"), []).append(incident)
        context = {"page": page, "months": list(months.items()), "page_url": page_url(request, page)}
        return _html(request, "history.html", context), HTML

    return _cached(request, page, current, "history", build)


@public_page
def incident(request: HttpRequest, page: StatusPage, current, incident_id: str) -> HttpResponse:
    found = _page_incidents(page, Incident.objects.filter(pk=incident_id))
    if not found:
        raise Http404("No such incident on this page.")

    def build():
        context = {"page": page, "incident": found[0], "page_url": page_url(request, page)}
        return _html(request, "incident.html", context), HTML

    return _cached(request, page, current, f"incident:{incident_id}", build)


@public_page
def theme(request: HttpRequest, page: StatusPage, current) -> HttpResponse:
    # A stylesheet rather than an inline style: the pages' CSP allows no inline style.
    def build():
        return f":root {{ --accent: {page.accent_color}; }}\n".encode(), "text/css; charset=utf-8"

    return _cached(request, page, current, "theme", build)


@public_page
def logo(request: HttpRequest, page: StatusPage, current) -> HttpResponse:
    def build():
        row = StatusPage.objects.filter(pk=page.pk).values_list("logo", "logo_type").first()
        if not row or not row[0]:
            raise Http404("This page has no logo.")
        return bytes(row[0]), row[1]

    return _cached(request, page, current, "logo", build)


def _json(data: dict) -> tuple[bytes, str]:
    return orjson.dumps(data), JSON


JSON_VIEWS = {
    "summary": statuspage_json.summary,
    "status": statuspage_json.status,
    "components": statuspage_json.components,
    "incidents/unresolved": lambda shot, url: statuspage_json.incidents_list(shot, url, shot.incidents),
    "scheduled-maintenances": lambda shot, url: statuspage_json.scheduled_maintenances(
        shot, url, [*shot.active_maintenances, *shot.upcoming_maintenances]
    ),
    "scheduled-maintenances/upcoming": lambda shot, url: statuspage_json.scheduled_maintenances(
        shot, url, shot.upcoming_maintenances
    ),
    "scheduled-maintenances/active": lambda shot, url: statuspage_json.scheduled_maintenances(
        shot, url, shot.active_maintenances
    ),
}


@public_page
def api(request: HttpRequest, page: StatusPage, current, name: str) -> HttpResponse:
    url = page_url(request, page)

    def build():
        shot = snapshot.build(page)
        if name == "incidents":
            recent = _page_incidents(page, Incident.objects.all(), FEED_LIMIT)
            return _json(statuspage_json.incidents_list(shot, url, recent))
        return _json(JSON_VIEWS[name](shot, url))

    if name != "incidents" and name not in JSON_VIEWS:
        raise Http404("No such endpoint.")
    response = _cached(request, page, current, f"api:{name}", build)
    response["Access-Control-Allow-Origin"] = "*"  # read by other sites' widgets, as Statuspage's is
    return response


@public_page
def feed(request: HttpRequest, page: StatusPage, current, kind: str) -> HttpResponse:
    url = page_url(request, page)

    def build():
        incidents = _page_incidents(page, Incident.objects.all(), FEED_LIMIT)
        if kind == "atom":
            return feeds.atom(page.name, url, incidents), "application/atom+xml; charset=utf-8"
        return feeds.rss(page.name, url, incidents), "application/rss+xml; charset=utf-8"

    return _cached(request, page, current, f"feed:{kind}", build)


@public_page
def page_badge(request: HttpRequest, page: StatusPage, current) -> HttpResponse:
    def build():
        shot = snapshot.build(page)
        return badges.page_badge(shot.indicator, shot.description), "image/svg+xml"

    return _cached(request, page, current, "badge", build)
