"""Personas shared by every test (DESIGN.md): a member, a secretary of the same branch, a member
and a secretary of another branch, a liaison officer, a county officer, and anonymous."""

import sqlite3
from contextlib import closing
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from branches.models import Organization
from ebranch.celery import app
from tests import factories


@dataclass
class World:
    city: Organization
    county: Organization
    general_branch: Organization
    branch: Organization
    other_branch: Organization
    member: object
    secretary: object
    other_member: object
    other_secretary: object
    liaison: object
    county_officer: object

    @property
    def personas(self) -> dict:
        return {
            "member": self.member,
            "secretary": self.secretary,
            "other_member": self.other_member,
            "other_secretary": self.other_secretary,
            "liaison": self.liaison,
            "county_officer": self.county_officer,
            "anonymous": AnonymousUser(),
        }


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Files with personal data (ID-card photos) that a test writes go to its own folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def concurrent_db(transactional_db, tmp_path):
    """A database that threads write at once, each on its own connection, as gunicorn's workers do.

    On PostgreSQL that is the test database. SQLite's in-memory test database shares one cache between
    connections, which locks tables instead of waiting, so the test works on a copy in a file, opened
    with the settings' OPTIONS like the embedded default."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory, name = connection.connection, connection.settings_dict["NAME"]
    path = tmp_path / "concurrent.sqlite3"
    with closing(sqlite3.connect(path)) as copy:
        memory.backup(copy)
    connection.settings_dict["NAME"] = str(path)  # threads' connections read the same dict
    connection.connection = None
    connection.ensure_connection()  # init_command (WAL) runs once, before any thread opens it
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


@pytest.fixture
def eager(settings):
    """Tasks run in-process, as without Redis; CI sets REDIS_URL, so the tests must say so."""
    # Read first: Celery loads its configuration from the settings once, and would keep this test's.
    before = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def en(client):
    """A test client that asks for English pages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def world(db) -> World:
    K = Organization.Kind
    city = factories.organization(kind=K.CITY_COMMITTEE, name="中共龙岩市委", code="LY")
    county = factories.organization(parent=city, kind=K.COUNTY_COMMITTEE, name="中共永定区委", code="LY-YD")
    general = factories.organization(
        parent=county, kind=K.GENERAL_BRANCH, name="土楼e支部党总支", code="LY-YD-G"
    )
    branch = factories.organization(parent=general, name="厦门第一支部", code="LY-YD-G-01")
    other = factories.organization(parent=general, name="深圳第一支部", code="LY-YD-G-02")

    member_user = factories.user(name="张三", email="member@example.com")
    factories.member(organization=branch, user=member_user, name="张三")
    secretary = factories.user(name="李书记", email="secretary@example.com")
    factories.member(organization=branch, user=secretary, name="李书记")
    factories.position(user=secretary, organization=branch, contact_phone="13900000001")
    other_member = factories.user(name="王五", email="other-member@example.com")
    factories.member(organization=other, user=other_member, name="王五")
    other_secretary = factories.user(name="赵书记", email="other-secretary@example.com")
    factories.member(organization=other, user=other_secretary, name="赵书记")
    factories.position(user=other_secretary, organization=other)
    liaison = factories.user(name="陈联络员", email="liaison@example.com")
    factories.position(user=liaison, organization=branch, kind="liaison_officer", contact_phone="13900000002")
    county_officer = factories.user(name="刘干部", email="county@example.com")
    factories.position(user=county_officer, organization=county, kind="county_staff")
    # Officers who manage members have their authenticator app (members/security.py); tests of the
    # requirement itself use officers without one.
    for officer in (secretary, other_secretary, county_officer):
        factories.totp(officer)

    return World(
        city=city, county=county, general_branch=general, branch=branch, other_branch=other,
        member=member_user, secretary=secretary, other_member=other_member, other_secretary=other_secretary,
        liaison=liaison, county_officer=county_officer,
    )


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL set, as .ci/run does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
