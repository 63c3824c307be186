"""Consent imported from a class's CSV file."""

import pytest

from iota.testing import make_pupil
from studies.consent_csv import ConsentImportError, import_consent_csv
from studies.models import Consent, ConsentChange, ConsentSource


@pytest.fixture
def pupils(classroom):
    return {
        "lea": make_pupil(classroom, "Léa", "Martin", display_name="Léa M."),
        "leo": make_pupil(classroom, "Léa", "Durand", display_name="Léa D."),
        "noe": make_pupil(classroom, "Noé"),
    }


def statuses(study):
    return dict(Consent.objects.filter(study=study).values_list("pupil_id", "status"))


def test_names_and_semicolons(study, classroom, pupils, teacher):
    data = "eleve;consentement\nLéa M.;donné\nnoe;Refusé\nLéa D.;inconnu\n"
    result = import_consent_csv(study, classroom, data.encode(), user=teacher)
    assert result.lines == 3
    assert result.changed == 2
    assert statuses(study) == {
        pupils["lea"].pk: "given",
        pupils["noe"].pk: "refused",
    }
    assert set(ConsentChange.objects.values_list("source", flat=True)) == {
        ConsentSource.CSV
    }


def test_numbers_and_commas(study, classroom, pupils, teacher):
    data = f"numero,consentement\n{pupils['noe'].pk},oui\n{pupils['lea'].pk},non\n"
    import_consent_csv(study, classroom, data.encode(), user=teacher)
    assert statuses(study) == {
        pupils["noe"].pk: "given",
        pupils["lea"].pk: "refused",
    }


def test_excel_cp1252_file(study, classroom, pupils, teacher):
    data = "Élève;Consentement\r\nLéa M.;Donné\r\n".encode("cp1252")
    import_consent_csv(study, classroom, data, user=teacher)
    assert statuses(study) == {pupils["lea"].pk: "given"}


def test_errors_numbered_nothing_written(study, classroom, pupils, teacher):
    data = (
        "eleve;consentement\n"  # line 1
        "Léa M.;donné\n"  # line 2: valid
        "Zoé;donné\n"  # line 3: not in class
        "Noé;peut-être\n"  # line 4: bad status
        "\n"  # line 5: blank, skipped
        "Léa M.;refusé\n"  # line 6: duplicate of line 2
    )
    with pytest.raises(ConsentImportError) as raised:
        import_consent_csv(study, classroom, data.encode(), user=teacher)
    problems = raised.value.problems
    assert len(problems) == 3
    assert problems[0].startswith("Ligne 3 :")
    assert "Zoé" in problems[0]
    assert problems[1].startswith("Ligne 4 :")
    assert "peut-être" in problems[1]
    assert problems[2].startswith("Ligne 6 :")
    assert "ligne 2" in problems[2]
    assert not Consent.objects.exists()


def test_unknown_number(study, classroom, pupils, teacher):
    data = "numero;consentement\n999999;donné\n"
    with pytest.raises(ConsentImportError) as raised:
        import_consent_csv(study, classroom, data.encode(), user=teacher)
    assert raised.value.problems == [
        "Ligne 2 : aucun élève n° 999999 dans cette classe ; recopiez le numéro "
        "affiché sur la page de la classe."
    ]


def test_pupil_of_other_class_rejected(
    study, classroom, other_classroom, pupils, teacher
):
    stranger = make_pupil(other_classroom, "Inès")
    data = f"numero;consentement\n{stranger.pk};donné\n"
    with pytest.raises(ConsentImportError):
        import_consent_csv(study, classroom, data.encode(), user=teacher)
    assert not Consent.objects.exists()


def test_ambiguous_name(study, classroom, teacher):
    make_pupil(classroom, "Léa", display_name="Léa")
    make_pupil(classroom, "Léa", display_name="Lea")
    data = "eleve;consentement\nLéa;donné\n"
    with pytest.raises(ConsentImportError) as raised:
        import_consent_csv(study, classroom, data.encode(), user=teacher)
    assert "numero" in raised.value.problems[0]


def test_missing_columns(study, classroom, pupils, teacher):
    data = "nom;prenom\nMartin;Léa\n"
    with pytest.raises(ConsentImportError) as raised:
        import_consent_csv(study, classroom, data.encode(), user=teacher)
    assert raised.value.problems[0].startswith("Ligne 1 :")
    assert "consentement" in raised.value.problems[0]


def test_header_only(study, classroom, pupils, teacher):
    with pytest.raises(ConsentImportError) as raised:
        import_consent_csv(study, classroom, b"eleve;consentement\n", user=teacher)
    assert "aucune ligne" in raised.value.problems[0]


def test_empty_file(study, classroom, pupils, teacher):
    with pytest.raises(ConsentImportError) as raised:
        import_consent_csv(study, classroom, b"", user=teacher)
    assert raised.value.problems == ["Le fichier est vide."]
