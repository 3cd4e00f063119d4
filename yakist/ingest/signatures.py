"""RFC 9421 HTTP Message Signatures on intake requests, verified with `http-message-signatures`.

The endpoint never names an algorithm: a key's `algorithm` (registered with the key) selects a
verifier from `VERIFIERS`. Adding a certified Ukrainian algorithm (DSTU 4145) later means one
`HTTPSignatureAlgorithm` subclass and one `verifier_register("dstu4145", …)` call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import http_sf
from django.conf import settings
from django.utils.translation import gettext as _
from http_message_signatures import (
    ContentDigest,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)
from http_message_signatures.algorithms import HTTPSignatureAlgorithm

from yakist.ingest import problems
from yakist.registry import selectors as registry

if TYPE_CHECKING:
    from yakist.registry.models import SystemKey


# "@authority" binds a request to this server: one captured on staging does not replay here.
REQUIRED_COMPONENTS = ("@method", "@authority", "@path", "content-digest", "content-type")
NONCE_MIN, NONCE_MAX = 8, 128

# algorithm id (as registered with a key and sent as `alg`) -> verifier implementation
VERIFIERS: dict[str, type[HTTPSignatureAlgorithm]] = {"ed25519": algorithms.ED25519}


def verifier_register(algorithm_id: str, implementation: type[HTTPSignatureAlgorithm]) -> None:
    """Make keys registered with `algorithm_id` verifiable (e.g. DSTU 4145 later)."""
    VERIFIERS[algorithm_id] = implementation


def nonce_retention() -> dt.timedelta:
    """How long a used nonce is remembered: a request is accepted while `created` is within
    the window either side of server time, so a nonce seen at any moment of that span must be
    remembered twice the window to refuse every replay."""
    return dt.timedelta(seconds=2 * settings.INGEST_SIGNATURE_WINDOW_SECONDS)


@dataclass(frozen=True)
class Message:
    """The request as the library sees it: method, absolute URL, header items."""

    method: str
    url: str
    headers: Any


@dataclass(frozen=True)
class Verified:
    key: SystemKey
    nonce: str
    created: dt.datetime
    label: str


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(self, key_id: str, pem: bytes) -> None:
        self.key_id, self.pem = key_id, pem

    def resolve_public_key(self, key_id: str):
        return self.pem if key_id == self.key_id else None


def _signature_params(headers) -> tuple[str, list, dict]:
    """The one signature's label, covered components and parameters, or a Problem."""
    signature_input = headers.get("Signature-Input")
    signature = headers.get("Signature")
    if not signature_input or not signature:
        raise problems.SignatureMissing(_("Немає заголовків Signature-Input і Signature."))
    try:
        inputs = http_sf.parse(signature_input.encode(), tltype="dictionary")
        signatures = http_sf.parse(signature.encode(), tltype="dictionary")
    except (ValueError, TypeError, UnicodeEncodeError) as error:
        raise problems.SignatureMalformed(
            _("Заголовки підпису не є коректними структурованими полями: %(error)s")
            % {"error": error}
        ) from error
    if len(inputs) != 1 or set(inputs) != set(signatures):
        raise problems.SignatureMalformed(
            _("Очікується рівно один підпис з однаковою міткою в Signature-Input і Signature.")
        )
    label = next(iter(inputs))
    covered, params = inputs[label]
    if not isinstance(covered, list):
        raise problems.SignatureMalformed(_("Signature-Input має містити список компонентів."))
    return label, [item for item, _params in covered], params


def request_verify(*, message: Message, body: bytes, now: dt.datetime) -> Verified:
    """Verify the signature and the body digest; return the key and the nonce to record.

    Checks, in order: headers present and well formed; key known, not revoked, in force;
    algorithm; `created` within the window; nonce present; required components covered;
    the signature itself (by the library); the Content-Digest against the body.
    """
    label, covered, params = _signature_params(message.headers)
    key_id, created, nonce = params.get("keyid"), params.get("created"), params.get("nonce")
    if not isinstance(key_id, str) or not isinstance(created, int) or isinstance(created, bool):
        raise problems.SignatureMalformed(
            _("Підпис має містити параметри keyid (рядок) і created (ціле число секунд).")
        )
    key = _key_in_force(key_id, now)
    implementation = _algorithm(key, params)
    _times_check(created, params.get("expires"), now)
    _nonce_check(nonce)
    _components_check(covered, message.headers)
    _signature_check(message, implementation, key_id, key.public_key_pem)
    _digest_check(message.headers["Content-Digest"], body)
    return Verified(
        key=key,
        nonce=nonce,
        created=dt.datetime.fromtimestamp(created, tz=dt.UTC),
        label=label,
    )


