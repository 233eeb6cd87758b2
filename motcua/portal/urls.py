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

from .stats_views import statistics_page  # noqa: E402

urlpatterns += [path("thong-ke/", statistics_page, name="statistics")]
