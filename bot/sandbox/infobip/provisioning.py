"""Sandbox part: applications, entities and resource associations.

Infobip paths (legacy error body; ids are chosen by the caller, as in Infobip):
  GET|POST             /provisioning/1/applications                  page + size -> {results, paging}; create 201
  GET|PUT|DELETE       /provisioning/1/applications/{applicationId}  PUT renames (204); DELETE (200)
                                                                     hands its resources to `default`
  GET|POST             /provisioning/1/entities                      the same for entities
  GET|PUT|DELETE       /provisioning/1/entities/{entityId}
  GET|POST|DELETE      /provisioning/1/associations                  list with filters + paging; create
                                                                     201 (409 if it exists); DELETE with
                                                                     the same JSON body 204 (404 if absent)
  GET                  /provisioning/1/associations/single           one exact association

The `default` application exists from the start and cannot be deleted. A NUMBER association needs
a number this account owns (resourceId = numberKey) with the channel's capability; other resource
types are taken as given, on the channels they serve.

Admin (under /_sandbox):
  GET /provisioning   every application, entity and association, unpaged
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.sandbox.infobip.web import Problem, answers, bad_request, json_body, no_content, paged, query_int

if TYPE_CHECKING:
    from bot.sandbox.infobip.sandbox import InfobipSandbox

DEFAULT_APPLICATION = "default"
MAX_ID = 255

# Which channels each resource type can be associated on.
CHANNELS_BY_RESOURCE = {
    "NUMBER": {"SMS", "MMS", "WHATSAPP"},
    "DOMAIN": {"EMAIL"},
    "ALPHA": {"SMS"},
    "RCS_RESOURCE": {"RCS"},
    "APPLE_RESOURCE": {"APPLE"},
}
# A number can only carry traffic its capabilities allow.
CAPABILITY_FOR_CHANNEL = {"SMS": "SMS", "MMS": "MMS"}
ASSOCIATION_FIELDS = ("resourceType", "channel", "applicationId", "entityId", "resourceId")


def _association_view(association: dict) -> dict:
    # entityId is a plain string in the contract: a missing entity is left out, not null.
    return {key: value for key, value in association.items() if value is not None}


class _Directory:
    """Applications or entities: caller-chosen ids with a descriptive name."""

    def __init__(self, kind: str) -> None:
        self.kind = kind  # "application" or "entity"
        self.id_field = f"{kind}Id"
        self.name_field = f"{kind}Name"
        self.items: dict[str, dict] = {}

    def get(self, request: Request) -> dict:
        item = self.items.get(request.path_params[self.id_field])
        if item is None:
            raise Problem(404, f"{self.kind.capitalize()} not found.")
        return item

    def create(self, body: dict) -> None:
        item_id = body.get(self.id_field)
        if not isinstance(item_id, str) or not item_id.strip():
            raise bad_request(self.id_field, "must not be blank")
        if len(item_id) > MAX_ID:
            raise bad_request(self.id_field, f"size must be between 0 and {MAX_ID}")
        if item_id in self.items:
            raise Problem(409, f"{self.kind.capitalize()} {item_id} already exists.")
        self.items[item_id] = {self.id_field: item_id, self.name_field: self._name(body)}

    def rename(self, item: dict, body: dict) -> None:
        item[self.name_field] = self._name(body)

    def _name(self, body: dict) -> str | None:
        name = body.get(self.name_field)
        if name is not None and (not isinstance(name, str) or len(name) > MAX_ID):
            raise bad_request(self.name_field, f"size must be between 0 and {MAX_ID}")
        return name

    @staticmethod
    def view(item: dict) -> dict:
        return {key: value for key, value in item.items() if value is not None}


class ProvisioningPart:
    def __init__(self, sandbox: InfobipSandbox) -> None:
        self.sandbox = sandbox
        self.applications = _Directory("application")
        self.entities = _Directory("entity")
        self.applications.items[DEFAULT_APPLICATION] = {
            "applicationId": DEFAULT_APPLICATION,
            "applicationName": "Default application",
        }
        self.associations: list[dict] = []

    # -- used by the other parts -------------------------------------------------------------

    def has_application(self, application_id: str) -> bool:
        return application_id in self.applications.items

    def has_entity(self, entity_id: str) -> bool:
        return entity_id in self.entities.items

    def forget_resource(self, resource_type: str, resource_id: str) -> None:
        """Drop the associations of a resource that is gone (a cancelled number)."""
        self.associations = [
            a for a in self.associations if (a["resourceType"], a["resourceId"]) != (resource_type, resource_id)
        ]

    def _relink(self, application_id: str | None = None, entity_id: str | None = None) -> None:
        """Hand a deleted application's or entity's resources to `default`, entity null."""
        kept: list[dict] = []
        for association in self.associations:
            if association["applicationId"] == application_id or (
                entity_id is not None and association["entityId"] == entity_id
            ):
                association = {**association, "applicationId": DEFAULT_APPLICATION, "entityId": None}
            if association not in kept:  # two may now be the same association
                kept.append(association)
        self.associations = kept
        self.sandbox.numbers.relink(application_id, entity_id)

    # -- Infobip routes ----------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        routes = [
            Route("/provisioning/1/associations/single", answers(self.get_association), methods=["GET"]),
            Route("/provisioning/1/associations", answers(self.list_associations), methods=["GET"]),
            Route("/provisioning/1/associations", answers(self.create_association), methods=["POST"]),
            Route("/provisioning/1/associations", answers(self.delete_association), methods=["DELETE"]),
        ]
        for directory, plural in ((self.applications, "applications"), (self.entities, "entities")):
            routes.extend(self._directory_routes(directory, plural))
        return routes

    def _directory_routes(self, directory: _Directory, plural: str) -> list[BaseRoute]:
        async def list_items(request: Request) -> Response:
            items = sorted(directory.items.values(), key=lambda item: item[directory.id_field])
            results, paging = self._page(request, items)
            return JSONResponse({"results": [directory.view(i) for i in results], "paging": paging})

        async def create(request: Request) -> Response:
            directory.create(await json_body(request))
            return no_content(201)

        async def get(request: Request) -> Response:
            return JSONResponse(directory.view(directory.get(request)))

        async def modify(request: Request) -> Response:
            directory.rename(directory.get(request), await json_body(request))
            return no_content(204)

        async def delete(request: Request) -> Response:
            item = directory.get(request)
            item_id = item[directory.id_field]
            if directory is self.applications and item_id == DEFAULT_APPLICATION:
                raise Problem(400, "The default application cannot be deleted.")
            del directory.items[item_id]
            if directory is self.applications:
                self._relink(application_id=item_id)
            else:
                self._relink(entity_id=item_id)
            return no_content(200)

        base, one = f"/provisioning/1/{plural}", f"/provisioning/1/{plural}/{{{directory.id_field}}}"
        return [
            Route(base, answers(list_items), methods=["GET"]),
            Route(base, answers(create), methods=["POST"]),
            Route(one, answers(get), methods=["GET"]),
            Route(one, answers(modify), methods=["PUT"]),
            Route(one, answers(delete), methods=["DELETE"]),
        ]

    @staticmethod
    def _page(request: Request, items: list) -> tuple[list, dict]:
        size = query_int(request, "size", 20, minimum=1, maximum=1000)
        return paged(items, query_int(request, "page", 0), size)

    async def list_associations(self, request: Request) -> Response:
        params = request.query_params
        found = [a for a in self.associations if all(params.get(f) in (None, a[f]) for f in ASSOCIATION_FIELDS)]
        results, paging = self._page(request, found)
        return JSONResponse({"results": [_association_view(a) for a in results], "paging": paging})

    async def get_association(self, request: Request) -> Response:
        params = request.query_params
        for field in ("resourceType", "channel", "applicationId", "resourceId"):
            if not params.get(field):
                raise bad_request(field, "must not be null")
        wanted = {field: params.get(field) or None for field in ASSOCIATION_FIELDS}
        if wanted not in self.associations:
            raise Problem(404, "Resource association not found.")
        return JSONResponse(_association_view(wanted))

    def _association_from(self, body: dict) -> dict:
        errors: dict[str, list[str]] = {}
        for field in ("resourceType", "channel", "applicationId", "resourceId"):
            if not isinstance(body.get(field), str) or not body[field]:
                errors[field] = ["must not be null"]
        if "entityId" not in body:
            # Required by the contract; the documented way to say "no entity" is null.
            errors["entityId"] = ["must be present (null when there is no entity)"]
        resource_type, channel = body.get("resourceType"), body.get("channel")
        if resource_type and resource_type not in CHANNELS_BY_RESOURCE:
            errors["resourceType"] = [f"must be one of {sorted(CHANNELS_BY_RESOURCE)}"]
        elif resource_type and channel and channel not in CHANNELS_BY_RESOURCE[resource_type]:
            errors["channel"] = [f"{resource_type} resources serve {sorted(CHANNELS_BY_RESOURCE[resource_type])}"]
        if errors:
            raise Problem(400, "Bad request", errors)
        return {field: body.get(field) or None for field in ASSOCIATION_FIELDS}

    async def create_association(self, request: Request) -> Response:
        association = self._association_from(await json_body(request))
        if not self.has_application(association["applicationId"]):
            raise Problem(404, f"Application {association['applicationId']} not found.")
        if association["entityId"] is not None and not self.has_entity(association["entityId"]):
            raise Problem(404, f"Entity {association['entityId']} not found.")
        if association["resourceType"] == "NUMBER":
            number = self.sandbox.numbers.owned_number(association["resourceId"])
            if number is None:
                raise Problem(404, f"Number {association['resourceId']} not found.")
            capability = CAPABILITY_FOR_CHANNEL.get(association["channel"])
            if capability and capability not in number["capabilities"]:
                raise bad_request("channel", f"number {number['number']} has no {capability} capability")
        if association in self.associations:
            raise Problem(409, "Resource association already exists.")
        self.associations.append(association)
        return no_content(201)

    async def delete_association(self, request: Request) -> Response:
        association = self._association_from(await json_body(request))
        if association not in self.associations:
            raise Problem(404, "Resource association not found.")
        self.associations.remove(association)
        return no_content(204)

    # -- admin -------------------------------------------------------------------------------

    def admin_routes(self) -> list[BaseRoute]:
        async def everything(request: Request) -> Response:
            return JSONResponse(
                {
                    "applications": [_Directory.view(a) for a in self.applications.items.values()],
                    "entities": [_Directory.view(e) for e in self.entities.items.values()],
                    "associations": [_association_view(a) for a in self.associations],
                }
            )

        return [Route("/provisioning", everything, methods=["GET"])]

    async def run(self) -> None:
        return None
