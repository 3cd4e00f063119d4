"""Send one signed batch of case events to Yakist (RFC 9421 + RFC 9530, Ed25519).

Stand-alone: needs only `pip install http-message-signatures cryptography`.
Usage: python send_events.py URL KEYID KEY.pem [EVENTS.json]
"""

import json
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from http_message_signatures import HTTPMessageSigner, MappingKeyResolver, algorithms


@dataclass
class Request:  # what the signer needs: method, URL and mutable headers
    method: str
    url: str
    headers: dict = field(default_factory=dict)


def send(url: str, key_id: str, key_path: str, events: list[dict]) -> dict:
    body = json.dumps({"events": events}, ensure_ascii=False).encode()
    request = Request(
        "POST", url.rstrip("/") + "/api/v1/events", {"Content-Type": "application/json"}
    )
    with open(key_path, "rb") as handle:
        private_key = load_pem_private_key(handle.read(), password=None)
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={}, private_keys={key_id: private_key}),
    )
    signer.sign(
        request,
        key_id=key_id,
        nonce=uuid.uuid4().hex,  # a fresh nonce for every attempt, retries included
        label="sig1",
        covered_component_ids=("@method", "@authority", "@path", "content-digest", "content-type"),
        body=body,  # adds Content-Digest: sha-256=:…: and covers it
    )
    if not request.url.startswith(("https://", "http://")):
        raise ValueError("URL must start with https:// or http://")
    http_request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        request.url, data=body, method="POST", headers=request.headers
    )
    try:
        with urllib.request.urlopen(http_request, timeout=30) as response:  # noqa: S310
            return {"status": response.status, **json.loads(response.read())}
    except urllib.error.HTTPError as error:  # RFC 9457 problem details, in Ukrainian
        return {"status": error.code, **json.loads(error.read() or b"{}")}


if __name__ == "__main__":
    url, key_id, key_path = sys.argv[1:4]
    if len(sys.argv) > 4:
        with open(sys.argv[4], encoding="utf-8") as handle:
            events = json.load(handle)
    else:
        events = [
            {
                "event_id": str(uuid.uuid4()),
                "case_id": "VULYK-2025-000123",
                "type": "submitted",
                "occurred_at": datetime.now(timezone.utc).isoformat(),  # noqa: UP017 (Python 3.9+)
                "service_code": "00030",
                "centre_code": "UA46060250000025047-01",
                "provider_code": "00015622-46",
                "channel": "offline",
                "applicant_ref": "vulyk-person-7f3a9c",
            }
        ]
    print(json.dumps(send(url, key_id, key_path, events), ensure_ascii=False, indent=2))
