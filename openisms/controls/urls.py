"""Pages of the controls and the SoA: ``/o/<slug>/controls/...``."""

from django.urls import path

from openisms.controls import views

app_name = "controls"
_CONTROL = "<str:control_ref>/"
_VERSION = "versions/<int:soa_version>/"
urlpatterns = [
    path("", views.soa_page, name="soa"),
    path("check/", views.check_page, name="check"),
    path("export/", views.soa_export, name="export"),
    path("new/", views.control_new, name="create"),
    path("versions/", views.version_list, name="versions"),
    path("versions/publish/", views.version_publish, name="publish"),
    path("versions/diff/", views.version_diff, name="diff"),
    path(_VERSION, views.version_detail, name="version"),
    path(_VERSION + "decide/", views.version_decide, name="decide"),
    path(_CONTROL, views.control_detail, name="detail"),
    path(_CONTROL + "edit/", views.control_edit, name="edit"),
    path(_CONTROL + "row/", views.control_row, name="row"),
    path(_CONTROL + "links/new/", views.link_add, name="link_add"),
]
