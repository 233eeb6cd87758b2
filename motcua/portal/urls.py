from django.urls import path

from motcua.core import paths  # noqa: F401  (registers the <id:…> converter)

from . import views
from .calendar_views import calendar_page

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("lich-lam-viec/", calendar_page, name="calendar"),
]

from .catalog_views import catalog_detail, catalog_list  # noqa: E402

urlpatterns += [
    path("thu-tuc/", catalog_list, name="catalog"),
    path("thu-tuc/<str:code>/", catalog_detail, name="catalog_detail"),
]

from . import payment_views  # noqa: E402

urlpatterns += [
    path("thanh-toan/ho-so/<id:dossier_id>/", payment_views.dossier_fees, name="dossier_fees"),
    path("thanh-toan/<str:reference>/", payment_views.payment_page, name="payment"),
    path("thanh-toan/<str:reference>/ket-qua/", payment_views.payment_return, name="payment_return"),
    path("thanh-toan/<str:reference>/bien-lai.pdf", payment_views.payment_receipt, name="payment_receipt"),
]

from . import online_views, tracking_views  # noqa: E402

urlpatterns += [
    path("tra-cuu/", tracking_views.tracking_page, name="tracking"),
    path("thu-tuc/<str:code>/nop-truc-tuyen/", online_views.start_draft, name="start_draft"),
    path("ho-so-cua-toi/", online_views.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/nhap/<id:draft_id>/", online_views.draft_page, name="draft"),
    path("ho-so-cua-toi/<id:dossier_id>/", online_views.my_dossier, name="my_dossier"),
    path("ho-so-cua-toi/<id:dossier_id>/rut-ho-so/", online_views.withdraw, name="withdraw"),
    path(
        "ho-so-cua-toi/<id:dossier_id>/mau/<id:seq>.pdf",
        online_views.my_dossier_form,
        name="my_dossier_form",
    ),
    path("ho-so-cua-toi/<id:dossier_id>/ket-qua.pdf", online_views.my_result, name="my_result"),
    path("kho-du-lieu/", online_views.store_page, name="store"),
    path("kho-du-lieu/<id:document_id>/", online_views.store_download, name="store_download"),
]

from . import feedback_views  # noqa: E402

urlpatterns += [
    path("phan-anh-kien-nghi/", feedback_views.petitions_page, name="petitions"),
    path("phan-anh-kien-nghi/gui/", feedback_views.submit_page, name="petition_submit"),
    path("phan-anh-kien-nghi/da-gui/", feedback_views.sent_page, name="petition_sent"),
    path("phan-anh-kien-nghi/tra-cuu/", feedback_views.lookup_page, name="petition_lookup"),
    path("phan-anh-kien-nghi/<str:code>/", feedback_views.petition_page, name="petition"),
    path("danh-gia/", feedback_views.rate_page, name="rating"),
    path("danh-gia/da-gui/", feedback_views.rated_page, name="rating_done"),
]

from .stats_views import statistics_page  # noqa: E402

urlpatterns += [path("thong-ke/", statistics_page, name="statistics")]
