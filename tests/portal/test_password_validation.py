"""Django's password validators are on: a short, common, numeric or user-like password is refused wherever a person
sets one (the password change page, the admin, manage.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import make_user

pytestmark = pytest.mark.django_db
OLD = "pw-archivist-12345"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("12345678", "This password is too common."),
        ("31415926535", "This password is entirely numeric."),
        ("abc12", "This password is too short."),
        ("archivist-genlis", "The password is too similar to the username."),
    ],
)
def test_a_weak_password_is_refused(password, reason):
    user = get_user_model()(username="archivist-genlis")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert any(message.startswith(reason) for message in refused.value.messages)


def test_changing_ones_password_to_12345678_is_refused(client):
    user = make_user("archivist", OLD)
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": OLD,
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_a_long_uncommon_password_is_accepted(client):
    user = make_user("archivist", OLD)
    client.force_login(user)
    new = "Ѳеодоръ пишетъ въ Москву 1812"
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": OLD,
            "new_password1": new,
            "new_password2": new,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_the_admin_refuses_12345678_for_a_new_user(client):
    admin_user = get_user_model().objects.create_superuser("chief", password="chief-password-1")
    client.force_login(admin_user)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "newcomer",
            "password1": "12345678",
            "password2": "12345678",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not get_user_model().objects.filter(username="newcomer").exists()
