"""Pages of the asset inventory: ``/o/<slug>/assets/...``."""

from django.urls import path

from openisms.assets import views

app_name = "assets"
urlpatterns = [
    path("", views.asset_list, name="list"),
    path("new/", views.asset_create, name="create"),
    path("bulk/", views.asset_bulk, name="bulk"),
    path("export/", views.asset_export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<uuid:job_id>/", views.import_preview, name="import_preview"),
    path("settings/", views.asset_settings, name="settings"),
    path("<str:asset_ref>/", views.asset_detail, name="detail"),
    path("<str:asset_ref>/edit/", views.asset_edit, name="edit"),
    path("<str:asset_ref>/delete/", views.asset_delete, name="delete"),
]
