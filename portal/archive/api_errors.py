"""How the API answers the archive's domain errors. The services raise their own errors, with a message for people;
this table gives each its HTTP status, so no view repeats a try/except."""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import exception_handler

from portal.archive import exports, pipeline, services, training_jobs, uploads
from portal.archive.permissions import NotAllowed

# Most specific first: a busy page or training is a conflict, every other refusal a bad request.
STATUSES: list[tuple[type[Exception], int]] = [
    (pipeline.PageBusy, status.HTTP_409_CONFLICT),
    (training_jobs.TrainingBusy, status.HTTP_409_CONFLICT),
    (pipeline.RerunRefused, status.HTTP_400_BAD_REQUEST),
    (training_jobs.TrainingError, status.HTTP_400_BAD_REQUEST),
    (services.EditError, status.HTTP_400_BAD_REQUEST),
    (uploads.UploadError, status.HTTP_400_BAD_REQUEST),
    (exports.ExportError, status.HTTP_400_BAD_REQUEST),
]


def domain_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, which also answers the archive's domain errors: `{"error": message}` with their status;
    NotAllowed as DRF's own 403."""
    if isinstance(exc, NotAllowed):
        return exception_handler(PermissionDenied(str(exc)), context)
    for kind, code in STATUSES:
        if isinstance(exc, kind):
            return Response({"error": str(exc)}, status=code)
    return exception_handler(exc, context)
