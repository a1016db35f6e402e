"""Endpoints for buying passes, paying, tickets, the door, and Stripe's webhook."""

import hashlib
from contextlib import contextmanager
from functools import cached_property

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.conditional import CacheControlMixin, ConditionalGetMixin, ContentVersion
from config.api.delta import UPDATED_SINCE_PARAMETER, next_sync_point, parse_updated_since
from config.api.errors import ErrorSerializer
from config.api.throttling import (
    CheckInRateThrottle,
    OrderRateThrottle,
    PromoCodeRateThrottle,
    client_address,
    promo_code_of,
)
from core.exceptions import NotFoundError
from core.prefetched import keep_as_prefetched
from core.selectors import deleted_ids
from events.models import Event
from events.selectors import get_public_event
from tickets import qr, stripe_gateway
from tickets.api import serializers as api
from tickets.api.serializers import order_key
from tickets.exceptions import TicketsError
from tickets.models import PASS_TYPE_DELETED
from tickets.selectors import (
    checked_promo_code,
    orders_of,
    pass_ids_changed_since,
    pass_offers,
    tickets_of,
    tickets_visible_to,
    visible_order,
)
from tickets.services.checkin import CheckInOutcome, can_check_in, check_in
from tickets.services.order_states import cancel_order
from tickets.services.ordering import LineRequest, place_order
from tickets.services.payment import start_payment
from tickets.services.webhooks import handle_stripe_webhook

ORDER_KEY = OpenApiParameter(
    "key",
    OpenApiTypes.STR,
    description="The order's link key (from placing it), for buyers who are not signed in. "
    "May also be sent as the X-Order-Key header.",
)
NOT_YOURS = {404: OpenApiResponse(ErrorSerializer, description="No such order of yours.")}


@contextmanager
def counting_wrong_codes(attempts: PromoCodeRateThrottle):
    """Take back a promo code attempt unless what runs inside refuses the code as wrong: any
    other refusal (expired, used up, sold out…) means the code itself exists."""
    try:
        yield
    except TicketsError as error:
        if error.code != "invalid_promo_code":
            attempts.forgive()
        raise
    attempts.forgive()


@extend_schema_view(
    get=extend_schema(
        tags=["passes"],
        summary="Passes on sale for an event",
        parameters=[
            OpenApiParameter(
                "promo_code",
                OpenApiTypes.STR,
                description="Shows hidden passes it unlocks. A code that cannot be used now is "
                "refused rather than ignored: 400 `invalid_promo_code` or `promo_code_expired`, "
                "409 `promo_code_exhausted`.",
            ),
            UPDATED_SINCE_PARAMETER,
        ],
        responses={
            200: api.PassListSerializer,
            400: OpenApiResponse(ErrorSerializer, description="invalid (`updated_since`), "
                                 "invalid_promo_code, promo_code_expired"),
            404: ErrorSerializer,
            409: OpenApiResponse(ErrorSerializer, description="promo_code_exhausted"),
            410: ErrorSerializer,
            429: ErrorSerializer,
        },
    )
)  # fmt: skip
class PassListView(ConditionalGetMixin, APIView):
    """Current price and phase, the next price step and availability of each pass."""

    def get_throttles(self):
        self.promo_attempts = PromoCodeRateThrottle()
        return [*super().get_throttles(), self.promo_attempts]

    @cached_property
    def event(self) -> Event:
        return get_public_event(self.kwargs["event_slug"])

    @cached_property
    def answer(self) -> dict:
        now = timezone.now()
        since = parse_updated_since(self.request)
        promo_code = self.request.query_params.get("promo_code", "")[:40]
        offers = pass_offers(self.event, promo_code=promo_code, now=now)
        answer = {"synced_at": next_sync_point()}
        if since is not None:
            changed = pass_ids_changed_since(self.event, offers, since, now=now)
            offers = [offer for offer in offers if offer.pass_type.pk in changed]
            answer["deleted"] = sorted(
                deleted_ids(event_id=self.event.pk, kind=PASS_TYPE_DELETED, since=since)
            )
        answer["results"] = offers
        return api.PassListSerializer(answer).data

    def content_version(self) -> ContentVersion:
        # Prices and availability move with time and with other people's orders, so the
        # version is the answer itself (small): never stale, and still saves the transfer.
        content = {key: value for key, value in self.answer.items() if key != "synced_at"}
        digest = hashlib.blake2b(repr(content).encode(), digest_size=16).hexdigest()
        return ContentVersion(None, token=digest)

    def get(self, request, *args, **kwargs):
        promo_code = promo_code_of(request)
        if promo_code:
            with counting_wrong_codes(self.promo_attempts):
                checked_promo_code(self.event, promo_code, now=timezone.now())
        return self.check_not_modified(request) or Response(self.answer)


