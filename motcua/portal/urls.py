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
