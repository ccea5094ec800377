"""`{{ page.name|status_title }}`: a page's title as Statuspage writes it, "Acme Status",
without doubling the word for a page already named "Acme Status" (or "Acme status page")."""

import re

from django import template

register = template.Library()

ALREADY_SAYS_STATUS = re.compile(r"status(\s+page)?\s*\Z", re.IGNORECASE)


@register.filter
def status_title(name: str) -> str:
    name = (name or "").strip()
    return name if ALREADY_SAYS_STATUS.search(name) else f"{name} Status"
