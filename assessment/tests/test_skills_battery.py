"""The four-skill self-report battery and the per-scale skill of instrument files."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from assessment.instruments import (
    InstrumentFileError,
    load_instrument_file,
    parse_instrument,
    scale_skills,
)
from assessment.scoring import scales_of

BATTERY = Path(settings.IOTA_INSTRUMENTS_DIR) / "skills-battery.yaml"
SKILLS = ["perseverance", "collaboration", "communication", "cooperation"]


@pytest.fixture(scope="module")
def battery():
    return load_instrument_file(BATTERY)


def test_battery_is_valid_and_unvalidated(battery):
    assert battery.key == "skills-battery"
    assert battery.skill == "several"
    assert battery.validated is False
    assert battery.response_format.points == 4


def test_battery_has_one_scale_per_skill(battery):
    assert scale_skills(battery) == {skill: skill for skill in SKILLS}


@pytest.mark.parametrize("skill", SKILLS)
def test_battery_scale_length(battery, skill):
    scale = next(scale for scale in battery.scales if scale.skill == skill)
    assert 6 <= len(scale.items) <= 10


@pytest.mark.parametrize("skill", SKILLS)
def test_battery_scale_has_mixed_keying(battery, skill):
    scale = next(scale for scale in battery.scales if scale.skill == skill)
    reverse = {item.key for item in battery.items if item.reverse}
    reversed_count = len(reverse.intersection(scale.items))
    assert reversed_count >= 2
    assert len(scale.items) - reversed_count >= 2


def test_battery_items_each_in_one_scale(battery):
    in_scales = [key for scale in battery.scales for key in scale.items]
    assert sorted(in_scales) == sorted(battery.item_keys())


def test_battery_items_have_english(battery):
    missing = [item.key for item in battery.items if not item.text.en]
    assert missing == []


def test_battery_scoring_reads_scale_items(battery):
    specs = {spec.key: spec for spec in scales_of(battery.model_dump(mode="json"))}
    assert specs["cooperation"].reverse == frozenset({"COO3", "COO5", "COO7"})
    assert specs["perseverance"].points == 4


def battery_text(**replacements: str) -> str:
    text = BATTERY.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new, 1)
    return text


def test_several_skills_needs_scale_skill():
    scale = "  - key: collaboration\n"
    text = battery_text(**{scale + "    skill: collaboration\n": scale})
    with pytest.raises(InstrumentFileError) as caught:
        parse_instrument(text, "battery.yaml")
    message = str(caught.value)
    assert "scales[1].skill: clé obligatoire quand l’instrument mesure" in message
    assert message.startswith("battery.yaml:")


def test_scale_skill_must_match_instrument():
    data = yaml.safe_load(battery_text())
    data["skill"] = "perseverance"
    for scale in data["scales"]:
        scale.pop("skill")
    data["scales"][2]["skill"] = "communication"
    with pytest.raises(InstrumentFileError) as caught:
        parse_instrument(yaml.safe_dump(data, allow_unicode=True), "battery.yaml")
    message = str(caught.value)
    assert "scales[2].skill: vaut « communication »" in message
    assert "mesure « perseverance »" in message


def test_single_skill_scales_inherit_skill():
    data = yaml.safe_load(battery_text())
    data["skill"] = "cooperation"
    for scale in data["scales"]:
        scale.pop("skill")
    definition = parse_instrument(yaml.safe_dump(data, allow_unicode=True))
    assert set(scale_skills(definition).values()) == {"cooperation"}


def test_unknown_scale_skill_rejected():
    text = battery_text(**{"    skill: cooperation\n": "    skill: sharing\n"})
    with pytest.raises(InstrumentFileError) as caught:
        parse_instrument(text, "battery.yaml")
    assert "scales[3].skill: doit valoir" in str(caught.value)
