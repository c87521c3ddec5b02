"""The API: `/api/`, OpenAPI at `/api/openapi.json`, interactive docs at `/api/docs`.

Reads are public where the pages are, and scoped to the caller (token, session or anonymous)
by the same selectors the pages use; writes need a token (`stadsdel token create --user NAME`)
or a signed-in session and go through the same services, so a write the page refuses the API
refuses too."""

from ninja import NinjaAPI

from stadsdel.api.core import authorization_checked, service_errors
from stadsdel.api.routers import (
    agreements,
    areas,
    evaluation,
    followup,
    funding,
    indicators,
    indices,
    jobs,
    plans,
)

api = NinjaAPI(
    title="Stadsdel API",
    version="1",
    description="Områdesbaserat urbant utvecklingsarbete: registry, statistics, index, plans and reports.",
    urls_namespace="api",
)
service_errors(api)
authorization_checked(api)
api.add_router("/areas/", areas.router)
api.add_router("/agreements/", agreements.router)
api.add_router("/indicators/", indicators.router)
api.add_router("/indices/", indices.router)
api.add_router("/plans/", plans.router)
api.add_router("/followup/", followup.router)
api.add_router("/evaluation/", evaluation.router)
api.add_router("/funding/", funding.router)
api.add_router("/tasks/", jobs.router)
