#!/usr/bin/env bash
# Send one signed batch of case events to Yakist with curl and openssl only.
# Usage: ./send-events.sh URL KEYID KEY.pem BODY.json
# Needs OpenSSL 3 (Ed25519 via pkeyutl -rawin), curl, base64.
set -euo pipefail
url=$1 keyid=$2 key=$3 body=$4
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# RFC 9530: the digest of the exact bytes that will be sent.
digest="sha-256=:$(openssl dgst -sha256 -binary "$body" | base64 -w0):"
created=$(date +%s)
# RFC 9421 §2.2.3: the host (with a non-default port) the request goes to, in lower case;
# signing it stops a request captured on one server from being replayed to another.
authority=$(printf '%s' "${url#*://}" | cut -d/ -f1 | tr '[:upper:]' '[:lower:]')
nonce=$(openssl rand -hex 16)
params="(\"@method\" \"@authority\" \"@path\" \"content-digest\" \"content-type\");created=$created;keyid=\"$keyid\";nonce=\"$nonce\";alg=\"ed25519\""

# RFC 9421 §2.5: the signature base, one covered component a line, no final newline.
printf '"@method": POST\n"@authority": %s\n"@path": /api/v1/events\n"content-digest": %s\n"content-type": application/json\n"@signature-params": %s' \
  "$authority" "$digest" "$params" > "$work/base.txt"
signature=$(openssl pkeyutl -sign -rawin -inkey "$key" -in "$work/base.txt" | base64 -w0)

curl -sS -X POST "${url%/}/api/v1/events" \
  -H "Content-Type: application/json" \
  -H "Content-Digest: $digest" \
  -H "Signature-Input: sig1=$params" \
  -H "Signature: sig1=:$signature:" \
  --data-binary @"$body"
echo
