"""Public keys of connected systems: parsing, fingerprints, key ids."""

import base64
import hashlib

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.core.problems import Problem


class InvalidPublicKey(Problem):
    slug = "invalid-public-key"
    status = 400
    title = gettext_lazy("Некоректний відкритий ключ")
    description = gettext_lazy(
        "Файл ключа має містити відкритий ключ Ed25519 у форматі PEM (SubjectPublicKeyInfo)."
    )


def load_ed25519_public_key(pem: bytes | str) -> Ed25519PublicKey:
    """Parse a PEM (or OpenSSH one-line) public key and insist that it is Ed25519."""
    data = pem.encode() if isinstance(pem, str) else pem
    if b"PRIVATE KEY" in data:
        raise InvalidPublicKey(
            _(
                "Файл містить закритий ключ. Передайте лише відкритий ключ; закритий ключ має "
                "залишатися у власника системи."
            )
        )
    try:
        if data.lstrip().startswith(b"ssh-"):
            # An OpenSSH one-line key (ssh-keygen cannot export Ed25519 keys to PEM).
            key = serialization.load_ssh_public_key(data.strip())
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise InvalidPublicKey(
            _(
                "Файл не є відкритим ключем у форматі PEM: очікується блок "
                "«-----BEGIN PUBLIC KEY-----» з ключем Ed25519 "
                "(openssl pkey -in private.pem -pubout -out public.pem)."
            )
        ) from error
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidPublicKey(
            _("Ключ має алгоритм %(kind)s, а потрібен Ed25519.") % {"kind": type(key).__name__}
        )
    return key


def public_key_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def fingerprint(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def key_id_for(key: Ed25519PublicKey) -> str:
    """A short id derived from the key itself: the same key always gets the same id."""
    digest = bytes.fromhex(fingerprint(key))[:10]
    return "yk-" + base64.b32encode(digest).decode().lower().rstrip("=")
