"""UAI codes: the national identifier of a French school.

A UAI is seven digits and a check letter. The first three digits name the department
(075 for Paris, 974 for La Réunion; Corsica's 2A and 2B are written 620 and 720). The
letter is the seven-digit number modulo 23, read in the alphabet without I, O and Q.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_UAI_RE = re.compile(r"^\d{7}[A-Z]$")


def uai_check_letter(first_seven: str) -> str:
    return _CHECK_LETTERS[int(first_seven) % 23]


def normalize_uai(value: str) -> str:
    return value.strip().upper()


def uai_department(uai: str) -> str:
    """Return the department code of a valid UAI: "75", "2A", "974"."""
    prefix = uai[:3]
    corsica = {"620": "2A", "720": "2B"}
    if prefix in corsica:
        return corsica[prefix]
    if prefix.startswith("0"):
        return prefix[1:]
    return prefix


def validate_uai(value: str) -> None:
    code = normalize_uai(value)
    if _UAI_RE.match(code) is None:
        raise ValidationError(
            _(
                "Le code UAI « %(value)s » est invalide : il faut 7 chiffres puis "
                "une lettre, par exemple 0750001U."
            ),
            params={"value": value},
            code="uai_format",
        )
    expected = uai_check_letter(code[:7])
    if code[7] != expected:
        raise ValidationError(
            _(
                "Le code UAI « %(value)s » est invalide : sa lettre de contrôle "
                "devrait être %(expected)s. Vérifiez le code dans l'annuaire de "
                "l'Éducation nationale."
            ),
            params={"value": value, "expected": expected},
            code="uai_check_letter",
        )
