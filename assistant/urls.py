from django.urls import path

from assistant import views

app_name = "assistant"
urlpatterns = [
    path("", views.chat, name="chat"),
    path("new/", views.conversation_new, name="conversation-new"),
    path("c/<int:pk>/", views.conversation_detail, name="conversation"),
    path("c/<int:pk>/ask/", views.conversation_ask, name="ask"),
    path("c/<int:pk>/image/", views.conversation_image, name="image"),
    path(
        "c/<int:pk>/pages/<int:page_id>/image/",
        views.conversation_page_image,
        name="page-image",
    ),
    path("c/<int:pk>/export/<str:fmt>/", views.conversation_export, name="export"),
]
