"""Scaffolding: helper A replaces these views."""

from django.http import Http404


def mine(request, **kwargs):
    raise Http404


def request_create(request, **kwargs):
    raise Http404


def start_for_member(request, **kwargs):
    raise Http404


def detail(request, **kwargs):
    raise Http404


def withdraw(request, **kwargs):
    raise Http404


def approve(request, **kwargs):
    raise Http404


def reject(request, **kwargs):
    raise Http404


def reissue(request, **kwargs):
    raise Http404


def cancel(request, **kwargs):
    raise Http404


def accept(request, **kwargs):
    raise Http404


def refuse(request, **kwargs):
    raise Http404


def receipt(request, **kwargs):
    raise Http404


def letter_pdf(request, **kwargs):
    raise Http404
