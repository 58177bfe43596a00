"""IIIF URLs (outside the language prefix: they are the same for every client): /iiif/..."""

from django.urls import path, re_path

from portal.archive import iiif_views

urlpatterns = [
    path("documents/<int:document_id>/manifest.json", iiif_views.ManifestView.as_view(), name="iiif-manifest"),
    path("pages/<int:page_id>", iiif_views.ImageBaseView.as_view(), name="iiif-image-base"),
    path("pages/<int:page_id>/info.json", iiif_views.ImageInfoView.as_view(), name="iiif-image-info"),
    re_path(
        r"^pages/(?P<page_id>\d+)/(?P<region>[^/]+)/(?P<size>[^/]+)/(?P<rotation>[^/]+)/(?P<quality>[a-z]+)\.(?P<fmt>[a-z0-9]+)$",
        iiif_views.ImageView.as_view(),
        name="iiif-image",
    ),
]
