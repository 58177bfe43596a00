"""POST /api/auth/token/: DRF's token view with failed logins throttled (429 and Retry-After past the limit)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from portal.accounts.throttling import LoginThrottled, login_check, login_failed, login_succeeded


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenErrorSerializer(serializers.Serializer):
    error = serializers.CharField()


class TokenView(ObtainAuthToken):
    @extend_schema(
        operation_id="auth_token_create",
        request=AuthTokenSerializer,
        responses={200: TokenSerializer, 429: TokenErrorSerializer},
    )
    def post(self, request, *args, **kwargs):
        username, password = request.data.get("username"), request.data.get("password")
        if not (isinstance(username, str) and username and password):
            return super().post(request, *args, **kwargs)  # the serializer names the missing field
        try:
            login_check(request=request, username=username)
        except LoginThrottled as refused:
            return Response(
                {"error": str(refused)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(refused.retry_after)},
            )
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            login_failed(request=request, username=username)
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        login_succeeded(request=request, username=username)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
