"""Fixtures shared by the portal's tests."""

import pytest

from tests.factories import make_project, make_user


@pytest.fixture
def fonds(api_client_for):
    """A project (Genlis) with an owner, an editor and a viewer, and an API client for each, by username."""
    owner, editor, viewer = make_user("owner"), make_user("editor"), make_user("viewer")
    project = make_project(owner, name="Genlis", members={editor: "editor", viewer: "viewer"})
    return project, {user.username: api_client_for(user) for user in (owner, editor, viewer)}
