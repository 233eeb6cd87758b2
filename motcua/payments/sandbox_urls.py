from django.urls import path

from . import sandbox

app_name = "payments_sandbox"

urlpatterns = [path("", sandbox.checkout, name="checkout")]
