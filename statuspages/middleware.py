"""Serve a status page on its custom domain: a request whose Host is not one of StatusApp's
own (STATUSAPP_APP_HOSTS) and is a page's custom domain is routed to that page, so
https://status.example.com/history is /status/<slug>/history."""

import re

from django.conf import settings
from django.http.request import split_domain_port
from django.shortcuts import render

from .access import slug_for_domain

# What the page's own URLs are; anything else on a custom domain (the API, the admin) 404s.
_PAGE_PATHS = re.compile(
    r"/(history/?|incidents/.*|logo|theme\.css|api/v2/.*|feed\.(atom|rss)|badge\.svg|(un)?subscribe.*)?\Z"
)


class CustomDomainMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.app_hosts = {host.lower() for host in settings.STATUSAPP_APP_HOSTS}

    def __call__(self, request):
        host = split_domain_port(request.get_host())[0]
        if host not in self.app_hosts and not request.path_info.startswith("/static/"):
            slug = slug_for_domain(host)
            if slug is not None:
                if not _PAGE_PATHS.match(request.path_info):
                    return render(request, "statuspages/not_found.html", {"message": "Not found."}, status=404)
                request.path_info = f"/status/{slug}{request.path_info}"
        return self.get_response(request)
