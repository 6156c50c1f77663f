"""The NinjaAPI instance; each domain module adds its router here."""

from ninja import NinjaAPI

from openisms import __version__
from openisms.api import assets, catalog, context, controls, core, errors, risks
from openisms.api.base import AUTH, FastJSONRenderer, refuse_unwritable

api = NinjaAPI(
    title="OpenISMS API",
    version="1",
    description=(
        "The JSON API of OpenISMS. Authenticate with `Authorization: Bearer <token>` (create a "
        "token on the tokens page or with `openisms token create`) or the browser session. "
        "Collections live at `/api/v1/orgs/{slug}/<collection>`; lists take `page` and "
        '`page_size`. Errors are `{"detail": ..., "errors": {field: [messages]}}`.'
    ),
    auth=AUTH,
    renderer=FastJSONRenderer(),
    urls_namespace="api",
    openapi_extra={"info": {"x-openisms-version": __version__}},
)
errors.install(api)
api.add_decorator(refuse_unwritable)
api.add_router("", core.router)
api.add_router("", catalog.router)
api.add_router("", context.router)
api.add_router("", assets.router)
api.add_router("", risks.router)
api.add_router("", controls.router)
