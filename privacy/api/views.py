"""Endpoints of the signed-in person's data rights: export, consents, erasure."""

from django.http import Http404
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.conditional import CacheControlMixin
from config.api.errors import ErrorSerializer
from config.api.schema import AutoSchema
from privacy import selectors, services
from privacy.api.serializers import (
    ConsentInputSerializer,
    ConsentStateSerializer,
    ErasureRequestSerializer,
    personal_data_serializer,
)
from privacy.models import ConsentPurpose
from privacy.selectors import ConsentState

# Built once the apps have registered their export sections (URLs load after they are ready).
PersonalDataSerializer = personal_data_serializer()


class MyDataView(APIView):
    """Everything held about me, as a JSON file to keep.

    Sent with `Cache-Control: no-store` and never through the public micro-cache: this is
    the one answer no cache anywhere should hold.
    """

    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["data rights"],
        summary="Export my data",
        responses={200: PersonalDataSerializer},
    )
    def get(self, request):
        data = PersonalDataSerializer(selectors.personal_data(request.user)).data
        filename = f"greenroom-data-{request.user.get_username()}.json"
        return Response(
            data,
            headers={
                "Content-Disposition": content_disposition_header(True, filename),
                "Cache-Control": "no-store",
            },
        )


class MyConsentsMixin(CacheControlMixin):
    permission_classes = (IsAuthenticated,)
    private = True


class MyConsentListView(MyConsentsMixin, APIView):
    """My current answer for each purpose Greenroom asks consent for."""

    @extend_schema(
        tags=["data rights"],
        summary="My consents",
        responses={200: ConsentStateSerializer(many=True)},
    )
    def get(self, request):
        states = selectors.current_consents(request.user)
        return Response(ConsentStateSerializer(states, many=True).data)


class MyConsentView(MyConsentsMixin, APIView):
    """Record my answer for one purpose, e.g. `event_news`; each change is kept."""

    @extend_schema(
        tags=["data rights"],
        summary="Grant or withdraw a consent",
        parameters=[
            OpenApiParameter("purpose", str, OpenApiParameter.PATH, enum=ConsentPurpose.values)
        ],
        request=ConsentInputSerializer,
        responses={
            200: ConsentStateSerializer,
            400: OpenApiResponse(ErrorSerializer, description="`granted` is not a boolean."),
            404: OpenApiResponse(ErrorSerializer, description="No such purpose."),
        },
    )
    def put(self, request, purpose: str):
        if purpose not in ConsentPurpose.values:
            raise Http404
        answer = ConsentInputSerializer(data=request.data)
        answer.is_valid(raise_exception=True)
        consent = services.record_consent(
            user=request.user, purpose=purpose, granted=answer.validated_data["granted"]
        )
        return Response(ConsentStateSerializer(ConsentState.of(purpose, consent)).data)


class DeleteWithBodySchema(AutoSchema):
    """drf-spectacular documents no body on DELETE; the erasure takes one (its confirmation)."""

    def _get_request_body(self, direction="request"):
        method = self.method
        self.method = "POST" if method == "DELETE" else method
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = method


@extend_schema(
    tags=["data rights"],
    summary="Erase me",
    description=(
        "Deletes the account, its personal agenda, consents and API tokens. Orders stay for "
        "accounting without name or e-mail; tickets for events that have not ended are voided "
        "(without refund). Without `confirm: true`, or with valid tickets still to use and "
        "without `void_future_tickets: true`, the answer is 400 `confirmation_required`, "
        "saying what would happen (`orders_to_anonymise`, `tickets_to_void`), and nothing "
        "changes. Afterwards the token answers 401."
    ),
    request=ErasureRequestSerializer,
    responses={
        204: OpenApiResponse(description="Erased."),
        400: OpenApiResponse(
            ErrorSerializer, description="Not confirmed (`confirmation_required`)."
        ),
        409: OpenApiResponse(
            ErrorSerializer, description="A staff account (`account_not_erasable`)."
        ),
    },
)
class MeView(APIView):
    """The signed-in person's account, to erase."""

    permission_classes = (IsAuthenticated,)
    schema = DeleteWithBodySchema()

    def delete(self, request):
        body = ErasureRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.erase_own_account(user=request.user, **body.validated_data)
        request.session.flush()  # a browser session signed in as the erased account ends here
        return Response(status=status.HTTP_204_NO_CONTENT)
