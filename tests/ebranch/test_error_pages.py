"""Error pages: the site's own, translated, with the visitor's language in <html lang>."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

SITE = {"en": "Tulou e-Branch", "zh-hans": "土楼e支部"}


def page(response, language: str) -> str:
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert SITE[language] in html  # the site's header, not Django's bare page
    return html


@pytest.mark.parametrize(("language", "title"), [("en", "Not allowed"), ("zh-hans", "无权访问")])
def test_admin_permission_403(world, language, title):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.liaison)  # reads the roster, adds nobody
    response = client.get(reverse("admin:members_member_add"))
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert title in page(response, language)


@pytest.mark.parametrize(("language", "title"), [("en", "This form has expired"), ("zh-hans", "表单已失效")])
def test_csrf_failure_403(world, language, title):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(reverse("account_login"), {"login": "member@example.com", "password": "x"})
    assert response.status_code == 403
    html = page(response, language)
    assert title in html
    assert "CSRF" not in html


@pytest.mark.parametrize(("language", "title"), [("en", "Bad request"), ("zh-hans", "请求有误")])
def test_bad_request_400(db, language, title):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.get(reverse("account_login"), HTTP_HOST="not-our-site.example")
    assert response.status_code == 400
    assert title in page(response, language)


@pytest.mark.parametrize(
    ("language", "title"), [("en", "This action needs a form"), ("zh-hans", "此操作需通过表单提交")]
)
def test_method_not_allowed_405_has_a_body(world, language, title):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.member)
    response = client.get(reverse("calendar:renew"))  # POST only
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert title in page(response, language)


@pytest.mark.parametrize(("language", "title"), [("en", "Page not found"), ("zh-hans", "页面不存在")])
def test_not_found_404(world, language, title):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.member)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert title in page(response, language)


@pytest.mark.parametrize(("language", "title"), [("en", "Something went wrong"), ("zh-hans", "出错了")])
def test_server_error_500_follows_the_language(language, title):
    with translation.override(language):
        html = render_to_string("500.html")
    assert f'<html lang="{language}">' in html and title in html
