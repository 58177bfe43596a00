from django.urls import path
from rest_framework.routers import DefaultRouter

from portal.accounts.views import TokenView
from portal.archive import api, api_layout, api_models, api_pages, iiif_views

router = DefaultRouter()
# Lines first: Django tries the routes in order, and an editor's saves are most of the API's requests (behind the
# pages' two dozen routes, resolving a save tried some 60 patterns).
router.register("lines", api_pages.LineViewSet, basename="api-line")
router.register("projects", api.ProjectViewSet, basename="api-project")
router.register("documents", api.DocumentViewSet, basename="api-document")
router.register("pages", api_pages.PageViewSet, basename="api-page")
router.register("regions", api_layout.RegionViewSet, basename="api-region")
router.register("jobs", api.JobViewSet, basename="api-job")
router.register("models", api_models.HtrModelViewSet, basename="api-model")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("search/", api.SearchView.as_view(), name="api-search"),
    path("projects/<int:project_id>/iiif-import/", iiif_views.ImportView.as_view(), name="api-iiif-import"),
    path(
        "pages/<int:pk>/tiles/<int:level>/<int:col>_<int:row>.jpg",
        api_pages.PageViewSet.as_view({"get": "tile"}),
        name="api-page-tile",
    ),
    *router.urls,
]
