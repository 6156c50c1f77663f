"""Root URLs: accounts, pages inside an organisation (``/o/<slug>/``), the API (``/api/v1/``)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from openisms.api.api import api
from openisms.core import views as core_views
from openisms.core.forms import LoginForm

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", api.urls),
    path("o/<slug:org_slug>/catalog/", include("openisms.catalog.urls")),
    path("o/<slug:org_slug>/context/", include("openisms.context.urls")),
    path("o/<slug:org_slug>/assets/", include("openisms.assets.urls")),
    path("o/<slug:org_slug>/risks/", include("openisms.risks.urls")),
    path("o/<slug:org_slug>/controls/", include("openisms.controls.urls")),
    path("o/<slug:org_slug>/", include("openisms.core.urls")),
]

handler403 = "openisms.core.views.handler403"
handler404 = "openisms.core.views.handler404"
handler500 = "openisms.core.views.handler500"
