"""Sandbox part: webhook subscriptions, profiles, security settings and certificates.

Infobip paths (error body: whatever `uses_legacy_errors` says for the path; ids are caller-chosen):
  GET|POST        /subscriptions/1/subscription/{channel}                   list (page, size, applicationId,
                                                                            entityId, callsConfigurationId,
                                                                            resource, user) newest first; create 201
  GET|PUT|DELETE  /subscriptions/1/subscription/{channel}/{subscriptionId}
  GET|POST        /subscriptions/1/profiles             GET|PUT|DELETE /subscriptions/1/profiles/{profileId}
  GET|POST        /subscriptions/1/security             GET|PUT|DELETE /subscriptions/1/security/{authId}
  GET|POST        /subscriptions/1/certificates         GET|DELETE     /subscriptions/1/certificates/{certificateId}
  GET             /subscriptions/1/certificates/status[/{certificateId}]
  POST            /subscriptions/1/certificates/test/webhook   connects to the URL (an empty JSON POST,
                                                               not an event) -> SUCCESS | FAIL

A subscription names an existing profile by id or defines a new one inline (and a profile does
the same with its security settings). Something still in use (a profile by a subscription,
security by a profile, a certificate by a profile) cannot be deleted: 400. A new certificate is
PROCESSING for its first second of sandbox time, then READY until it expires.

No admin routes. For the lifecycle: `targets(channel, event)` lists where a webhook would go.
"""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.sandbox.infobip.web import Problem, answers, bad_request, json_body, paged, query_int, query_list

if TYPE_CHECKING:
    from bot.sandbox.infobip.sandbox import InfobipSandbox

CHANNELS = {
    "AGENT_OS",
    "APPLE_MESSAGES_FOR_BUSINESS",
    "BLOCKLIST",
    "CUSTOMER_ENGAGEMENT",
    "EMAIL",
    "FACEBOOK",
    "KAKAO_ALIM",
    "KAKAO_BRAND_MESSAGE",
    "LINE",
    "MMS",
    "MOBILE_IDENTITY",
    "MOBILE_PUSH",
    "NUMBER_LOOKUP",
    "OPEN_CHANNEL",
    "RCS",
    "REGISTRATION",
    "SMS",
    "VIBER",
    "VOICE_VIDEO",
    "WEB_PUSH",
    "WHATSAPP",
    "ZALO",
}
# Events checked per channel where the bot cares; other channels take their events as given.
EVENTS = {
    "REGISTRATION": {
        "AI_CAMPAIGN_BUILDER",
        "AI_CAMPAIGN_FEEDBACK",
        "BRAND_AUTH_UPDATE",
        "BRAND_STATUS_UPDATE",
        "BRAND_VET_UPDATE",
        "CAMPAIGN_NETWORK_STATUS_UPDATE",
        "CAMPAIGN_STATUS_UPDATE",
        "RESOURCE_REQUEST_FOC_DATE_CHANGE",
        "RESOURCE_REQUEST_REMINDER",
        "RESOURCE_REQUEST_STATUS_UPDATE",
    }
}
PROFILE_SETTINGS = (
    "webhook",
    "clientCertificateId",
    "maxBucketSize",
    "windowSize",
    "connectTimeout",
    "readTimeout",
    "enabledSSLProtocols",
    "headers",
    "responseRegex",
    "responseBodyRegex",
    "rateLimit",
)
SUBSCRIPTION_FIELDS = ("name", "events", "criteria", "resources", "users")
CERTIFICATE_READY_AFTER = timedelta(seconds=1)
CERTIFICATE_LIFETIME = timedelta(days=365)


class _Store:
    """Objects of one kind by caller-chosen id, in creation order."""

    def __init__(self, id_field: str, label: str) -> None:
        self.id_field = id_field
        self.label = label
        self.items: dict[str, dict] = {}

    def get(self, item_id: str) -> dict:
        if item_id not in self.items:
            raise Problem(404, f"{self.label} {item_id} not found.")
        return self.items[item_id]

    def add(self, item: dict) -> dict:
        item_id = item.get(self.id_field)
        if not isinstance(item_id, str) or not item_id:
            raise bad_request(self.id_field, "must not be blank")
        if item_id in self.items:
            raise bad_request(self.id_field, f"{self.label} {item_id} already exists")
        self.items[item_id] = item
        return item


