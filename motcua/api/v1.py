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

from . import feedback  # noqa: E402

urlpatterns += [
    path("petitions", feedback.Petitions.as_view(), name="petitions"),
    path("petitions/published", feedback.PublishedPetitions.as_view(), name="petitions-published"),
    path("petitions/published/<str:code>", feedback.PublishedPetition.as_view(), name="petition-published"),
    path("petitions/lookup", feedback.PetitionLookup.as_view(), name="petition-lookup"),
    path("petitions/supplement", feedback.PetitionSupplement.as_view(), name="petition-supplement"),
    path("petitions/<int:petition_id>", feedback.PetitionDetail.as_view(), name="petition"),
    path("petitions/<int:petition_id>/acts", feedback.PetitionActs.as_view(), name="petition-acts"),
    path("ratings", feedback.Ratings.as_view(), name="ratings"),
]
