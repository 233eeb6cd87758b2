"""REST API v1: one module per feature; its routes are listed here."""

from django.urls import path

from . import units
from .catalog import ProcedureDetail, ProcedureList
from .deadlines import DueDate, WorkingCalendarYear
from .forms import DossierFormPdf
from .queue import QueueTickets

urlpatterns = [
    path("units/provinces", units.ProvinceList.as_view(), name="provinces"),
    path("deadlines/due", DueDate.as_view(), name="deadlines-due"),
    path("deadlines/calendar", WorkingCalendarYear.as_view(), name="deadlines-calendar"),
    path("procedures", ProcedureList.as_view(), name="procedures"),
    path("procedures/<str:code>", ProcedureDetail.as_view(), name="procedure"),
    path("dossiers/<int:dossier_id>/forms/<int:seq>", DossierFormPdf.as_view(), name="dossier-form"),
    path("queue/tickets", QueueTickets.as_view(), name="queue-tickets"),
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
