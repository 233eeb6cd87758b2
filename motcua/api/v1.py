"""REST API v1: one module per feature registers its routes here."""

from django.urls import path

from . import units

urlpatterns = [
    path("units/provinces", units.ProvinceList.as_view(), name="provinces"),
]