class OrderAccessMixin(CacheControlMixin):
    """Views of one order, by its code: its signed-in buyer or whoever holds its link key."""

    private = True
    permission_classes = (AllowAny,)

    def get_order(self):
        order = visible_order(
            self.kwargs["code"], user=self.request.user, key=order_key(self.request)
        )
        if order is None:
            raise NotFoundError("No such order of yours.")
        return order


@extend_schema_view(
    post=extend_schema(
        tags=["orders"],
        summary="Place an order (holds the passes while you pay)",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="A random UUID (version 4), or at least 128 bits of randomness in "
                "URL-safe characters, new for each purchase attempt; a retry with the same key "
                "(from the same account, or for a guest the same e-mail and network) gets the "
                "first answer and never a second order. A guessable key is refused "
                "(`weak_idempotency_key`).",
            )
        ],
        request=api.OrderInputSerializer,
        responses={
            201: api.PlacedOrderSerializer,
            400: OpenApiResponse(ErrorSerializer, description="invalid, sales_closed, "
                                 "exceeds_order_limit, invalid_promo_code, pass_not_available, "
                                 "weak_idempotency_key, human_check_failed"),
            404: OpenApiResponse(ErrorSerializer, description="No such public `event`."),
            409: OpenApiResponse(ErrorSerializer, description="sold_out (with `available`), "
                                 "promo_code_exhausted"),
            413: OpenApiResponse(ErrorSerializer, description="request_too_large"),
            422: OpenApiResponse(ErrorSerializer, description="idempotency_key_reused: the "
                                 "`Idempotency-Key` came with a different order before"),
            429: OpenApiResponse(ErrorSerializer, description="throttled, or "
                                 "too_many_pending_orders or hold_limit_reached (with `scope`, "
                                 "`limit`, `held`: pay, cancel or sign in, or wait for "
                                 "`Retry-After` seconds until a hold ends)"),
            503: OpenApiResponse(ErrorSerializer, description="busy, or "
                                 "human_check_unavailable: try again"),
        },
    ),
    get=extend_schema(
        tags=["orders"], summary="My orders", responses=api.OrderSerializer(many=True)
    ),
)  # fmt: skip
class OrderListCreateView(CacheControlMixin, generics.ListAPIView):
    """Place an order (anyone; signed-in buyers own it), or list my orders."""

    serializer_class = api.OrderSerializer
    private = True
    filter_backends = ()

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.request.method != "POST":
            return throttles
        self.promo_attempts = PromoCodeRateThrottle()
        return [*throttles, OrderRateThrottle(), self.promo_attempts]

    def get_queryset(self):
        return orders_of(self.request.user).prefetch_related("tickets__order__event")

    def post(self, request):
        data = api.OrderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user if request.user.is_authenticated else None
        email = values.get("email") or (user.email if user else "")
        if not email:
            raise TicketsError("An e-mail address is needed for the tickets.", field="email")
        with counting_wrong_codes(self.promo_attempts):
            order, created = place_order(
                event=get_public_event(values["event"]),
                lines=[
                    LineRequest(line["pass_type"], line["quantity"], tuple(line["attendees"]))
                    for line in values["lines"]
                ],
                email=email,
                promo_code=values["promo_code"],
                user=user,
                idempotency_key=request.headers.get("Idempotency-Key") or None,
                client_address=client_address(request),
                human_check_token=values["human_check_token"],
            )
        if created:
            keep_as_prefetched(order, tickets=[])  # a pending order has none yet
        response = Response(
            api.PlacedOrderSerializer(order, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
        if not created:
            response["Idempotent-Replayed"] = "true"
        return response


@extend_schema_view(
    get=extend_schema(
        tags=["orders"], summary="One of my orders, with its tickets", parameters=[ORDER_KEY],
        responses={200: api.OrderSerializer, **NOT_YOURS},
    )
)  # fmt: skip
class OrderDetailView(OrderAccessMixin, APIView):
    """An order its buyer may see."""

    def get(self, request, code):
        return Response(api.OrderSerializer(self.get_order(), context={"request": request}).data)


@extend_schema_view(
    post=extend_schema(
        tags=["orders"], summary="Cancel a pending order (releases its passes)",
        parameters=[ORDER_KEY], request=None,
        responses={200: api.OrderSerializer, 409: ErrorSerializer, **NOT_YOURS},
    )
)  # fmt: skip
class OrderCancelView(OrderAccessMixin, APIView):
    """Cancel before paying."""

    def post(self, request, code):
        order = cancel_order(order=self.get_order())
        return Response(api.OrderSerializer(order, context={"request": request}).data)


@extend_schema_view(
    post=extend_schema(
        tags=["orders"], summary="Pay an order with Stripe", parameters=[ORDER_KEY],
        request=api.PayInputSerializer,
        responses={
            200: api.PaymentSerializer,
            409: OpenApiResponse(ErrorSerializer, description="order_not_payable, hold_expired"),
            422: OpenApiResponse(ErrorSerializer, description="payment_declined"),
            503: OpenApiResponse(ErrorSerializer, description="payment_provider_unavailable"),
            **NOT_YOURS,
        },
    )
)  # fmt: skip
class OrderPayView(OrderAccessMixin, APIView):
    """Start paying: a Checkout URL (web) or a PaymentSheet client secret (mobile)."""

    def post(self, request, code):
        order = self.get_order()
        data = api.PayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = start_payment(
            order=order,
            flow=data.validated_data["flow"],
            success_url=data.validated_data.get("success_url"),
            cancel_url=data.validated_data.get("cancel_url"),
        )
        order.refresh_from_db(fields=["status"])
        answer = {"flow": payment.flow, "status": order.status}
        if payment.checkout_url:
            answer["checkout_url"] = payment.checkout_url
        if payment.client_secret:
            answer["client_secret"] = payment.client_secret
            answer["publishable_key"] = stripe_gateway.publishable_key()
        return Response(answer)


@extend_schema_view(get=extend_schema(tags=["tickets"], summary="My tickets"))
class TicketListView(CacheControlMixin, generics.ListAPIView):
    """Valid tickets of my paid orders, with what each QR code encodes."""

    serializer_class = api.TicketSerializer
    permission_classes = (IsAuthenticated,)
    private = True
    filter_backends = ()

    def get_queryset(self):
        return tickets_of(self.request.user)


@extend_schema_view(
    get=extend_schema(
        tags=["tickets"], summary="A ticket's QR code image",
        parameters=[
            OpenApiParameter("image_format", str, OpenApiParameter.PATH, enum=["png", "svg"]),
            ORDER_KEY,
        ],
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.STR),
            404: ErrorSerializer,
        },
    )
)  # fmt: skip
class TicketQrView(CacheControlMixin, APIView):
    """The QR image of one of my tickets (PNG or SVG by the path's extension)."""

    private = True

    def get(self, request, code, image_format):
        ticket = get_object_or_404(
            tickets_visible_to(request.user, key=order_key(request)), code=code
        )
        if image_format == "svg":
            return HttpResponse(qr.ticket_qr_svg(ticket), content_type="image/svg+xml")
        return HttpResponse(qr.ticket_qr_png(ticket), content_type="image/png")


