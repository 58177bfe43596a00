"""Deleting a page or a document removes its rows and its files (scan, thumbnail, tiles), once committed."""

from pathlib import Path

import pytest

from portal.archive import images
from portal.archive.models import Line, Page
from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db


def test_deleting_a_page_removes_its_scan_and_tiles(users, project, api_client_for, django_capture_on_commit_callbacks):
    page = make_page_with_lines(make_document(project), users["owner"])
    client = api_client_for(users["editor"])
    assert client.get(f"/api/pages/{page.pk}/tiles/0/0_0.jpg").status_code == 200  # made on demand
    assert client.get(f"/api/pages/{page.pk}/thumbnail/").status_code == 200
    folder = images.page_dir(page)
    assert Path(page.image.path).is_file() and len([p for p in folder.rglob("*") if p.is_file()]) >= 3
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/pages/{page.pk}/").status_code == 204
    assert not folder.exists()
    assert not Page.objects.filter(pk=page.pk).exists() and not Line.objects.filter(page_id=page.pk).exists()


def test_deleting_a_document_removes_all_its_files(users, project, api_client_for, django_capture_on_commit_callbacks):
    document = make_document(project)
    page = make_page_with_lines(document, users["owner"])
    folder = images.page_dir(page).parent.parent
    assert folder.is_dir()
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client_for(users["owner"]).delete(f"/api/documents/{document.pk}/").status_code == 204
    assert not folder.exists()
