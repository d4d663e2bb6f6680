"""Scaffolding: helper B replaces these views."""

from django.http import Http404


def inbox(request, **kwargs):
    raise Http404


def overview(request, **kwargs):
    raise Http404


def member_history(request, **kwargs):
    raise Http404


def register_incoming(request, **kwargs):
    raise Http404


def card_issue(request, **kwargs):
    raise Http404


def card_end(request, **kwargs):
    raise Http404
