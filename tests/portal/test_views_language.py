"""The whole UI speaks Russian once the visitor picks RU (Django's set_language, cookie or /ru/ prefix)."""

import pytest
from django.contrib.auth import get_user_model

from portal.archive.models import Document, Page, Project

pytestmark = pytest.mark.django_db


def test_the_language_switch_turns_the_interface_russian(client):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Опубликованные документы" in html and "Войти" in html
    assert '<html lang="ru">' in html


def test_the_russian_prefix_serves_the_russian_login_page(client):
    html = client.get("/ru/accounts/login/").content.decode()
    assert "Имя пользователя" in html and "Пароль" in html


def test_english_stays_the_default(client):
    html = client.get("/").content.decode()
    assert "Published documents" in html and '<html lang="en">' in html


def test_the_editor_and_its_scripts_speak_russian(client):
    owner = get_user_model().objects.create_user("owner", password="pw")
    project = Project.objects.create(name="Фонд", owner=owner)
    document = Document.objects.create(project=project, title="Дневник", is_public=True)
    Page.objects.create(document=document, number=1, image="documents/1/pages/p.jpg", width=10, height=10)
    client.force_login(owner)
    response = client.post("/i18n/setlang/", {"language": "ru", "next": f"/documents/{document.pk}/pages/1/"})
    assert response["Location"] == f"/ru/documents/{document.pk}/pages/1/"
    html = client.get(response["Location"]).content.decode()
    assert "Сначала худшие строки" in html and "Объединить со следующей" in html
    catalog = client.get("/ru/jsi18n/").content.decode()
    assert "Сохранено." in catalog or "\\u0421\\u043e\\u0445\\u0440\\u0430\\u043d\\u0435\\u043d\\u043e." in catalog


def test_russian_counts_take_the_russian_plural_forms():
    from django.utils import translation
    from django.utils.translation import ngettext

    with translation.override("ru"):
        forms = [ngettext("%(counter)s line", "%(counter)s lines", n) % {"counter": n} for n in (1, 3, 5, 21, 112)]
    assert forms == ["1 строка", "3 строки", "5 строк", "21 строка", "112 строк"]


def test_a_link_without_the_prefix_keeps_the_chosen_language(client):
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    response = client.get("/accounts/login/?next=/search/")
    assert response.status_code == 302 and response["Location"] == "/ru/accounts/login/?next=/search/"
    assert "Имя пользователя" in client.get(response["Location"]).content.decode()


def test_choosing_english_again_serves_the_unprefixed_pages_in_english(client):
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert response.status_code == 200 and '<html lang="en">' in response.content.decode()


def test_the_api_is_not_redirected_by_the_language_cookie(client):
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert client.get("/api/schema/").status_code == 200
