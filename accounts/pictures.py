"""The pictures pupils tap to sign in, and their names for alt text and read-aloud.

Each key names a drawing in `static/iota/pictures/<key>.svg`. Keys are stored in
`Pupil.picture_password` ("sun,cat,boat"), so a key must never be renamed or reused
for another drawing once pupils hold it. The names are kept here rather than in the
translation catalogue because the printed cards and the keypad must name a picture
the same way whatever the interface language of the adult who printed them.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import get_language

PICTURES_DIR = Path(settings.BASE_DIR) / "static" / "iota" / "pictures"
PASSWORD_LENGTH = 3
SEPARATOR = ","


@dataclass(frozen=True)
class Picture:
    key: str
    name_fr: str
    name_en: str

    def name(self, language: str | None = None) -> str:
        """Return the picture's name in `language` (the active language by default)."""
        language = language or get_language() or "fr"
        return self.name_en if language.startswith("en") else self.name_fr

    @property
    def static_path(self) -> str:
        return f"iota/pictures/{self.key}.svg"

    @property
    def url(self) -> str:
        return static(self.static_path)

    @property
    def file(self) -> Path:
        return PICTURES_DIR / f"{self.key}.svg"


PICTURES: dict[str, Picture] = {
    picture.key: picture
    for picture in (
        Picture("sun", "soleil", "sun"),
        Picture("moon", "lune", "moon"),
        Picture("star", "étoile", "star"),
        Picture("cat", "chat", "cat"),
        Picture("fish", "poisson", "fish"),
        Picture("bird", "oiseau", "bird"),
        Picture("butterfly", "papillon", "butterfly"),
        Picture("tree", "arbre", "tree"),
        Picture("flower", "fleur", "flower"),
        Picture("apple", "pomme", "apple"),
        Picture("house", "maison", "house"),
        Picture("boat", "bateau", "boat"),
        Picture("car", "voiture", "car"),
        Picture("heart", "cœur", "heart"),
        Picture("umbrella", "parapluie", "umbrella"),
        Picture("balloon", "ballon", "balloon"),
    )
}


def parse_picture_password(value: str) -> list[str]:
    """Split a stored or submitted sequence into picture keys, dropping blanks."""
    return [key.strip() for key in value.split(SEPARATOR) if key.strip()]


def format_picture_password(keys: list[str]) -> str:
    """Join picture keys into the stored form ("sun,cat,boat")."""
    return SEPARATOR.join(keys)


def pictures_of(value: str) -> list[Picture]:
    """Return the pictures of a stored sequence, skipping keys no longer known."""
    return [PICTURES[key] for key in parse_picture_password(value) if key in PICTURES]
