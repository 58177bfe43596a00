"""Who did something, as the rows that record it store it."""

from __future__ import annotations


def signed_in(user):
    """`user` when it is a signed-in account, else None (an anonymous visitor, or no user at all): what a row's owner
    or author field takes, since an AnonymousUser cannot be stored."""
    return user if user is not None and user.is_authenticated else None
