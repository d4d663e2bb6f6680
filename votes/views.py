"""Scaffolding: helper VA replaces these views."""

from django.http import Http404


def ballot_list(request, **kwargs):
    raise Http404


def ballot_create(request, **kwargs):
    raise Http404


def detail(request, **kwargs):
    raise Http404


def edit(request, **kwargs):
    raise Http404


def open_(request, **kwargs):
    raise Http404


def close(request, **kwargs):
    raise Http404


def publish(request, **kwargs):
    raise Http404


def cast(request, **kwargs):
    raise Http404
