"""Research pseudonyms: the only pupil identifier researchers see.

A pseudonym is a keyed hash (HMAC-SHA256 with `settings.PSEUDONYM_KEY`) of the pupil's
keyed INE hash. It stays the same across waves, imports and studies, so a pupil's
answers can be linked over time. Without the key, a pseudonym cannot be traced back
to the pupil.
"""

import hmac

from django.conf import settings

PSEUDONYM_PREFIX = "E-"
# 16 hex digits are 64 bits: among 1.6 million pupils a collision has a probability
# of about 7e-8 (birthday bound n² / 2^65).
PSEUDONYM_HEX_DIGITS = 16


def pupil_pseudonym(ine_hash: str) -> str:
    """Return the research pseudonym ("E-3f9a…") of the pupil with `ine_hash`."""
    digest = hmac.digest(
        settings.PSEUDONYM_KEY.encode("utf-8"),
        f"research-pupil:{ine_hash}".encode(),
        "sha256",
    )
    return PSEUDONYM_PREFIX + digest.hex()[:PSEUDONYM_HEX_DIGITS]