def _key_in_force(key_id: str, now: dt.datetime) -> SystemKey:
    """The registered key, unless it is unknown, revoked or not in force at `now`."""
    key = registry.system_key_get(key_id)
    if key is None:
        raise problems.SignatureUnknownKey(_("Ключ «%(key)s» не зареєстровано.") % {"key": key_id})
    if key.revoked_at is not None and key.revoked_at <= now:
        raise problems.SignatureKeyRevoked(
            _("Ключ «%(key)s» відкликано %(when)s.")
            % {"key": key_id, "when": key.revoked_at.isoformat()}
        )
    if not key.is_valid_at(now):
        raise problems.SignatureKeyExpired(
            _("Ключ «%(key)s» не чинний на %(now)s.") % {"key": key_id, "now": now.isoformat()}
        )
    return key


def _algorithm(key: SystemKey, params: dict) -> type[HTTPSignatureAlgorithm]:
    """The verifier of the key's own algorithm; an `alg` naming another one is refused."""
    alg = params.get("alg", key.algorithm)
    implementation = VERIFIERS.get(key.algorithm)
    if alg != key.algorithm or implementation is None:
        raise problems.SignatureAlgorithm(
            _("Алгоритм «%(alg)s» не відповідає ключу (%(expected)s).")
            % {"alg": alg, "expected": key.algorithm}
        )
    return implementation


def _times_check(created: int, expires: Any, now: dt.datetime) -> None:
    """`created` within the window either side of server time; `expires`, if given, ahead."""
    window = settings.INGEST_SIGNATURE_WINDOW_SECONDS
    age = now.timestamp() - created
    if age > window:
        raise problems.SignatureExpired(
            _("Підпис створено %(age)d с тому; дозволено не більше %(window)d с.")
            % {"age": age, "window": window}
        )
    if -age > window:
        raise problems.SignatureFromFuture(
            _("Час підпису на %(ahead)d с попереду часу сервера.") % {"ahead": -age}
        )
    if expires is None:
        return
    if not isinstance(expires, int) or isinstance(expires, bool):
        raise problems.SignatureMalformed(
            _("Параметр expires підпису має бути цілим числом секунд.")
        )
    # Strictly: no grace after the moment the sender chose (the library would allow its clock
    # skew on top).
    if now.timestamp() >= expires:
        raise problems.SignatureExpired(
            _("Строк дії підпису (expires) минув %(ago)d с тому.")
            % {"ago": now.timestamp() - expires}
        )


def _nonce_check(nonce: Any) -> None:
    if not isinstance(nonce, str) or not NONCE_MIN <= len(nonce) <= NONCE_MAX:
        raise problems.SignatureMalformed(
            _("Підпис має містити параметр nonce (рядок %(min)s–%(max)s символів).")
            % {"min": NONCE_MIN, "max": NONCE_MAX}
        )


def _components_check(covered: list, headers) -> None:
    """Every required component is signed, and the digest header is there to check."""
    missing = [c for c in REQUIRED_COMPONENTS if c not in covered]
    if missing:
        raise problems.SignatureComponents(
            _("Підпис не охоплює: %(components)s.")
            % {"components": " ".join(f'"{c}"' for c in missing)}
        )
    if "Content-Digest" not in headers:
        raise problems.ContentDigestMissing()


def _signature_check(
    message: Message, implementation: type[HTTPSignatureAlgorithm], key_id: str, pem: str
) -> None:
    """The signature itself, by the library, against this one key."""
    verifier = HTTPMessageVerifier(
        signature_algorithm=implementation,
        key_resolver=_OneKey(key_id, pem.encode()),
    )
    # The window was checked above with the project's own errors; the library must not
    # apply a stricter default of its own.
    verifier.max_clock_skew = dt.timedelta(seconds=settings.INGEST_SIGNATURE_WINDOW_SECONDS)
    try:
        verifier.verify(message, max_age=None, require_components=REQUIRED_COMPONENTS)
    except InvalidSignature as error:
        raise problems.SignatureProblem(
            _("Підпис не відповідає ключу «%(key)s» і підписаним компонентам запиту.")
            % {"key": key_id}
        ) from error


def _digest_check(content_digest: str, body: bytes) -> None:
    try:
        ContentDigest.verify(content_digest, body)
    except InvalidSignature as error:
        raise problems.ContentDigestMismatch(
            _("SHA-256 тіла запиту не збігається з Content-Digest.")
        ) from error