class CanCheckIn(BasePermission):
    """Door staff, organizers and superusers; every other signed-in person gets 403."""

    message = "Only door staff can check tickets in."

    def has_permission(self, request, view) -> bool:
        return can_check_in(request.user)


@extend_schema_view(
    post=extend_schema(
        tags=["door"], summary="Check a ticket in (door staff)",
        request=api.CheckInInputSerializer,
        responses={200: api.CheckInSerializer, 403: ErrorSerializer, 429: ErrorSerializer},
    )
)  # fmt: skip
class CheckInView(APIView):
    """Scan a ticket: the first scan admits, a second says when it was used."""

    permission_classes = (IsAuthenticated, CanCheckIn)

    def get_throttles(self):
        return [*super().get_throttles(), CheckInRateThrottle()]

    def post(self, request):
        data = api.CheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event_slug = data.validated_data.get("event")
        event = get_public_event(event_slug) if event_slug else None
        result = check_in(code=data.validated_data["code"], staff_user=request.user, event=event)
        # The API answers another event's ticket as unknown, as it always has: an app scanning
        # for one event learns nothing of others (the door screen names the other event).
        outcome = (
            CheckInOutcome.NOT_FOUND
            if result.outcome == CheckInOutcome.OTHER_EVENT
            else result.outcome
        )
        return Response(
            {
                "outcome": outcome,
                "checked_in_at": result.checked_in_at,
                "attendee_name": result.attendee_name,
                "pass_name": result.pass_name,
            }
        )


@extend_schema_view(
    post=extend_schema(
        tags=["webhooks"], summary="Stripe webhook (signed)",
        request={"application/json": OpenApiTypes.OBJECT},
        auth=[],
        responses={200: OpenApiTypes.OBJECT, 400: ErrorSerializer,
                   503: OpenApiResponse(ErrorSerializer, description="webhook_not_applied: "
                                        "nothing was kept; Stripe delivers it again")},
    )
)  # fmt: skip
class StripeWebhookView(APIView):
    """Receives Stripe's events; the signature is checked on the raw body."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()
    parser_classes = ()  # the signature covers the raw body, read as it came

    @classmethod
    def as_view(cls, **initkwargs):
        return csrf_exempt(super().as_view(**initkwargs))

    def post(self, request):
        outcome = handle_stripe_webhook(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
        return Response({"outcome": outcome})
