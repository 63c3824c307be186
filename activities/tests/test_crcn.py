"""The CRCN framework data file."""

import pytest

from activities.crcn import competencies, competency


def test_sixteen_competencies():
    assert len(competencies()) == 16


def test_five_domains():
    assert {item.domain_code for item in competencies().values()} == {
        "1",
        "2",
        "3",
        "4",
        "5",
    }


def test_codes_belong_to_their_domain():
    for code, item in competencies().items():
        assert code.split(".")[0] == item.domain_code


def test_programming_competency():
    item = competency("3.4")
    assert item.name == "Programmer"
    assert item.domain_name == "Création de contenus"


def test_unknown_code_raises():
    with pytest.raises(KeyError):
        competency("6.1")
