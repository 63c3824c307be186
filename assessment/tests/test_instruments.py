"""The instrument file schema: one test per rule, and the shipped instrument."""

import copy
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from assessment.instruments import (
    PICTOGRAMS,
    InstrumentFileError,
    load_instrument_file,
    parse_instrument,
)

SHIPPED = Path(settings.IOTA_INSTRUMENTS_DIR) / "perseverance-self-report.yaml"


def valid_data() -> dict:
    return {
        "schema_version": 1,
        "key": "test-scale",
        "version": "1.0.0",
        "skill": "perseverance",
        "validated": False,
        "title": {"fr": "Titre", "en": "Title"},
        "instructions": {"fr": "Lis chaque phrase."},
        "response_format": {
            "points": 4,
            "labels": [{"fr": f"Niveau {n}"} for n in range(1, 5)],
            "pictograms": ["circle-1", "circle-2", "circle-3", "circle-4"],
            "allow_skip": True,
        },
        "items": [
            {"key": "Q1", "text": {"fr": "Je continue."}, "reverse": False},
            {"key": "Q2", "text": {"fr": "J’abandonne."}, "reverse": True},
        ],
        "scales": [
            {
                "key": "main",
                "title": {"fr": "Échelle"},
                "items": ["Q1", "Q2"],
                "scoring": {"method": "mean", "min_answered": 0.5},
            }
        ],
    }


def problems_of(data: dict, tmp_path: Path) -> InstrumentFileError:
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InstrumentFileError) as caught:
        load_instrument_file(path)
    return caught.value


def changed(**changes) -> dict:
    data = valid_data()
    for dotted, value in changes.items():
        target = data
        *parents, last = dotted.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return data


DELETE = object()


def test_valid_data_loads(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(valid_data(), allow_unicode=True), encoding="utf-8")
    definition = load_instrument_file(path)
    assert definition.item_keys() == ["Q1", "Q2"]


def test_shipped_instrument_loads():
    definition = load_instrument_file(SHIPPED)
    assert definition.key == "perseverance-self-report"
    assert definition.validated is False
    assert definition.response_format.points == 4
    assert 7 <= len(definition.items) <= 9


def test_shipped_instrument_has_reverse_items():
    definition = load_instrument_file(SHIPPED)
    reversed_items = [item.key for item in definition.items if item.reverse]
    assert 2 <= len(reversed_items) <= 3


def test_shipped_instrument_translated():
    definition = load_instrument_file(SHIPPED)
    assert all(item.text.en for item in definition.items)
    assert all(label.en for label in definition.response_format.labels)


def test_error_names_file_field_and_reason(tmp_path):
    data = valid_data()
    del data["items"][1]["text"]["fr"]
    error = problems_of(data, tmp_path)
    assert str(error).startswith("broken.yaml:")
    assert "items[1].text.fr" in str(error)
    assert "clé obligatoire absente" in str(error)


def test_error_gives_line(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8").replace(
        "reverse: true", "reverse: maybe"
    )
    path = tmp_path / "lines.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstrumentFileError) as caught:
        load_instrument_file(path)
    first = caught.value.problems[0]
    line = text.splitlines()[first.line - 1]
    assert first.field_path.endswith(".reverse")
    assert "reverse: maybe" in line


def test_missing_file_rejected(tmp_path):
    with pytest.raises(InstrumentFileError, match="fichier introuvable"):
        load_instrument_file(tmp_path / "absent.yaml")


