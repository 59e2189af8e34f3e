"""Published decision logs (`docs/spec/decision-log-v1.md` and `-v2.md`): write, sign, receipt, verify, project.

Light on purpose: this package imports only the standard library, `rfc8785` and PyNaCl, so
that `evenfloor verify` needs nothing but the log. The server wires storage around it.
"""

from __future__ import annotations

from server.publication.canonical import (
    NotPublishableError,
    canonical_bytes,
    decimal_string,
    entry_hash,
    parse_decimal_string,
    publishable,
)
from server.publication.keys import (
    generate_signing_key,
    new_pseudonym_key,
    public_key_text,
    signing_key_from_text,
    signing_key_text,
)
from server.publication.log import (
    FORMAT,
    POLICIES,
    Draft,
    GrowthError,
    LogWriter,
    Policy,
    build_log,
    check_growth,
    head_message,
    serialize_log,
)
from server.publication.receipts import (
    RECEIPT_FORMAT,
    issue_receipt,
    receipt_message,
    receipt_signature_valid,
)
from server.publication.verify import (
    UnreadableInputError,
    VerificationResult,
    load_json,
    verify_files,
    verify_log,
)

__all__ = [
    "FORMAT",
    "POLICIES",
    "RECEIPT_FORMAT",
    "Draft",
    "GrowthError",
    "LogWriter",
    "NotPublishableError",
    "Policy",
    "UnreadableInputError",
    "VerificationResult",
    "build_log",
    "canonical_bytes",
    "check_growth",
    "decimal_string",
    "entry_hash",
    "generate_signing_key",
    "head_message",
    "issue_receipt",
    "load_json",
    "new_pseudonym_key",
    "parse_decimal_string",
    "public_key_text",
    "publishable",
    "receipt_message",
    "receipt_signature_valid",
    "serialize_log",
    "signing_key_from_text",
    "signing_key_text",
    "verify_files",
    "verify_log",
]
