"""Tests of schools.display_names: telling namesakes apart within a class."""

import datetime as dt
from dataclasses import dataclass

from schools.display_names import compute_display_names, fold_name


@dataclass
class Named:
    first_name: str
    last_name: str
    birth_month: dt.date = dt.date(2017, 1, 1)
    display_name: str = ""
    ine_hash: str = ""


def display(*pupils: Named) -> list[str]:
    compute_display_names(pupils)
    return [pupil.display_name for pupil in pupils]


def test_unique_first_name_alone():
    assert display(Named("Léa", "Martin"), Named("Hugo", "Martin")) == ["Léa", "Hugo"]


def test_namesakes_get_one_initial():
    assert display(Named("Léa", "Martin"), Named("Léa", "Dupont")) == [
        "Léa M.",
        "Léa D.",
    ]


def test_same_initial_gets_more_letters():
    assert display(
        Named("Léa", "Martin"), Named("Léa", "Moreau"), Named("Léa", "Dupont")
    ) == ["Léa Ma.", "Léa Mo.", "Léa D."]


def test_each_namesake_shortest_own_prefix():
    assert display(
        Named("Léa", "Martin"), Named("Léa", "Masson"), Named("Léa", "Bernard")
    ) == ["Léa Mar.", "Léa Mas.", "Léa B."]


def test_accents_and_case_make_namesakes():
    assert display(Named("Léa", "Émond"), Named("LEA", "Eyraud")) == [
        "Léa Ém.",
        "LEA Ey.",
    ]


def test_last_name_prefix_of_other_shown_whole():
    assert display(Named("Adam", "Ma"), Named("Adam", "Martin")) == [
        "Adam Ma",
        "Adam Mar.",
    ]


def test_compound_last_name_skips_space():
    assert display(
        Named("Zoé", "Le Gall"), Named("Zoé", "Le Bris"), Named("Zoé", "Le")
    ) == ["Zoé Le G.", "Zoé Le B.", "Zoé Le"]


def test_same_full_name_numbered_by_birth_month():
    assert display(
        Named("Louise", "Picard", dt.date(2017, 5, 1)),
        Named("Louise", "Picard", dt.date(2017, 2, 1)),
    ) == ["Louise P. (2)", "Louise P. (1)"]


def test_display_name_fits_column():
    first, second = display(
        Named("A" * 100, "B" * 100), Named("A" * 100, "B" * 99 + "C")
    )
    assert len(first) == 120
    assert len(second) == 120


def test_fold_name_keeps_length():
    assert fold_name("Œuvray-Ñúñez ß") == "œuvray-ñúñez ß".translate(
        str.maketrans("ñú", "nu")
    )
    assert len(fold_name("İstanbul")) == len("İstanbul")
