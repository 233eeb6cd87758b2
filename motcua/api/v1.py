"""REST API v1: one module per feature; its routes are listed here."""

from django.urls import path

from . import units
from .catalog import ProcedureDetail, ProcedureList
from .deadlines import DueDate, WorkingCalendarYear
from .forms import DossierFormPdf
from .outbox import DeliveryList, DeliveryRetry, DeliverySkip, SubscriptionActive, SubscriptionList
from .queue import QueueTickets

urlpatterns = [
    path("units/provinces", units.ProvinceList.as_view(), name="provinces"),
    path("deadlines/due", DueDate.as_view(), name="deadlines-due"),
    path("deadlines/calendar", WorkingCalendarYear.as_view(), name="deadlines-calendar"),
    path("procedures", ProcedureList.as_view(), name="procedures"),
    path("procedures/<str:code>", ProcedureDetail.as_view(), name="procedure"),
    path("dossiers/<int:dossier_id>/forms/<int:seq>", DossierFormPdf.as_view(), name="dossier-form"),
    path("queue/tickets", QueueTickets.as_view(), name="queue-tickets"),
    path("outbox/deliveries", DeliveryList.as_view(), name="outbox-deliveries"),
    path("outbox/deliveries/<int:delivery_id>/retry", DeliveryRetry.as_view(), name="outbox-retry"),
    path("outbox/deliveries/<int:delivery_id>/skip", DeliverySkip.as_view(), name="outbox-skip"),
    path("outbox/webhooks", SubscriptionList.as_view(), name="outbox-webhooks"),
    path(
        "outbox/webhooks/<int:subscription_id>/active",
        SubscriptionActive.as_view(),
        name="outbox-webhook-active",
    ),
]

from . import payments  # noqa: E402

urlpatterns += [
    path("dossiers/<int:dossier_id>/fees", payments.DossierFees.as_view(), name="dossier-fees"),
    path("dossiers/<int:dossier_id>/payments", payments.DossierPayments.as_view(), name="dossier-payments"),
    path("payments/reconciliation", payments.Reconciliation.as_view(), name="payments-reconciliation"),
    path("payments/callbacks/<str:gateway>", payments.GatewayCallback.as_view(), name="payments-callback"),
    path("payments/<str:reference>", payments.PaymentDetail.as_view(), name="payment"),
    path("payments/<str:reference>/receipt", payments.PaymentReceipt.as_view(), name="payment-receipt"),
    path("payments/<str:reference>/refund", payments.PaymentRefund.as_view(), name="payment-refund"),
]
