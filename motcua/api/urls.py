from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
    path("docs/swagger/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger"),
    path("v1/", include("motcua.api.v1")),
]
