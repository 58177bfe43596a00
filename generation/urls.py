from django.urls import path

from generation import views

app_name = "generation"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/<slug:kind>/", views.submit, name="submit"),
    path("jobs/<int:job_id>/", views.job_detail, name="job"),
    path("jobs/<int:job_id>/cancel/", views.job_cancel, name="cancel"),
    path("jobs/<int:job_id>/delete/", views.job_delete, name="delete"),
    path("jobs/<int:job_id>/files/<str:name>", views.result_file, name="file"),
]
