"""The CRCN framework (Cadre de référence des compétences numériques).

The 16 competencies and their 5 domains are read once from `activities/data/crcn.yaml`.
Activities and pupils' progress name a competency by its code, such as "3.4".
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CRCN_FILE = Path(__file__).resolve().parent / "data" / "crcn.yaml"


@dataclass(frozen=True)
class Competency:
    code: str  # "3.4"
    name: str  # "Programmer"
    domain_code: str  # "3"
    domain_name: str  # "Création de contenus"


@cache
def competencies() -> dict[str, Competency]:
    """Return the CRCN competencies by code, in the framework's order."""
    data = yaml.safe_load(CRCN_FILE.read_text(encoding="utf-8"))
    found = {}
    for domain in data["domains"]:
        for competency in domain["competencies"]:
            found[competency["code"]] = Competency(
                code=competency["code"],
                name=competency["name"],
                domain_code=domain["code"],
                domain_name=domain["name"],
            )
    return found


def competency(code: str) -> Competency:
    """Return the competency `code`, raising KeyError for an unknown code."""
    return competencies()[code]
