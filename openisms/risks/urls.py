"""Pages of risk management: ``/o/<slug>/risks/...``."""

from django.urls import path

from openisms.risks.views import library, methodology, register, treatment

app_name = "risks"
urlpatterns = [
    path("", register.risk_list, name="register"),
    path("new/", register.risk_create, name="create"),
    path("heatmap/", treatment.heatmap_view, name="heatmap"),
    path("treatment-plan/", treatment.treatment_plan, name="plan"),
    path("export/", treatment.risk_export, name="export"),
    path("methodology/", methodology.methodology_view, name="methodology"),
    path("methodology/new/", methodology.methodology_new, name="methodology_new"),
    path("methodology/edit/", methodology.methodology_edit, name="methodology_edit"),
    path("methodology/versions/", methodology.methodology_versions, name="methodology_versions"),
    path(
        "methodology/versions/<int:methodology_version>/",
        methodology.methodology_version,
        name="methodology_version",
    ),
    path("methodology/reassess/", methodology.methodology_reassess, name="reassess"),
    path("threats/", library.threat_list, name="threats"),
    path("threats/new/", library.threat_create, name="threat_create"),
    path("threats/<str:threat_ref>/", library.threat_detail, name="threat"),
    path("threats/<str:threat_ref>/edit/", library.threat_edit, name="threat_edit"),
    path("vulnerabilities/", library.vulnerability_list, name="vulnerabilities"),
    path("vulnerabilities/new/", library.vulnerability_create, name="vulnerability_create"),
    path(
        "vulnerabilities/<str:vulnerability_ref>/",
        library.vulnerability_detail,
        name="vulnerability",
    ),
    path(
        "vulnerabilities/<str:vulnerability_ref>/edit/",
        library.vulnerability_edit,
        name="vulnerability_edit",
    ),
    path(
        "vulnerabilities/<str:vulnerability_ref>/delete/",
        library.vulnerability_delete,
        name="vulnerability_delete",
    ),
    path("<str:risk_ref>/", register.risk_detail, name="detail"),
    path("<str:risk_ref>/edit/", register.risk_edit, name="edit"),
    path("<str:risk_ref>/treatment/", register.risk_treatment, name="treatment"),
    path("<str:risk_ref>/assess/", register.risk_assess, name="assess"),
    path("<str:risk_ref>/accept/", register.risk_accept, name="accept"),
    path("<str:risk_ref>/close/", register.risk_close, name="close"),
    path("<str:risk_ref>/delete/", register.risk_delete, name="delete"),
    path("<str:risk_ref>/actions/new/", treatment.action_create, name="action_create"),
    path(
        "<str:risk_ref>/actions/<int:action_id>/edit/",
        treatment.action_edit,
        name="action_edit",
    ),
    path(
        "<str:risk_ref>/actions/<int:action_id>/delete/",
        treatment.action_delete,
        name="action_delete",
    ),
]
