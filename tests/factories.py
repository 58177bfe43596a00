"""Factories for tests: users, projects, documents and pages stored through the real services."""

from __future__ import annotations

from pathlib import Path


def make_user(name: str, password: str | None = None):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(name, password=password or f"pw-{name}-12345")


def make_user_for_the_server(name: str, password: str):
    """A user the browser tests' server can log in: the test process hashes with MD5 (tests/settings.py), the server
    only knows the production hashers."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    return get_user_model().objects.create(username=name, password=hasher.encode(password, hasher.salt(), 20_000))


def make_project(owner, *, name: str = "Fonds", members: dict | None = None):
    """A project; `members` maps users to roles ('editor', 'viewer', 'owner')."""
    from portal.archive.models import Membership, Project

    project = Project.objects.create(name=name, owner=owner)
    for user, role in (members or {}).items():
        Membership.objects.create(project=project, user=user, role=role)
    return project


def make_document(project, *, title: str = "Journal", public: bool = False):
    from portal.archive.models import Document

    return Document.objects.create(project=project, title=title, is_public=public, created_by=project.owner)


def upload_files(document, user, paths: list[Path]):
    """Store real files through the upload service (pages, imported lines, jobs)."""
    from portal.archive.uploads import document_upload

    return document_upload(document=document, files=[(p.name, p.read_bytes()) for p in paths], user=user)


def api_upload(client, document, paths: list[Path]):
    """POST files to the document's upload endpoint as the page does (multipart, under their own names); the
    response."""
    import io

    files = []
    for path in paths:
        f = io.BytesIO(path.read_bytes())
        f.name = path.name
        files.append(f)
    return client.post(f"/api/documents/{document.pk}/upload/", {"files": files}, format="multipart")


def scan_with_alto(stem: str, texts) -> list[tuple[str, bytes]]:
    """A drawn page (PNG, a ruled stroke per line) and its ALTO with one line per text: an upload the worker only
    has to prepare. Line i is the box x 50..720, y 60 + 100 i .. 120 + 100 i."""
    import io

    from PIL import Image, ImageDraw

    import htr.formats
    from htr.lines import Line as HtrLine
    from htr.lines import Page as HtrPage

    width, height, step = 800, 120 + 100 * len(texts), 100
    image = Image.new("RGB", (width, height), (245, 238, 220))
    draw = ImageDraw.Draw(image)
    lines = []
    for i, text in enumerate(texts):
        y = 60 + i * step
        draw.line([(60, y + 40), (700, y + 40)], fill=(40, 30, 20), width=6)
        lines.append(
            HtrLine(
                id=f"l{i}",
                polygon=[(50, y), (720, y), (720, y + 60), (50, y + 60)],
                baseline=[(60, y + 45), (700, y + 45)],
                text=text,
            )
        )
    buf = io.BytesIO()
    image.save(buf, "PNG")
    alto = htr.formats.page_to_bytes(HtrPage(image=f"{stem}.png", width=width, height=height, lines=lines), "alto")
    return [(f"{stem}.png", buf.getvalue()), (f"{stem}.xml", alto)]


def make_page_with_lines(document, user, *, texts=("Милостивый государь мой", "Ѳеодоръ Матвѣевичъ", "le temps passé")):
    """A small drawn page (scan_with_alto) stored through the upload service; returns the Page."""
    from portal.archive.uploads import document_upload

    files = scan_with_alto(f"leaf{document.pages.count() + 1}", texts)
    pages, _ = document_upload(document=document, files=files, user=user)
    return pages[0]


def make_page_with_entities(document, user, *, texts):
    """A page of lines (make_page_with_lines) whose people, places and dates have been extracted; returns the Page."""
    from portal.entities.services import page_entities_extract

    page = make_page_with_lines(document, user, texts=texts)
    page_entities_extract(page=page)
    return page
