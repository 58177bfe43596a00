from django.urls import path

from portal.entities import views

urlpatterns = [
    path("", views.entity_index_page, name="entity-index"),
]
