"""Core pages inside an organisation: ``/o/<slug>/...``."""

from django.urls import path, register_converter

from openisms.core import views
from openisms.core.navigation import pending_area_keys


class PendingAreaConverter:
    """Matches only the areas whose app has not landed, so landed apps own their prefix."""

    regex = "|".join(pending_area_keys()) or "(?!)"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PendingAreaConverter, "pending_area")

app_name = "core"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("audit/", views.audit_list, name="audit"),
    path("settings/", views.organization_settings, name="settings"),
    path("settings/members/", views.member_list, name="members"),
    path("settings/members/<str:email>/", views.member_change, name="member_change"),
    path("settings/tokens/", views.token_list, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("<pending_area:area>/", views.area_pending, name="area"),
]
