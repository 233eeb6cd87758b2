from django.urls import path

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
    path("thanh-toan/ho-so/<int:dossier_id>/", payment_views.dossier_fees, name="dossier_fees"),
    path("thanh-toan/<str:reference>/", payment_views.payment_page, name="payment"),
    path("thanh-toan/<str:reference>/ket-qua/", payment_views.payment_return, name="payment_return"),
    path("thanh-toan/<str:reference>/bien-lai.pdf", payment_views.payment_receipt, name="payment_receipt"),
]
