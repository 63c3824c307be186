"""The picture registry and its SVG drawings."""

from django.utils import translation
from svglib.svglib import svg2rlg

from accounts.pictures import PICTURES, PICTURES_DIR, pictures_of

SVG_OPENING = '<svg xmlns="http://www.w3.org/2000/svg"'


def test_registry_has_sixteen_pictures():
    assert len(PICTURES) == 16


def test_registry_names_are_distinct():
    assert len({picture.name_fr for picture in PICTURES.values()}) == len(PICTURES)
    assert len({picture.name_en for picture in PICTURES.values()}) == len(PICTURES)


def test_every_picture_has_an_svg_file():
    for key, picture in PICTURES.items():
        assert picture.file.is_file(), key
        assert picture.file.read_text().startswith(SVG_OPENING), key


def test_every_svg_file_is_registered():
    files = {path.stem for path in PICTURES_DIR.glob("*.svg")}
    assert files == set(PICTURES)


def test_svglib_reads_every_picture():
    for key, picture in PICTURES.items():
        drawing = svg2rlg(str(picture.file))
        assert drawing is not None, key
        assert drawing.width > 0, key


def test_picture_name_follows_language():
    with translation.override("fr"):
        assert PICTURES["cat"].name() == "chat"
    with translation.override("en"):
        assert PICTURES["cat"].name() == "cat"


def test_pictures_of_skips_unknown_keys():
    keys = [picture.key for picture in pictures_of("sun, dragon,boat")]
    assert keys == ["sun", "boat"]
