"""The API shape of a job event, `Job.as_event()`: what the job endpoints return and the sockets send."""

from __future__ import annotations

from rest_framework import serializers

from portal.jobs.models import Job


class JobEventSerializer(serializers.Serializer):
    type = serializers.CharField(help_text='Always "job".')
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=Job.Status.choices)
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    message = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_blank=True)
    target = serializers.CharField(allow_blank=True)
    result = serializers.JSONField()