def test_invalid_yaml_rejected(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("key: [unclosed\n", encoding="utf-8")
    with pytest.raises(InstrumentFileError, match="YAML invalide"):
        load_instrument_file(path)


def test_not_a_mapping_rejected():
    with pytest.raises(InstrumentFileError, match="doit être un ensemble YAML"):
        parse_instrument("- a\n- b\n")


def test_duplicate_yaml_key_rejected():
    text = yaml.safe_dump(valid_data(), allow_unicode=True)
    text = text.replace("skill: perseverance", "skill: perseverance\nskill: other", 1)
    with pytest.raises(InstrumentFileError, match="skill: clé écrite deux fois"):
        parse_instrument(text)


def test_schema_version_other_than_1_rejected(tmp_path):
    error = problems_of(changed(schema_version=2), tmp_path)
    assert "schema_version: cette plateforme lit la version de schéma 1" in str(error)
    assert "trouvé : 2" in str(error)


def test_unknown_key_rejected(tmp_path):
    error = problems_of(changed(items__0__colour="red"), tmp_path)
    assert "items[0].colour: clé inconnue « colour »" in str(error)
    assert "Clés permises ici : key, text, reverse" in str(error)


def test_unknown_top_level_key_rejected(tmp_path):
    error = problems_of(changed(author="me"), tmp_path)
    assert "author: clé inconnue" in str(error)


def test_bad_instrument_key_rejected(tmp_path):
    error = problems_of(changed(key="Test Scale"), tmp_path)
    assert "key: doit être fait de lettres minuscules et de chiffres" in str(error)
    assert "(trouvé : 'Test Scale')" in str(error)


def test_unquoted_version_rejected(tmp_path):
    error = problems_of(changed(version=1.0), tmp_path)
    assert "version: doit être un texte (trouvé : 1.0)" in str(error)
    assert "mettez la valeur entre guillemets doubles" in str(error)


def test_version_pattern_rejected(tmp_path):
    error = problems_of(changed(version="v1"), tmp_path)
    assert "version: doit être trois nombres séparés par des points" in str(error)


def test_unknown_skill_rejected(tmp_path):
    error = problems_of(changed(skill="courage"), tmp_path)
    assert "skill: doit valoir 'perseverance', 'collaboration'" in str(error)
    assert "(trouvé : 'courage')" in str(error)


def test_validated_must_be_boolean(tmp_path):
    error = problems_of(changed(validated="no"), tmp_path)
    assert "validated: doit valoir true ou false (trouvé : 'no')" in str(error)


def test_french_title_required(tmp_path):
    error = problems_of(changed(title={"en": "Title"}), tmp_path)
    assert "title.fr: clé obligatoire absente" in str(error)


def test_blank_french_text_rejected(tmp_path):
    error = problems_of(changed(instructions={"fr": "   "}), tmp_path)
    assert "instructions.fr: ne doit pas être vide" in str(error)


def test_points_must_be_4_or_5(tmp_path):
    error = problems_of(changed(response_format__points=3), tmp_path)
    assert "response_format.points: doit valoir 4 ou 5 (trouvé : 3)" in str(error)


def test_labels_count_must_equal_points(tmp_path):
    labels = [{"fr": "Oui"}, {"fr": "Non"}]
    error = problems_of(changed(response_format__labels=labels), tmp_path)
    assert "response_format.labels: compte 2 libellés mais points vaut 4" in str(error)


def test_pictograms_count_must_equal_points(tmp_path):
    pictograms = ["circle-1", "circle-2", "circle-3", "circle-4", "circle-5"]
    error = problems_of(changed(response_format__pictograms=pictograms), tmp_path)
    assert "pictograms: compte 5 pictogrammes mais points vaut 4" in str(error)


def test_unknown_pictogram_rejected(tmp_path):
    pictograms = ["circle-1", "circle-2", "star", "circle-4"]
    error = problems_of(changed(response_format__pictograms=pictograms), tmp_path)
    assert "response_format.pictograms: pictogramme inconnu « star »" in str(error)


def test_repeated_pictogram_rejected(tmp_path):
    pictograms = ["circle-1", "circle-2", "circle-2", "circle-4"]
    error = problems_of(changed(response_format__pictograms=pictograms), tmp_path)
    assert "chaque point doit avoir son propre pictogramme" in str(error)


def test_allow_skip_defaults_to_true():
    data = valid_data()
    del data["response_format"]["allow_skip"]
    definition = parse_instrument(yaml.safe_dump(data, allow_unicode=True))
    assert definition.response_format.allow_skip is True


def test_items_required(tmp_path):
    error = problems_of(changed(items=[]), tmp_path)
    assert "items: ne doit pas être vide : ajoutez-en au moins un" in str(error)


def test_item_key_pattern(tmp_path):
    error = problems_of(changed(items__0__key="1 bad"), tmp_path)
    assert "items[0].key: doit être une lettre suivie de lettres" in str(error)


def test_item_keys_unique(tmp_path):
    error = problems_of(changed(items__1__key="Q1", scales__0__items=["Q1"]), tmp_path)
    assert "items[1].key: clé d’item « Q1 » en double" in str(error)
    assert "déjà prise par items[0]" in str(error)


def test_item_text_length_limited(tmp_path):
    error = problems_of(changed(items__0__text={"fr": "mot " * 50}), tmp_path)
    assert "items[0].text: le texte français fait 199 caractères" in str(error)
    assert "plus que 160" in str(error)


def test_reverse_must_be_boolean(tmp_path):
    error = problems_of(changed(items__0__reverse="yes"), tmp_path)
    assert "items[0].reverse: doit valoir true ou false" in str(error)


def test_scale_items_must_exist(tmp_path):
    error = problems_of(changed(scales__0__items=["Q1", "Q9"]), tmp_path)
    assert "scales[0].items[1]: l’item « Q9 » n’est pas défini sous items" in str(error)


def test_scale_item_listed_twice_rejected(tmp_path):
    error = problems_of(changed(scales__0__items=["Q1", "Q1"]), tmp_path)
    assert "scales[0].items[1]: l’item « Q1 » apparaît deux fois" in str(error)


def test_scale_keys_unique(tmp_path):
    data = valid_data()
    data["scales"].append(copy.deepcopy(data["scales"][0]))
    error = problems_of(data, tmp_path)
    assert "scales[1].key: clé d’échelle « main » en double" in str(error)


def test_scales_required(tmp_path):
    error = problems_of(changed(scales=DELETE), tmp_path)
    assert "scales: clé obligatoire absente" in str(error)


def test_scoring_method_must_be_mean(tmp_path):
    error = problems_of(changed(scales__0__scoring__method="sum"), tmp_path)
    assert "scales[0].scoring.method: doit valoir 'mean' (trouvé : 'sum')" in str(error)


@pytest.mark.parametrize("share", [0, -0.5, 1.5])
def test_min_answered_outside_range_rejected(tmp_path, share):
    error = problems_of(changed(scales__0__scoring__min_answered=share), tmp_path)
    assert "scales[0].scoring.min_answered: doit être" in str(error)
    assert f"(trouvé : {share})" in str(error)


def test_min_answered_of_1_accepted():
    data = changed(scales__0__scoring__min_answered=1)
    definition = parse_instrument(yaml.safe_dump(data, allow_unicode=True))
    assert definition.scales[0].scoring.min_answered == 1


def test_every_problem_reported(tmp_path):
    error = problems_of(changed(skill="courage", response_format__points=6), tmp_path)
    assert len(error.problems) == 2


@pytest.mark.parametrize("key", sorted(PICTOGRAMS))
def test_pictogram_drawn_by_player(key):
    script = Path(settings.BASE_DIR, "static/iota/js/player-pictograms.js").read_text()
    assert f'"{key}"' in script
