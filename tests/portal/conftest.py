"""Fixtures shared by the portal's tests."""

import pytest

from tests.factories import make_document, make_page_with_lines, make_project, make_user


@pytest.fixture
def fonds(api_client_for):
    """A project (Genlis) with an owner, an editor and a viewer, and an API client for each, by username."""
    owner, editor, viewer = make_user("owner"), make_user("editor"), make_user("viewer")
    project = make_project(owner, name="Genlis", members={editor: "editor", viewer: "viewer"})
    return project, {user.username: api_client_for(user) for user in (owner, editor, viewer)}


@pytest.fixture
def page(users, project):
    """A page of a new document of `project` with three lines of text (make_page_with_lines)."""
    return make_page_with_lines(make_document(project), users["owner"])


@pytest.fixture
def editor(users, api_client_for):
    """An API client of the project's editor."""
    return api_client_for(users["editor"])
