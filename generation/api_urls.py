from django.urls import path

from generation import api

urlpatterns = [
    path("models/", api.ModelsView.as_view(), name="generation-api-models"),
    path("jobs/", api.JobsView.as_view(), name="generation-api-jobs"),
    path("jobs/<int:job_id>/", api.JobView.as_view(), name="generation-api-job"),
    path(
        "jobs/<int:job_id>/cancel/",
        api.JobCancelView.as_view(),
        name="generation-api-cancel",
    ),
]
