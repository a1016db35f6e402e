"""Token exchange for apps: credentials in, an API token out; DELETE signs the token out."""

from django.contrib.auth import authenticate, get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.errors import ErrorSerializer
from config.api.login_lockout import (
    begin_login_attempt,
    fail_login_attempt,
    succeed_login_attempt,
)
from config.api.throttling import AuthRateThrottle


class CredentialsSerializer(serializers.Serializer):
    """A username (or e-mail address) and password."""

    username = serializers.CharField(help_text="Username or e-mail address.")
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs):
        login = attrs["username"]
        if "@" in login:
            match = get_user_model()._default_manager.filter(email__iexact=login).first()
            login = match.get_username() if match else login
        request = self.context["request"]
        # Locked out (429 locked_out), right password or not, after repeated failures here
        # or at the admin's sign-in.
        attempt = begin_login_attempt(request, login)
        user = authenticate(request=request, username=login, password=attrs["password"])
        if user is None:
            fail_login_attempt(attempt)
            raise serializers.ValidationError(
                "Those credentials do not match an account.", code="invalid_credentials"
            )
        succeed_login_attempt(attempt)
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    """An API token: send it as `Authorization: Token <token>` (or `Bearer <token>`)."""

    token = serializers.CharField()


class AuthTokenView(APIView):
    """Exchange credentials for the account's API token."""

    throttle_classes = (AuthRateThrottle,)

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(
        tags=["auth"],
        summary="Get an API token",
        request=CredentialsSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Wrong credentials."),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many attempts (`throttled`), or, after repeated wrong "
                "passwords, the account or address is locked out for a while (`locked_out`).",
            ),
        },
    )
    def post(self, request):
        credentials = CredentialsSerializer(data=request.data, context={"request": request})
        credentials.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=credentials.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(tags=["auth"], summary="Revoke my API token", responses={204: None})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
