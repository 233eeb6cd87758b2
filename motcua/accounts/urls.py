from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-ky/", views.register_view, name="register"),
    path("xac-minh/", views.verify_view, name="verify"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("dang-xuat-moi-noi/", views.logout_everywhere_view, name="logout_everywhere"),
    path(
        "doi-mat-khau/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url="/tai-khoan/doi-mat-khau/xong/"
        ),
        name="password_change",
    ),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
]
