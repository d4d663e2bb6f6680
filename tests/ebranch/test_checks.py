"""The project's system checks (ebranch/checks.py), as `manage.py check` runs them."""

import pytest
from django.core.checks import ERROR, WARNING, run_checks

from ebranch.lib import pdf


def ours(messages) -> list[tuple[int, str]]:
    return [(m.level, m.id) for m in messages if m.id and m.id.startswith("ebranch.")]


@pytest.fixture
def without_harfbuzz_subset(monkeypatch):
    monkeypatch.setattr(pdf, "HARFBUZZ_SUBSET", ("libharfbuzz-subset-missing.so.0",))


def test_without_harfbuzz_subset_the_check_fails_outside_debug(settings, without_harfbuzz_subset):
    settings.DEBUG = False
    assert ours(run_checks()) == [(ERROR, "ebranch.E001")]


def test_without_harfbuzz_subset_it_only_warns_in_development(settings, without_harfbuzz_subset):
    settings.DEBUG = True
    assert ours(run_checks()) == [(WARNING, "ebranch.W001")]


def test_harfbuzz_older_than_4_1_counts_as_missing(settings, monkeypatch):
    class OldHarfBuzz:
        def hb_version_atleast(self, major, minor, micro):
            return (4, 0, 1) >= (major, minor, micro)

    real = pdf._load
    monkeypatch.setattr(pdf, "_load", lambda names: OldHarfBuzz() if names is pdf.HARFBUZZ else real(names))
    settings.DEBUG = False
    assert ours(run_checks()) == [(ERROR, "ebranch.E001")]


def test_the_probe_agrees_with_weasyprint_and_the_setup_installs_the_library(settings):
    """bin/_setup.sh installs libharfbuzz-subset0, so wherever bin/demo or bin/test ran, WeasyPrint
    subsets with HarfBuzz, and the check says so."""
    pdf._weasyprint()  # imported as the site does (it keeps Pillow strict about truncated images)
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert pdf.harfbuzz_subset_available()
    assert harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0)
    settings.DEBUG = False
    assert ours(run_checks()) == []
