from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from motcua.accounts.views import oidc_authenticate_view, oidc_callback_view

admin.site.site_header = "motcua — quản trị kỹ thuật"
admin.site.site_title = "motcua"

urlpatterns = [
    path("", include("motcua.portal.urls")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("tai-khoan/", include("motcua.accounts.urls")),
    # Guarded: without a configured identity provider these answer with the login page, not a 500.
    path("oidc/authenticate/", oidc_authenticate_view, name="oidc_authentication_init"),
    path("oidc/callback/", oidc_callback_view, name="oidc_authentication_callback"),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("api/", include("motcua.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("quan-tri/", admin.site.urls),
    path("cong-thanh-toan-thu-nghiem/", include("motcua.payments.sandbox_urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
