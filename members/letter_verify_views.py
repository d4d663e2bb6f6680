"""Scaffolding: helper C replaces these views."""

from django.http import Http404


def verify(request, **kwargs):
    raise Http404
