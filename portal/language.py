"""Keeps the language a visitor chose: an address without a language prefix (a shared link, a bookmark, a
redirect after login) is sent to the same page in the language of their cookie, instead of falling back to the
default (unprefixed) English."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils.translation import get_language_from_path, override


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES} - {settings.LANGUAGE_CODE}

    def __call__(self, request: HttpRequest):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if (
            chosen in self.languages
            and request.method in ("GET", "HEAD")
            and not get_language_from_path(request.path_info)
            and self._translatable(chosen, request.path_info)
        ):
            query = request.META.get("QUERY_STRING")
            return HttpResponseRedirect(
                f"{get_script_prefix()}{chosen}{request.path_info}" + (f"?{query}" if query else "")
            )
        return self.get_response(request)

    @staticmethod
    def _translatable(language: str, path: str) -> bool:
        """Whether the page exists under a language prefix (the API, static files and /i18n/ do not)."""
        with override(language):  # the prefix resolved is the active language's
            try:
                resolve(f"/{language}{path}")
            except Resolver404:
                return False
        return True
