"""Envelope encryption of channel credentials with KMS.

Each secret gets its own data key (KMS GenerateDataKey); the JSON is sealed with
AES-256-GCM under it, and only the KMS-encrypted data key is stored beside it. The
encryption context binds the blob to its tenant and channel, so a blob copied to
another channel does not decrypt.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from chalicelib import aws
from chalicelib.settings import get_settings


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def seal(secret: dict[str, Any], context: dict[str, str]) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = aws.client("kms").generate_data_key(
        KeyId=get_settings().kms_key_id, KeySpec="AES_256", EncryptionContext=context
    )
    nonce = os.urandom(12)
    sealed = AESGCM(key["Plaintext"]).encrypt(nonce, json.dumps(secret).encode(), None)
    return json.dumps(
        {"v": 1, "key": _b64(key["CiphertextBlob"]), "nonce": _b64(nonce), "data": _b64(sealed)}
    )


def open_sealed(blob: str, context: dict[str, str]) -> dict[str, Any]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    envelope = json.loads(blob)
    key = aws.client("kms").decrypt(
        CiphertextBlob=base64.b64decode(envelope["key"]), EncryptionContext=context
    )["Plaintext"]
    plain = AESGCM(key).decrypt(
        base64.b64decode(envelope["nonce"]), base64.b64decode(envelope["data"]), None
    )
    result: dict[str, Any] = json.loads(plain)
    return result
