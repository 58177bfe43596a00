from django.urls import path
from django.views.i18n import JavaScriptCatalog

from portal.archive import iiif_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<int:project_id>/", views.project_detail, name="project"),
    path("projects/<int:project_id>/settings/", views.project_update, name="project-update"),
    path("projects/<int:project_id>/documents/new/", views.document_create, name="document-create"),
    path("projects/<int:project_id>/iiif-import/", iiif_views.import_form, name="iiif-import"),
    path("projects/<int:project_id>/members/", views.member_add, name="member-add"),
    path("projects/<int:project_id>/members/<int:membership_id>/remove/", views.member_remove, name="member-remove"),
    path("documents/<int:document_id>/", views.document_detail, name="document"),
    path("documents/<int:document_id>/settings/", views.document_update, name="document-update"),
    path("documents/<int:document_id>/publish/", views.document_publish, name="document-publish"),
    path("documents/<int:document_id>/pages/<int:number>/", views.page_editor, name="page-editor"),
    path("models/<int:model_id>/", views.model_detail, name="model"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