def _page(request: Request, items: list[dict]) -> tuple[list[dict], dict]:
    size = query_int(request, "size", 20, minimum=1, maximum=100)
    return paged(items, query_int(request, "page", 0), size)


def _created(body: dict, location: str) -> JSONResponse:
    return JSONResponse(body, status_code=201, headers={"Location": location})


def _millis(moment) -> int:
    return int(moment.timestamp() * 1000)


class SubscriptionsPart:
    def __init__(self, sandbox: InfobipSandbox) -> None:
        self.sandbox = sandbox
        self.security = _Store("authId", "Security settings")
        self.profiles = _Store("profileId", "Profile")
        self.certificates = _Store("certificateId", "Certificate")
        self.subscriptions: dict[str, _Store] = {}  # channel -> its subscriptions

    def _channel(self, request: Request) -> _Store:
        channel = request.path_params["channel"]
        if channel not in CHANNELS:
            raise bad_request("channel", f"must be one of {sorted(CHANNELS)}")
        return self.subscriptions.setdefault(channel, _Store("subscriptionId", "Subscription"))

    def targets(self, channel: str, event: str) -> list[dict]:
        """Where Infobip would send `event`: each subscribed profile's webhook and security."""
        found: list[dict] = []
        store = self.subscriptions.get(channel)
        for subscription in store.items.values() if store else ():
            if event not in subscription.get("events", []):
                continue
            profile = self.profiles.items.get(subscription["profileId"], {})
            if "webhook" not in profile:
                continue
            auth_id = profile.get("authId")
            found.append(
                {
                    "url": profile["webhook"]["notifyUrl"],
                    "contentType": profile["webhook"].get("contentType", "application/json"),
                    "security": self.security.items.get(auth_id) if auth_id else None,
                }
            )
        return found

    # -- views -------------------------------------------------------------------------------

    def _profile_ids(self, profile_id: str) -> dict:
        profile = self.profiles.items.get(profile_id, {})
        ids: dict = {"profileId": profile_id}
        if profile.get("authId"):
            ids["security"] = {"authId": profile["authId"]}
        return ids

    def _profile_view(self, profile: dict) -> dict:
        view = {key: value for key, value in profile.items() if key != "authId"}
        return {**view, **self._profile_ids(profile["profileId"])}

    def _subscription_ids(self, subscription: dict) -> dict:
        return {
            "subscriptionId": subscription["subscriptionId"],
            "profile": self._profile_ids(subscription["profileId"]),
        }

    def _subscription_view(self, subscription: dict) -> dict:
        view = {field: subscription[field] for field in SUBSCRIPTION_FIELDS if subscription.get(field) is not None}
        return {**self._subscription_ids(subscription), **view}

    # -- building from request bodies --------------------------------------------------------

    def _use_security(self, spec: dict | None) -> str | None:
        """The authId a profile points at: an existing one, or new settings defined inline."""
        if spec is None:
            return None
        if not isinstance(spec, dict) or not spec.get("authId"):
            raise bad_request("security.authId", "must not be blank")
        if "type" in spec or "credentials" in spec:
            self.security.add(self._security_from(spec, spec["authId"]))
        else:
            self.security.get(spec["authId"])
        return spec["authId"]

    @staticmethod
    def _security_from(body: dict, auth_id: str) -> dict:
        if body.get("type") not in (None, "BASIC", "HMAC", "OAUTH", "CUSTOM"):
            raise bad_request("type", "must be one of BASIC, HMAC, OAUTH, CUSTOM")
        return {"authId": auth_id, **{k: body[k] for k in ("type", "credentials") if body.get(k) is not None}}

    def _apply_profile_settings(self, profile: dict, body: dict) -> dict:
        certificate_id = body.get("clientCertificateId")
        if certificate_id:
            self.certificates.get(certificate_id)
        webhook = body.get("webhook")
        if webhook is not None and (not isinstance(webhook, dict) or not webhook.get("notifyUrl")):
            raise bad_request("webhook.notifyUrl", "must not be blank")
        profile.update({key: body[key] for key in PROFILE_SETTINGS if body.get(key) is not None})
        return profile

    def _use_profile(self, spec: dict | None) -> str:
        """The profileId a subscription points at: an existing one, or a new profile defined inline."""
        if not isinstance(spec, dict) or not spec.get("profileId"):
            raise bad_request("profile.profileId", "must not be blank")
        if set(spec) == {"profileId"}:
            return self.profiles.get(spec["profileId"])["profileId"]
        return self._create_profile(spec)["profileId"]

    def _create_profile(self, body: dict) -> dict:
        profile_id = body.get("profileId")
        if not isinstance(profile_id, str) or not profile_id or profile_id in self.profiles.items:
            raise bad_request("profileId", "must be a new, non-blank id")
        profile = self._apply_profile_settings({"profileId": profile_id}, body)
        auth_id = self._use_security(body.get("security"))
        if auth_id:
            profile["authId"] = auth_id
        return self.profiles.add(profile)

    def _apply_subscription_fields(self, channel: str, subscription: dict, body: dict) -> dict:
        events = body.get("events")
        if events is not None:
            allowed = EVENTS.get(channel)
            names = [e.get("event") if isinstance(e, dict) else e for e in events]
            if allowed is not None and not set(names) <= allowed:
                raise bad_request("events", f"must be any of {sorted(allowed)}")
        subscription.update({field: body[field] for field in SUBSCRIPTION_FIELDS if body.get(field) is not None})
        return subscription

    # -- Infobip routes ----------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        sub, prof, sec, cert = (
            "/subscriptions/1/subscription/{channel}",
            "/subscriptions/1/profiles",
            "/subscriptions/1/security",
            "/subscriptions/1/certificates",
        )
        table = [
            (sub, "GET", self.list_subscriptions),
            (sub, "POST", self.create_subscription),
            (sub + "/{subscriptionId}", "GET", self.get_subscription),
            (sub + "/{subscriptionId}", "PUT", self.update_subscription),
            (sub + "/{subscriptionId}", "DELETE", self.delete_subscription),
            (prof, "GET", self.list_profiles),
            (prof, "POST", self.create_profile),
            (prof + "/{profileId}", "GET", self.get_profile),
            (prof + "/{profileId}", "PUT", self.update_profile),
            (prof + "/{profileId}", "DELETE", self.delete_profile),
            (sec, "GET", self.list_security),
            (sec, "POST", self.create_security),
            (sec + "/{authId}", "GET", self.get_security),
            (sec + "/{authId}", "PUT", self.update_security),
            (sec + "/{authId}", "DELETE", self.delete_security),
            (cert + "/status", "GET", self.list_certificate_statuses),
            (cert + "/status/{certificateId}", "GET", self.get_certificate_status),
            (cert + "/test/webhook", "POST", self.test_connection),
            (cert, "GET", self.list_certificates),
            (cert, "POST", self.upload_certificate),
            (cert + "/{certificateId}", "GET", self.get_certificate),
            (cert + "/{certificateId}", "DELETE", self.delete_certificate),
        ]
        return [Route(path, answers(handler), methods=[method]) for path, method, handler in table]

    # subscriptions

    async def list_subscriptions(self, request: Request) -> Response:
        store = self._channel(request)

        def matches(s: dict) -> bool:
            criteria = s.get("criteria") or []
            for field in ("applicationId", "entityId", "callsConfigurationId"):
                if not all(any(c.get(field) == v for c in criteria) for v in query_list(request, field)):
                    return False
            return all(v in (s.get("resources") or []) for v in query_list(request, "resource")) and all(
                v in (s.get("users") or []) for v in query_list(request, "user")
            )

        found = [s for s in reversed(store.items.values()) if matches(s)]
        results, paging = _page(request, found)
        return JSONResponse({"results": [self._subscription_view(s) for s in results], "paging": paging})

    async def create_subscription(self, request: Request) -> Response:
        store, body = self._channel(request), await json_body(request)
        channel = request.path_params["channel"]
        subscription_id = body.get("subscriptionId")
        if not isinstance(subscription_id, str) or not subscription_id or subscription_id in store.items:
            raise bad_request("subscriptionId", "must be a new, non-blank id")
        subscription = self._apply_subscription_fields(channel, {"subscriptionId": subscription_id}, body)
        subscription["profileId"] = self._use_profile(body.get("profile"))
        store.add(subscription)
        return _created(self._subscription_ids(subscription), f"{request.url.path}/{subscription_id}")

    async def get_subscription(self, request: Request) -> Response:
        subscription = self._channel(request).get(request.path_params["subscriptionId"])
        return JSONResponse(self._subscription_view(subscription))

    async def update_subscription(self, request: Request) -> Response:
        store, body = self._channel(request), await json_body(request)
        subscription = store.get(request.path_params["subscriptionId"])
        profile_id = self._use_profile(body["profile"]) if body.get("profile") is not None else None
        self._apply_subscription_fields(request.path_params["channel"], subscription, body)
        if profile_id:
            subscription["profileId"] = profile_id
        return JSONResponse(self._subscription_ids(subscription))

    async def delete_subscription(self, request: Request) -> Response:
        store = self._channel(request)
        subscription = store.items.pop(store.get(request.path_params["subscriptionId"])["subscriptionId"])
        return JSONResponse(self._subscription_ids(subscription))

    # profiles

    async def list_profiles(self, request: Request) -> Response:
        results, paging = _page(request, list(self.profiles.items.values()))
        return JSONResponse({"results": [self._profile_view(p) for p in results], "paging": paging})

    async def create_profile(self, request: Request) -> Response:
        profile = self._create_profile(await json_body(request))
        return _created(self._profile_ids(profile["profileId"]), f"{request.url.path}/{profile['profileId']}")

    async def get_profile(self, request: Request) -> Response:
        return JSONResponse(self._profile_view(self.profiles.get(request.path_params["profileId"])))

    async def update_profile(self, request: Request) -> Response:
        profile, body = self.profiles.get(request.path_params["profileId"]), await json_body(request)
        security = body.get("security")
        if security is not None:
            # An update only points at existing settings (IdOnlySecurityRequest).
            profile["authId"] = self.security.get((security or {}).get("authId", ""))["authId"]
        self._apply_profile_settings(profile, body)
        return JSONResponse(self._profile_ids(profile["profileId"]))

    async def delete_profile(self, request: Request) -> Response:
        profile_id = self.profiles.get(request.path_params["profileId"])["profileId"]
        if any(s["profileId"] == profile_id for store in self.subscriptions.values() for s in store.items.values()):
            raise Problem(400, f"Profile {profile_id} is used by a subscription.")
        ids = self._profile_ids(profile_id)
        del self.profiles.items[profile_id]
        return JSONResponse(ids)

    # security settings

    async def list_security(self, request: Request) -> Response:
        results, paging = _page(request, list(self.security.items.values()))
        return JSONResponse({"results": results, "paging": paging})

    async def create_security(self, request: Request) -> Response:
        body = await json_body(request)
        settings = self.security.add(self._security_from(body, body.get("authId")))
        return _created({"authId": settings["authId"]}, f"{request.url.path}/{settings['authId']}")

    async def get_security(self, request: Request) -> Response:
        return JSONResponse(self.security.get(request.path_params["authId"]))

    async def update_security(self, request: Request) -> Response:
        settings = self.security.get(request.path_params["authId"])
        settings.update(self._security_from(await json_body(request), settings["authId"]))
        return JSONResponse({"authId": settings["authId"]})

    async def delete_security(self, request: Request) -> Response:
        return self._delete_unless_profiled(
            self.security, request.path_params["authId"], "authId", "are used by a profile"
        )

    def _delete_unless_profiled(self, store: _Store, item_id: str, profile_field: str, in_use: str) -> Response:
        """Delete what no profile names in `profile_field`; else Infobip's 400 saying it is `in_use`."""
        item_id = store.get(item_id)[store.id_field]
        if any(p.get(profile_field) == item_id for p in self.profiles.items.values()):
            raise Problem(400, f"{store.label} {item_id} {in_use}.")
        del store.items[item_id]
        return JSONResponse({store.id_field: item_id})

    # certificates

    def _certificate_status(self, certificate: dict) -> str:
        now = self.sandbox.clock.now()
        if now >= certificate["_validUntil"]:
            return "EXPIRED"
        return "READY" if now >= certificate["_uploadedAt"] + CERTIFICATE_READY_AFTER else "PROCESSING"

    def _certificate_details(self, certificate: dict) -> dict:
        return {
            "certificateId": certificate["certificateId"],
            "issuedBy": "CN=Infobip Sandbox CA,O=Sandbox",
            "issuedTo": f"CN={certificate['certificateId']}",
            "validFrom": _millis(certificate["_uploadedAt"]),
            "validUntil": _millis(certificate["_validUntil"]),
            "certificateStatus": self._certificate_status(certificate),
            "serialNumber": certificate["_serialNumber"],
        }

    def _certificate_status_view(self, certificate: dict) -> dict:
        return {"certificateId": certificate["certificateId"], "status": self._certificate_status(certificate)}

    def _search(self, request: Request) -> list[dict]:
        search = (request.query_params.get("search") or "").casefold()
        found = sorted(
            (c for c in self.certificates.items.values() if search in c["certificateId"].casefold()),
            key=lambda c: c["certificateId"],
            reverse=request.query_params.get("direction") == "DESC",
        )
        return found

    async def upload_certificate(self, request: Request) -> Response:
        body = await json_body(request)
        for field in ("certificateContent", "passphrase"):
            if body.get(field) is not None:
                try:
                    base64.b64decode(body[field], validate=True)
                except (binascii.Error, ValueError, TypeError):
                    raise bad_request(field, "must be Base64-encoded") from None
        if not body.get("certificateContent"):
            raise bad_request("certificateContent", "must not be blank")
        now = self.sandbox.clock.now()
        certificate = self.certificates.add(
            {
                "certificateId": body.get("certificateId"),
                "_uploadedAt": now,
                "_validUntil": now + CERTIFICATE_LIFETIME,
                "_serialNumber": str(self.sandbox.random.getrandbits(120)),
            }
        )
        location = f"{request.url.path}/{certificate['certificateId']}"
        return _created(self._certificate_status_view(certificate), location)

    async def list_certificates(self, request: Request) -> Response:
        results, paging = _page(request, self._search(request))
        return JSONResponse({"results": [self._certificate_details(c) for c in results], "paging": paging})

    async def list_certificate_statuses(self, request: Request) -> Response:
        results, paging = _page(request, self._search(request))
        return JSONResponse({"results": [self._certificate_status_view(c) for c in results], "paging": paging})

    async def get_certificate(self, request: Request) -> Response:
        return JSONResponse(self._certificate_details(self.certificates.get(request.path_params["certificateId"])))

    async def get_certificate_status(self, request: Request) -> Response:
        certificate = self.certificates.get(request.path_params["certificateId"])
        return JSONResponse(self._certificate_status_view(certificate))

    async def delete_certificate(self, request: Request) -> Response:
        certificate_id = request.path_params["certificateId"]
        in_use = "is linked to a notification profile"
        return self._delete_unless_profiled(self.certificates, certificate_id, "clientCertificateId", in_use)

    async def test_connection(self, request: Request) -> Response:
        body = await json_body(request)
        certificate_id, url = body.get("certificateId", ""), body.get("webhookUrl")
        self.certificates.get(certificate_id)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise bad_request("webhookUrl", "must be an http(s) URL")
        reasons = await self._reach(url)
        result = {"certificateId": certificate_id, "webhookUrl": url, "result": "FAIL" if reasons else "SUCCESS"}
        if reasons:
            result.update(
                failReasons=reasons, hint="Check that the URL is public, answers HTTPS and trusts the certificate."
            )
        return JSONResponse(result)

    @staticmethod
    async def _reach(url: str) -> list[str]:
        """Why the webhook cannot be reached; empty when it answered (any status below 500)."""
        try:
            async with httpx.AsyncClient(timeout=5.0, follow_redirects=False) as client:
                response = await client.post(url, json={})
        except httpx.HTTPError as exc:
            return [f"Connection failed: {type(exc).__name__}"]
        return [f"Webhook answered HTTP {response.status_code}."] if response.status_code >= 500 else []

    def admin_routes(self) -> list[BaseRoute]:
        return []

    async def run(self) -> None:
        return None
