"""Digital signatures on results: one interface, providers chosen by settings (decision 0030).

A province signs results with whatever its leaders hold: a USB token through a desktop plug-in, a
remote signing service (the "ký số từ xa" of the licensed CA providers), or the national signing
platform. motcua talks to all of them through ``SignatureProvider``: ``sign`` gets the result
document's bytes and the signer, returns a ``Signature``; ``verify`` checks a signature against the
bytes. ``services.sign_result`` calls the configured provider (``MOTCUA_SIGNATURE_PROVIDER``, a
dotted path) inside the act, so a refused signature refuses the act and changes nothing.

``TestSignatureProvider`` is the provider of demo and tests: a real Ed25519 signature over the
SHA-256 of the document, the signer's identity and the instant, with a key derived from
``MOTCUA_SIGNATURE_TEST_SECRET`` (default: ``SECRET_KEY``). It proves the integration end to end;
it is not a qualified electronic signature, and a system check warns when it is configured in
production.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.utils.module_loading import import_string

from motcua.core.errors import ValidationFailed

TEST_PROVIDER = "motcua.dossiers.signing.TestSignatureProvider"


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signs: the officer's account and the name and title printed under the signature."""

    user_id: int
    full_name: str
    username: str


@dataclass(frozen=True, slots=True)
class Signature:
    provider: str
    algorithm: str
    value: str  # base64
    certificate: str  # subject (or the provider's key identifier)
    signed_at: dt.datetime
    document_sha256: str


class SignatureRefused(ValidationFailed):
    """The provider would not sign (PIN refused, certificate revoked, service unreachable)."""

    code = "signature_refused"


class SignatureProvider(Protocol):
    name: str

    def sign(self, content: bytes, *, signer: Signer, at: dt.datetime) -> Signature: ...

    def verify(self, content: bytes, signature: Signature) -> bool: ...


def _message(document_sha256: str, certificate: str, signed_at: dt.datetime) -> bytes:
    instant = signed_at.astimezone(dt.UTC).isoformat()  # the same however the instant was read back
    payload = {"sha256": document_sha256, "certificate": certificate, "signed_at": instant}
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


@cache
def _test_key(secret: str) -> Ed25519PrivateKey:
    seed = hashlib.sha256(b"motcua-test-signature:" + secret.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


class TestSignatureProvider:
    """Ed25519 over (document SHA-256, signer, instant); the key comes from a settings secret."""

    name = "test"
    algorithm = "Ed25519"

    def _key(self) -> Ed25519PrivateKey:
        secret = getattr(settings, "MOTCUA_SIGNATURE_TEST_SECRET", "") or settings.SECRET_KEY
        return _test_key(secret)

    def key_id(self) -> str:
        raw = self._key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return hashlib.sha256(raw).hexdigest()[:16]

    def sign(self, content: bytes, *, signer: Signer, at: dt.datetime) -> Signature:
        if not content:
            raise SignatureRefused("Không có tệp để ký số.", "There is no document to sign.", field="file")
        digest = hashlib.sha256(content).hexdigest()
        certificate = f"CN={signer.full_name or signer.username}, UID={signer.user_id}, KEY={self.key_id()}"
        value = self._key().sign(_message(digest, certificate, at))
        return Signature(
            provider=self.name,
            algorithm=self.algorithm,
            value=base64.b64encode(value).decode(),
            certificate=certificate,
            signed_at=at,
            document_sha256=digest,
        )

    def verify(self, content: bytes, signature: Signature) -> bool:
        digest = hashlib.sha256(content).hexdigest()
        if digest != signature.document_sha256 or signature.algorithm != self.algorithm:
            return False
        public: Ed25519PublicKey = self._key().public_key()
        try:
            public.verify(
                base64.b64decode(signature.value),
                _message(digest, signature.certificate, signature.signed_at),
            )
        except (InvalidSignature, ValueError):
            return False
        return True


def provider() -> SignatureProvider:
    path = getattr(settings, "MOTCUA_SIGNATURE_PROVIDER", TEST_PROVIDER) or TEST_PROVIDER
    chosen: SignatureProvider = import_string(path)()
    return chosen
