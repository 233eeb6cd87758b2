"""REST API v1: one module per feature; its routes are listed here."""

from django.urls import path

from motcua.core import paths  # noqa: F401  (registers the <id:…> converter)

from . import dossiers, units
from .catalog import BoundaryIndependentList, ProcedureDetail, ProcedureList
from .deadlines import DueDate, WorkingCalendarYear
from .forms import DossierFormPdf
from .outbox import DeliveryList, DeliveryRetry, DeliverySkip, SubscriptionActive, SubscriptionList
from .queue import QueueTickets

urlpatterns = [
    path("units/provinces", units.ProvinceList.as_view(), name="provinces"),
    path("one-stop-units/<id:unit_id>/counters", units.CounterList.as_view(), name="unit-counters"),
    path(
        "one-stop-units/<id:unit_id>/counters/<int:number>",
        units.CounterDetail.as_view(),
        name="unit-counter",
    ),
    path("deadlines/due", DueDate.as_view(), name="deadlines-due"),
    path("deadlines/calendar", WorkingCalendarYear.as_view(), name="deadlines-calendar"),
    path("procedures", ProcedureList.as_view(), name="procedures"),
    path(
        "catalog/boundary-independent-list",
        BoundaryIndependentList.as_view(),
        name="boundary-independent-list",
    ),
    path("procedures/<str:code>", ProcedureDetail.as_view(), name="procedure"),
    path("dossiers", dossiers.DossierList.as_view(), name="dossiers"),
    path("dossiers/<id:dossier_id>", dossiers.DossierDetail.as_view(), name="dossier"),
    path(
        "dossiers/<id:dossier_id>/components",
        dossiers.DossierComponents.as_view(),
        name="dossier-components",
    ),
    path(
        "dossiers/<id:dossier_id>/components/<id:component_id>/files",
        dossiers.ComponentFiles.as_view(),
        name="dossier-component-files",
    ),
    path("dossiers/<id:dossier_id>/files/<id:file_id>", dossiers.FileDownload.as_view(), name="dossier-file"),
    path("dossiers/<id:dossier_id>/tasks", dossiers.DossierTasks.as_view(), name="dossier-tasks"),
    path("dossiers/<id:dossier_id>/timeline", dossiers.DossierTimeline.as_view(), name="dossier-timeline"),
    *(
        path(f"dossiers/<id:dossier_id>/acts/{name}", dossiers.act_view(spec).as_view(), name=f"act-{name}")
        for name, spec in dossiers.ACTS.items()
    ),
    path("dossiers/<id:dossier_id>/forms/<id:seq>", DossierFormPdf.as_view(), name="dossier-form"),
    path("queue/tickets", QueueTickets.as_view(), name="queue-tickets"),
    path("outbox/deliveries", DeliveryList.as_view(), name="outbox-deliveries"),
    path("outbox/deliveries/<id:delivery_id>/retry", DeliveryRetry.as_view(), name="outbox-retry"),
    path("outbox/deliveries/<id:delivery_id>/skip", DeliverySkip.as_view(), name="outbox-skip"),
    path("outbox/webhooks", SubscriptionList.as_view(), name="outbox-webhooks"),
    path(
        "outbox/webhooks/<id:subscription_id>/active",
        SubscriptionActive.as_view(),
        name="outbox-webhook-active",
    ),
]

from . import payments  # noqa: E402

urlpatterns += [
    path("dossiers/<id:dossier_id>/fees", payments.DossierFees.as_view(), name="dossier-fees"),
    path("dossiers/<id:dossier_id>/payments", payments.DossierPayments.as_view(), name="dossier-payments"),
    path("payments/reconciliation", payments.Reconciliation.as_view(), name="payments-reconciliation"),
    path("payments/callbacks/<str:gateway>", payments.GatewayCallback.as_view(), name="payments-callback"),
    path("payments/<str:reference>", payments.PaymentDetail.as_view(), name="payment"),
    path("payments/<str:reference>/receipt", payments.PaymentReceipt.as_view(), name="payment-receipt"),
    path("payments/<str:reference>/refund", payments.PaymentRefund.as_view(), name="payment-refund"),
]

from . import feedback  # noqa: E402

urlpatterns += [
    path("petitions", feedback.Petitions.as_view(), name="petitions"),
    path("petitions/published", feedback.PublishedPetitions.as_view(), name="petitions-published"),
    path("petitions/published/<str:code>", feedback.PublishedPetition.as_view(), name="petition-published"),
    path("petitions/lookup", feedback.PetitionLookup.as_view(), name="petition-lookup"),
    path("petitions/supplement", feedback.PetitionSupplement.as_view(), name="petition-supplement"),
    path("petitions/<id:petition_id>", feedback.PetitionDetail.as_view(), name="petition"),
    path("petitions/<id:petition_id>/acts", feedback.PetitionActs.as_view(), name="petition-acts"),
    path("ratings", feedback.Ratings.as_view(), name="ratings"),
]

from . import reports_index  # noqa: E402

urlpatterns += [
    path("reports/index766", reports_index.Index766.as_view(), name="reports-index766"),
    path(
        "reports/index766/<str:indicator>/<str:part>",
        reports_index.Index766Records.as_view(),
        name="reports-index766-records",
    ),
    path("reports/dashboard", reports_index.Dashboard.as_view(), name="reports-dashboard"),
    path("reports/evaluation", reports_index.Evaluation.as_view(), name="reports-evaluation"),
    path(
        "reports/public-statistics",
        reports_index.PublicStatistics.as_view(),
        name="reports-public-statistics",
    ),
]

from . import reports_ii06a  # noqa: E402

urlpatterns += [
    path("reports/ii06a", reports_ii06a.II06a.as_view(), name="reports-ii06a"),
    path("reports/ii06a.xlsx", reports_ii06a.II06aExcel.as_view(), name="reports-ii06a-xlsx"),
    path("reports/ii06a.pdf", reports_ii06a.II06aPdf.as_view(), name="reports-ii06a-pdf"),
]

from . import portal  # noqa: E402

urlpatterns += [
    path("tracking", portal.Tracking.as_view(), name="tracking"),
    path("me/drafts", portal.Drafts.as_view(), name="me-drafts"),
    path("me/drafts/<id:draft_id>", portal.DraftDetail.as_view(), name="me-draft"),
    path(
        "me/drafts/<id:draft_id>/components/<id:template_id>",
        portal.DraftComponent.as_view(),
        name="me-draft-component",
    ),
    path(
        "me/drafts/<id:draft_id>/components/<id:template_id>/file",
        portal.DraftComponentFile.as_view(),
        name="me-draft-component-file",
    ),
    path("me/drafts/<id:draft_id>/submit", portal.DraftSubmit.as_view(), name="me-draft-submit"),
    path("me/dossiers", portal.MyDossiers.as_view(), name="me-dossiers"),
    path("me/dossiers/<id:dossier_id>", portal.MyDossier.as_view(), name="me-dossier"),
    path("me/dossiers/<id:dossier_id>/result", portal.MyResult.as_view(), name="me-dossier-result"),
    path(
        "me/dossiers/<id:dossier_id>/completion", portal.MyCompletion.as_view(), name="me-dossier-completion"
    ),
    path("me/documents", portal.Documents.as_view(), name="me-documents"),
    path("me/documents/<id:document_id>/file", portal.DocumentFile.as_view(), name="me-document-file"),
]
