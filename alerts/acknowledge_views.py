"""The signed acknowledge link in every alert. Opening it shows a button; only pressing
it acknowledges, so chat apps that fetch links to preview them acknowledge nothing."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .acknowledgement import NotDown, acknowledge, outage_of_link


@require_http_methods(["GET", "POST"])
def acknowledge_link(request, token: str):
    outage = outage_of_link(token)
    if outage is None:
        return render(
            request,
            "alerts/acknowledge.html",
            {"invalid": True, "title": "This acknowledge link does not work"},
            status=404,
        )
    monitor = outage.monitor
    context = {"monitor": monitor, "outage": outage, "title": f"Acknowledge: {monitor.name}"}
    if request.method == "POST":
        try:
            monitor = acknowledge(monitor=monitor, by="alert link")
        except NotDown as exc:
            context["error"] = str(exc)
        context["monitor"] = monitor
    return render(request, "alerts/acknowledge.html", context)
