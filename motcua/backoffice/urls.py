from django.urls import path

from . import views
from .calendar_views import calendar_page

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("lich-lam-viec/", calendar_page, name="calendar"),
]

from .process_views import process_page  # noqa: E402

urlpatterns += [path("quy-trinh/<str:code>/", process_page, name="process")]
