"""Scaffolding: helper VB replaces these views."""

from django.http import Http404


def results(request, **kwargs):
    raise Http404


def results_pdf(request, **kwargs):
    raise Http404


def board(request, **kwargs):
    raise Http404


def board_json(request, **kwargs):
    raise Http404
