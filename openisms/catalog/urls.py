"""Catalogue pages: ``/o/<slug>/catalog/...``."""

from django.urls import path

from openisms.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.framework_list, name="frameworks"),
    path("annex-a/", views.annex_a, name="annex_a"),
    path("search/", views.search, name="search"),
    path("frameworks/<str:framework_code>/", views.framework_detail, name="framework"),
    path(
        "frameworks/<str:framework_code>/<str:requirement_ref>/",
        views.requirement_detail,
        name="requirement",
    ),
]
