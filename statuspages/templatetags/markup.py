"""`{{ text|markdown }}`: user-written text (incident updates, page and maintenance
descriptions) as Markdown, then sanitized: only a few formatting tags survive, links get
rel="nofollow noopener noreferrer", and no script, style, event handler or image can."""

from functools import lru_cache

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "hr"}
ATTRIBUTES = {"a": {"href", "title"}}
SCHEMES = {"http", "https", "mailto"}
# Rendering costs about a millisecond a message, and a page shows the same updates build
# after build: the rendered HTML of short texts is kept.
CACHED = 512
CACHED_LENGTH = 10_000


def render(text: str) -> str:
    text = text or ""
    return _render_cached(text) if len(text) <= CACHED_LENGTH else _render(text)


@lru_cache(maxsize=CACHED)
def _render_cached(text: str) -> str:
    return _render(text)


def _render(text: str) -> str:
    html = markdown_lib.markdown(text or "", extensions=["nl2br", "sane_lists"], output_format="html")
    return nh3.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES, link_rel="nofollow noopener noreferrer"
    )


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return mark_safe(render(text))  # noqa: S308 (sanitized by nh3 just above)
