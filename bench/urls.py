"""The production URLs plus `/bench/bare/`, the ceiling every page is compared with."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as production_urlpatterns


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *production_urlpatterns]
