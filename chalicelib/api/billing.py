"""Billing (SPEC §6, issue 14; docs/billing.md): the plan, limits and usage, payment
methods collected by Stripe Elements, the subscription and its prorated preview, and the
invoices. Admins and account contacts (the portal). Without Stripe keys ``GET
/v1/billing`` still answers (Free works); every paid action answers 503."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from chalice import Response
from pydantic import BaseModel, Field, StringConstraints

from chalicelib.domain.accounts import tenants
from chalicelib.domain.billing import account, payment_methods, subscription
from chalicelib.http.pagination import PageQuery
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "billing")

Quantity = Annotated[int, Field(ge=0, le=500)]
MethodId = Annotated[str, StringConstraints(pattern=r"^pm_[A-Za-z0-9_]{1,200}$")]


class Addons(RequestModel):
    users: Quantity = 0
    twitter_accounts: Quantity = 0
    whatsapp_numbers: Quantity = 0


class SubscriptionIn(RequestModel):
    plan: Literal["free", "lite", "pro"]
    addons: Addons = Field(default_factory=Addons)


class Price(BaseModel):
    amount: int
    currency: str
    interval: str


class PlanOut(BaseModel):
    id: str
    name: str
    users: int
    twitter_accounts: int
    whatsapp_numbers: int
    price: Price | None


class AddonOut(BaseModel):
    id: str
    name: str
    price: Price | None


class Catalogue(BaseModel):
    plans: list[PlanOut]
    addons: list[AddonOut]


class Limit(BaseModel):
    plan: int
    addons: int
    allowed: int
    in_use: int


class OverLimit(BaseModel):
    limit: str
    allowed: int
    in_use: int
    remove: int


class SubscriptionOut(ResponseModel):
    id: str
    status: str
    plan: str
    addons: dict[str, int]
    current_period_end: datetime | None
    cancel_at_period_end: bool
    amount: int
    currency: str


class BillingOut(ResponseModel):
    configured: bool
    publishable_key: str | None
    stripe_js_url: str | None
    plan: str
    plan_name: str
    addons: dict[str, int]
    limits: dict[str, Limit]
    over_limit: list[OverLimit]
    subscription: SubscriptionOut | None
    past_due: bool
    default_payment_method: str | None
    catalogue: Catalogue


class SetupIntentOut(ResponseModel):
    id: str
    client_secret: str = Field(description="For Stripe Elements in the browser, once")


class MethodOut(ResponseModel):
    id: str
    brand: str
    last4: str
    exp_month: int | None
    exp_year: int | None
    default: bool


class MethodsOut(ResponseModel):
    items: list[MethodOut]


class MethodIn(RequestModel):
    payment_method_id: MethodId
    default: bool = False


class PreviewLine(BaseModel):
    description: str = Field(description="Stripe's, in the customer's language")
    amount: int
    proration: bool
    item: str | None = Field(description="The plan's or add-on's id the line is of")
    quantity: int


class PreviewOut(ResponseModel):
    amount_due: int
    currency: str
    lines: list[PreviewLine]
    next_payment_at: datetime | None


class InvoiceOut(ResponseModel):
    id: str
    number: str | None
    period_start: datetime | None
    period_end: datetime | None
    amount_due: int
    amount_paid: int
    total: int
    currency: str
    status: str
    hosted_invoice_url: str | None
    invoice_pdf: str | None
    created_at: datetime


class InvoicesOut(ResponseModel):
    items: list[InvoiceOut]
    next_cursor: str | None


def _tenant(call: Call) -> Any:
    return tenants.get_tenant(call.principal.tenant_id)


@resource.route(
    "/v1/billing",
    summary="The plan, its limits and what is in use, the subscription and the catalogue.",
    response=BillingOut,
    action="billing.read",
)
def get_billing(call: Call) -> BillingOut:
    return BillingOut(**account.overview(_tenant(call)))


@resource.route(
    "/v1/billing/setup-intents",
    "POST",
    summary="A SetupIntent whose client secret lets Stripe Elements confirm a card.",
    response=SetupIntentOut,
    status=201,
    action="billing.manage",
    errors=(503,),
)
def create_setup_intent(call: Call) -> SetupIntentOut:
    return SetupIntentOut(**payment_methods.setup_intent(_tenant(call), call.request_id))


@resource.route(
    "/v1/billing/payment-methods",
    summary="The cards of the account (brand, last four digits, expiry, the default one).",
    response=MethodsOut,
    action="billing.read",
    errors=(503,),
)
def list_payment_methods(call: Call) -> MethodsOut:
    items = payment_methods.list_methods(_tenant(call))
    return MethodsOut(items=[MethodOut(**m) for m in items])


@resource.route(
    "/v1/billing/payment-methods",
    "POST",
    summary="Keep a card confirmed in Stripe Elements (by its payment method id).",
    body=MethodIn,
    response=MethodOut,
    status=201,
    action="billing.manage",
    errors=(404, 503),
)
def add_payment_method(call: Call) -> MethodOut:
    body: MethodIn = call.body
    method = payment_methods.add_method(_tenant(call), body.payment_method_id, body.default)
    return MethodOut(**method)


@resource.route(
    "/v1/billing/payment-methods/{method_id}/default",
    "POST",
    summary="Make a card the one that pays the subscription.",
    response=MethodOut,
    action="billing.manage",
    errors=(404, 503),
)
def choose_default_payment_method(call: Call, method_id: str) -> MethodOut:
    return MethodOut(**payment_methods.choose_default(_tenant(call), method_id))


@resource.route(
    "/v1/billing/payment-methods/{method_id}",
    "DELETE",
    summary="Remove a card (not the only one while a subscription charges it).",
    status=204,
    action="billing.manage",
    errors=(404, 409, 503),
)
def remove_payment_method(call: Call, method_id: str) -> Response:
    payment_methods.remove_method(_tenant(call), method_id)
    return Response(body="", status_code=204)


@resource.route(
    "/v1/billing/subscription",
    "PUT",
    summary="Change the plan and the add-on quantities (one Stripe call; Free = cancel at "
    "the end of the period).",
    body=SubscriptionIn,
    response=BillingOut,
    action="billing.manage",
    errors=(402, 409, 503),
)
def put_subscription(call: Call) -> BillingOut:
    body: SubscriptionIn = call.body
    subscription.change(_tenant(call), body.plan, body.addons.model_dump())
    return BillingOut(**account.overview(_tenant(call)))


@resource.route(
    "/v1/billing/subscription/preview",
    "POST",
    summary="What a change of plan or add-ons would charge today (the prorations).",
    body=SubscriptionIn,
    response=PreviewOut,
    action="billing.manage",
    errors=(409, 503),
)
def preview_subscription(call: Call) -> PreviewOut:
    body: SubscriptionIn = call.body
    return PreviewOut(**subscription.preview(_tenant(call), body.plan, body.addons.model_dump()))


@resource.route(
    "/v1/billing/subscription/cancel",
    "POST",
    summary="Cancel at the end of the period already paid.",
    response=BillingOut,
    action="billing.manage",
    errors=(409, 503),
)
def cancel_subscription(call: Call) -> BillingOut:
    subscription.set_cancel(_tenant(call), True)
    return BillingOut(**account.overview(_tenant(call)))


@resource.route(
    "/v1/billing/subscription/resume",
    "POST",
    summary="Undo a cancellation before the period ends.",
    response=BillingOut,
    action="billing.manage",
    errors=(409, 503),
)
def resume_subscription(call: Call) -> BillingOut:
    subscription.set_cancel(_tenant(call), False)
    return BillingOut(**account.overview(_tenant(call)))


@resource.route(
    "/v1/billing/invoices",
    summary="The account's invoices, newest first, as Stripe issued them.",
    query=PageQuery,
    response=InvoicesOut,
    action="billing.read",
)
def list_invoices(call: Call) -> InvoicesOut:
    from chalicelib.domain.billing.invoices import list_invoices as page

    found, next_cursor = page(call.principal.tenant_id, call.query.limit, call.query.cursor)
    return InvoicesOut(items=[InvoiceOut(**i) for i in found], next_cursor=next_cursor)
