from django.http import JsonResponse
from django.urls import path

from statusapp.urls import urlpatterns as product_urlpatterns


def trivial(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/trivial", trivial), *product_urlpatterns]
