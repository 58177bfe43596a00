"""Failed logins are throttled per account and per address on the login page, the admin's login page and
/api/auth/token/, with a message saying when to try again (counters in the Redis cache)."""

import re
import time
import uuid

import pytest
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "right-password-1"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 6
    settings.LOGIN_FAILURE_WINDOW = 900


def fresh_name() -> str:
    """The counters live in Redis beyond one test's transaction: every test uses its own names and addresses."""
    return f"reader-{uuid.uuid4().hex[:10]}"


def fresh_address() -> str:
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"


def log_in(client: Client, username: str, password: str, address: str, path: str = "/accounts/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def token(client: Client, username: str, password: str, address: str):
    return client.post("/api/auth/token/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_login_page_refuses_an_account_after_its_failures_even_with_the_right_password(client):
    user, address = make_user(fresh_name(), PASSWORD), fresh_address()
    for _ in range(3):
        failed = log_in(client, user.username, "wrong", address)
        assert failed.status_code == 200 and "did not match" in failed.content.decode()
    refused = log_in(client, user.username, PASSWORD, address)
    assert refused.status_code == 200
    assert re.search(r"Too many failed logins for this account: try again in \d+ minutes?\.", refused.content.decode())
    assert "_auth_user_id" not in client.session


def test_the_admin_login_page_is_throttled_too(client):
    admin_user, address = make_user(fresh_name(), PASSWORD), fresh_address()
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    for _ in range(3):
        assert log_in(client, admin_user.username, "wrong", address, "/admin/login/").status_code == 200
    refused = log_in(client, admin_user.username, PASSWORD, address, "/admin/login/")
    assert refused.status_code == 200
    assert "Too many failed logins for this account" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_token_endpoint_answers_429_with_retry_after(client):
    user, address = make_user(fresh_name(), PASSWORD), fresh_address()
    for _ in range(3):
        assert token(client, user.username, "wrong", address).status_code == 400
    refused = token(client, user.username, PASSWORD, address)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 900
    assert refused.json()["error"].startswith("Too many failed logins for this account: try again in")


def test_the_three_ways_in_share_one_count(client):
    user, address = make_user(fresh_name(), PASSWORD), fresh_address()
    log_in(client, user.username, "wrong", address)
    log_in(client, user.username, "wrong", address, "/admin/login/")
    token(client, user.username, "wrong", address)
    assert token(client, user.username, PASSWORD, address).status_code == 429


def test_failures_from_one_address_are_counted_across_accounts(client):
    address = fresh_address()
    for _ in range(6):  # a different (unknown) name each time: no account reaches its own limit
        assert token(client, fresh_name(), "guess", address).status_code == 400
    user = make_user(fresh_name(), PASSWORD)
    refused = token(client, user.username, PASSWORD, address)
    assert refused.status_code == 429
    assert "from your address" in refused.json()["error"]
    assert token(client, user.username, PASSWORD, fresh_address()).status_code == 200


def test_an_unknown_account_is_refused_like_a_real_one(client):
    address, unknown = fresh_address(), fresh_name()
    for _ in range(3):
        token(client, unknown, "guess", address)
    assert (
        token(client, unknown, "guess", address).json()["error"].startswith("Too many failed logins for this account")
    )


def test_another_address_is_not_refused_for_an_address_that_failed(client):
    user, attacker = make_user(fresh_name(), PASSWORD), fresh_address()
    for n in range(6):
        token(client, f"{fresh_name()}-{n}", "guess", attacker)
    assert log_in(Client(), user.username, PASSWORD, fresh_address()).status_code == 302


def test_a_successful_login_forgets_the_accounts_earlier_failures(client, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 100  # the address's failures still count: not what this test is about
    user, address = make_user(fresh_name(), PASSWORD), fresh_address()
    for _ in range(3):
        for _ in range(2):
            assert log_in(Client(), user.username, "typo", address).status_code == 200
        assert log_in(Client(), user.username, PASSWORD, address).status_code == 302


def test_the_account_is_let_in_again_once_the_window_ends(client, settings):
    settings.LOGIN_FAILURE_WINDOW = 2
    user, address = make_user(fresh_name(), PASSWORD), fresh_address()
    while True:  # start at the beginning of a window, so that the three failures fall in one
        if time.time() % 2 < 0.5:
            break
        time.sleep(0.05)
    for _ in range(3):
        token(client, user.username, "wrong", address)
    refused = token(client, user.username, PASSWORD, address)
    assert refused.status_code == 429 and int(refused["Retry-After"]) <= 2
    time.sleep(int(refused["Retry-After"]) + 0.1)
    assert token(client, user.username, PASSWORD, address).status_code == 200
