"""Context pages: ``/o/<slug>/context/...``."""

from django.urls import path

from openisms.context import views

app_name = "context"
_VERSION = "scope/versions/<int:scope_version>/"
_ISSUE = "issues/<str:issue_ref>/"
_PARTY = "interested-parties/<str:party_ref>/"
_REQUIREMENT = _PARTY + "requirements/<int:party_requirement_id>/"
_OBLIGATION = "obligations/<str:obligation_ref>/"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("scope/", views.scope_page, name="scope"),
    path("scope/new/", views.scope_new, name="scope_new"),
    path("scope/compare/", views.scope_compare, name="scope_compare"),
    path(_VERSION, views.scope_version, name="scope_version"),
    path(_VERSION + "edit/", views.scope_edit, name="scope_edit"),
    path(_VERSION + "submit/", views.scope_submit, name="scope_submit"),
    path(_VERSION + "approve/", views.scope_approve, name="scope_approve"),
    path(_VERSION + "reject/", views.scope_reject, name="scope_reject"),
    path(_VERSION + "delete/", views.scope_delete, name="scope_delete"),
    path("issues/", views.issue_list, name="issues"),
    path("issues/new/", views.issue_create, name="issue_new"),
    path(_ISSUE, views.issue_detail, name="issue"),
    path(_ISSUE + "edit/", views.issue_edit, name="issue_edit"),
    path(_ISSUE + "delete/", views.issue_delete, name="issue_delete"),
    path("interested-parties/", views.party_list, name="parties"),
    path("interested-parties/new/", views.party_create, name="party_new"),
    path(_PARTY, views.party_detail, name="party"),
    path(_PARTY + "edit/", views.party_edit, name="party_edit"),
    path(_PARTY + "delete/", views.party_delete, name="party_delete"),
    path(_PARTY + "requirements/new/", views.requirement_create, name="requirement_new"),
    path(_REQUIREMENT + "edit/", views.requirement_edit, name="requirement_edit"),
    path(_REQUIREMENT + "delete/", views.requirement_delete, name="requirement_delete"),
    path("obligations/", views.obligation_list, name="obligations"),
    path("obligations/new/", views.obligation_create, name="obligation_new"),
    path(_OBLIGATION, views.obligation_detail, name="obligation"),
    path(_OBLIGATION + "edit/", views.obligation_edit, name="obligation_edit"),
    path(_OBLIGATION + "delete/", views.obligation_delete, name="obligation_delete"),
]
