"""Public subscription pages, no API key: the token in a link is the secret.

- `POST /status/<slug>/subscribe` takes `email` as a form field or in a JSON body and
  answers the same way whether or not the address was already subscribed.
- `GET /status/<slug>/subscribe/confirm/<token>` confirms (the double opt-in link).
- `GET /status/<slug>/unsubscribe/<token>` only shows a button: mail scanners fetch the
  links in an email, and must not unsubscribe anyone. `POST` to the same URL
  unsubscribes; it is what a mail client's one-click unsubscribe sends (RFC 8058).

No CSRF token on the POSTs: a mail client's one-click POST has none, and subscribing
uses no session or login, only an address whose owner must still confirm. A JSON
request gets JSON answers (the API's error envelope on failure); anything else gets
small self-contained HTML pages, each linking back to the status page: a refused address
gets the subscribe form again, with the reason and the address as it was typed.
"""

import json
import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import attempts
from accounts.client_address import client_address
from statusapp.api.errors import error_body

from . import subscriptions
from .models import StatusPage
from .page_views import page_url

# What subscriptions.new_token issues (token_urlsafe); anything else costs no query.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}\Z")
MAX_JSON_BODY = 4 * 1024
KEEP_TYPED = 1000  # characters of a refused address shown back in the form

SECURITY_HEADERS = {
    # The token is in the URL: never send it on in a Referer, never keep the page.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """A subscription page; with a `page` in the context, it links back to that status page."""
    if "page" in context:
        context["page_url"] = page_url(request, context["page"])
    response = render(request, f"statuspages/{template}", context, status=status)
    for name, value in SECURITY_HEADERS.items():
        response[name] = value
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or request.headers.get("Accept", "").startswith(
        "application/json"
    )


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body(404, message), status=404)
    return _page(request, "not_found.html", {"message": message}, status=404)


def _form_again(request: HttpRequest, page: StatusPage, message: str, status: int) -> HttpResponse:
    """The subscribe form again, with the message and the address as it was typed."""
    context = {"page": page, "message": message, "email": request.POST.get("email", "")[:KEEP_TYPED]}
    return _page(request, "subscribe_invalid.html", context, status=status)


def _submitted_email(request: HttpRequest) -> object:
    if request.content_type == "application/json":
        if len(request.body) > MAX_JSON_BODY:
            raise subscriptions.InvalidEmail("The request body is too large.")
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise subscriptions.InvalidEmail("The request body must be a JSON object with an 'email'.") from None
        return data.get("email") if isinstance(data, dict) else None
    return request.POST.get("email")


# Each subscription sends a confirmation email: an address may ask SUBSCRIBE_LIMIT times an
# hour, so the form cannot be used to flood someone's inbox.
SUBSCRIBE_LIMIT = 10
SUBSCRIBE_WINDOW = 3600
TOO_MANY = "Too many subscription requests from this address; try again in an hour."


@csrf_exempt
@require_POST
def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    page = StatusPage.objects.filter(slug=slug, is_public=True).first()
    if page is None:
        return _not_found(request, "There is no status page here.")
    if attempts.record(f"subscribe:{client_address(request)}", SUBSCRIBE_WINDOW) > SUBSCRIBE_LIMIT:
        if _wants_json(request):
            response = JsonResponse(error_body(429, TOO_MANY), status=429)
        else:
            response = _form_again(request, page, TOO_MANY, status=429)
        response["Retry-After"] = str(SUBSCRIBE_WINDOW)
        return response
    try:
        email = subscriptions.normalize_email(_submitted_email(request))
    except subscriptions.InvalidEmail as exc:
        if _wants_json(request):
            return JsonResponse(
                error_body(400, "Invalid email", str(exc), fields={"email": [str(exc)]}),
                status=400,
            )
        return _form_again(request, page, str(exc), status=400)
    subscriptions.subscribe(page=page, email=email)
    message = "Check your inbox: unless this address is already subscribed, we have sent it a link to confirm."
    if _wants_json(request):
        return JsonResponse({"message": message})
    return _page(request, "subscribe_sent.html", {"page": page, "email": email})


@require_GET
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    subscriber = subscriptions.confirm(token=token, page_slug=slug) if TOKEN_RE.match(token) else None
    if subscriber is None:
        return _not_found(request, "This confirmation link is not valid (any more).")
    return _page(request, "subscribe_confirmed.html", {"subscriber": subscriber, "page": subscriber.page})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    if not TOKEN_RE.match(token):
        return _not_found(request, "This unsubscribe link is not valid.")
    if request.method == "POST":
        subscriber = subscriptions.unsubscribe(token=token, page_slug=slug)
    else:
        subscriber = subscriptions.subscriber_by_token(token, slug)
    if subscriber is None:
        return _not_found(request, "This unsubscribe link is not valid.")
    context = {"subscriber": subscriber, "page": subscriber.page, "done": subscriber.unsubscribed_at is not None}
    return _page(request, "unsubscribe.html", context)
