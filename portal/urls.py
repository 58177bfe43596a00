from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from portal.accounts.forms import AdminLoginForm, LoginForm

admin.site.login_form = AdminLoginForm  # failed logins throttled, as on the site's login page and the token API

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include("portal.archive.api_urls")),
    path("iiif/", include("portal.archive.iiif_urls")),
    path("api/generation/", include("generation.api_urls")),
    path("api/assistant/", include("assistant.api_urls")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("generation/", include("generation.urls")),
    path("assistant/", include("assistant.urls")),
    path("entities/", include("portal.entities.urls")),
    path("", include("portal.archive.urls")),
    prefix_default_language=False,
)
