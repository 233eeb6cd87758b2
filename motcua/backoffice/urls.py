from django.urls import path

from motcua.core import paths  # noqa: F401  (registers the <id:…> converter)

from . import views
from .calendar_views import calendar_page

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("lich-lam-viec/", calendar_page, name="calendar"),
]

from .process_views import process_page  # noqa: E402

urlpatterns += [path("quy-trinh/<str:code>/", process_page, name="process")]

from . import form_views  # noqa: E402

urlpatterns += [
    path("ho-so/<id:dossier_id>/mau/", form_views.dossier_forms, name="dossier-forms"),
    path("ho-so/<id:dossier_id>/mau/<id:seq>.pdf", form_views.event_form_pdf, name="dossier-form-pdf"),
    path("ho-so/<id:dossier_id>/mau/<id:seq>.html", form_views.event_form_html, name="dossier-form-html"),
    path("ho-so/<id:dossier_id>/phieu-kiem-soat.pdf", form_views.control_slip_pdf, name="dossier-slip-pdf"),
    path("so-theo-doi/<slug:unit_code>/<int:year>.pdf", form_views.ledger_pdf, name="ledger-pdf"),
]

from . import counter_views, counters_views, dossier_views  # noqa: E402

urlpatterns += [
    path("quay/", counter_views.counter_page, name="counter"),
    path("quay/goi-so/", counter_views.call_next, name="counter_call"),
    path("quay/quan-ly/", counters_views.counters_page, name="counters"),
    path("quay/ket-qua/<id:dossier_id>/", counter_views.counter_done, name="counter_done"),
    path("ho-so/<id:dossier_id>/", dossier_views.dossier_page, name="dossier"),
    path("ho-so/<id:dossier_id>/thao-tac/", dossier_views.dossier_act, name="dossier_act"),
]

from . import overview_views, queue_views, search_views  # noqa: E402

urlpatterns += [
    path("viec/", queue_views.queues_page, name="queues"),
    path("tong-quan/", overview_views.overview_page, name="overview"),
    path("tim-kiem/", search_views.search_page, name="search"),
]

from . import file_views, handover_views  # noqa: E402

urlpatterns += [
    path("ho-so/<id:dossier_id>/tep/", file_views.upload_file, name="dossier_upload"),
    path("ho-so/<id:dossier_id>/tep/<id:file_id>/", file_views.download_file, name="dossier_file"),
    path("ho-so/<id:dossier_id>/ket-qua.pdf", file_views.result_file, name="dossier_result_file"),
    path("ban-giao/", handover_views.handover_page, name="handover"),
    path("ban-giao-buu-chinh/", handover_views.postal_page, name="postal_handover"),
]

from . import payment_views  # noqa: E402

urlpatterns += [
    path("ho-so/<id:dossier_id>/thu-phi/", payment_views.dossier_fees, name="dossier_fees"),
    path("thanh-toan/<str:reference>/bien-lai.pdf", payment_views.payment_receipt, name="payment_receipt"),
    path("thanh-toan/<str:reference>/hoan-tien/", payment_views.refund, name="payment_refund"),
    path("doi-soat/", payment_views.reconciliation, name="reconciliation"),
]

from . import outbox_views  # noqa: E402

urlpatterns += [
    path("dong-bo/", outbox_views.outbox_page, name="outbox"),
    path("dong-bo/webhook/", outbox_views.webhooks_page, name="webhooks"),
]

from . import feedback_views  # noqa: E402

urlpatterns += [
    path("phan-anh-kien-nghi/", feedback_views.petitions_page, name="petitions"),
    path("phan-anh-kien-nghi/<id:petition_id>/", feedback_views.petition_page, name="petition"),
]

from . import dashboard_views  # noqa: E402

urlpatterns += [
    path("bao-cao/bang-dieu-khien/", dashboard_views.dashboard_page, name="report_dashboard"),
    path("bao-cao/ho-so/", dashboard_views.records_page, name="report_records"),
    path("bao-cao/chi-so-766/", dashboard_views.scorecard_page, name="report_766"),
    path(
        "bao-cao/chi-so-766/<str:indicator>/<str:part>/",
        dashboard_views.indicator_records_page,
        name="report_766_records",
    ),
    path("bao-cao/danh-gia/", dashboard_views.evaluation_page, name="report_evaluation"),
]

from . import report_views  # noqa: E402

urlpatterns += [
    path("bao-cao/ii06a/", report_views.ii06a_page, name="report_ii06a"),
]
