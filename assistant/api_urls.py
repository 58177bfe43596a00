from django.urls import path

from assistant import api

urlpatterns = [
    path(
        "conversations/",
        api.ConversationListView.as_view(),
        name="api-assistant-conversations",
    ),
    path(
        "conversations/<int:pk>/",
        api.ConversationDetailView.as_view(),
        name="api-assistant-conversation",
    ),
    path(
        "conversations/<int:pk>/messages/",
        api.MessageCreateView.as_view(),
        name="api-assistant-messages",
    ),
    path(
        "conversations/<int:pk>/index/",
        api.ScopeIndexView.as_view(),
        name="api-assistant-index",
    ),
    path(
        "conversations/<int:pk>/export/<str:fmt>/",
        api.ConversationExportView.as_view(),
        name="api-assistant-export",
    ),
]
