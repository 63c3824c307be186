"""Tests of schools.onde: reading an ONDE export without the database."""

import datetime as dt

import pytest

from schools.onde import OndeImportError, decode_onde, parse_onde
from schools.tests.onde_files import HEADER, TODAY, onde_csv, pupil_line

LEVELS = ("CM1", "CM2")
ACCENTED = [
    pupil_line("Lefèvre", "Zoé", "0000000001A"),
    pupil_line("Garçon", "Anaïs", "0000000002B"),
    pupil_line("Hoarau", "Maëlys", "000000003CD"),
]


def parse(data: bytes, **options):
    return parse_onde(data, levels=options.pop("levels", LEVELS), today=TODAY)


def names(parsed) -> list[tuple[str, str]]:
    return [(row.last_name, row.first_name) for row in parsed.rows]


# Reference exports


def test_reference_exports_give_61_pupils(reference_data):
    for name in ("onde_ecole_utf8_bom.csv", "onde_ecole_cp1252.csv"):
        parsed = parse((reference_data / "onde" / name).read_bytes())
        assert len(parsed.rows) == 61, name
        assert len(parsed.skipped) == 8, name
        assert parsed.rejections == [], name
        assert {row.class_label for row in parsed.rows} == {
            "CM1 A - Mme Roux",
            "CM1-CM2 - M. Payet",
            "CE2-CM1 - Mme Hoarau",
        }, name


def test_reference_exports_parse_identically(reference_data):
    utf8 = parse((reference_data / "onde" / "onde_ecole_utf8_bom.csv").read_bytes())
    cp1252 = parse((reference_data / "onde" / "onde_ecole_cp1252.csv").read_bytes())
    assert utf8.rows == cp1252.rows
    assert utf8.skipped == cp1252.skipped
    assert utf8.encoding == "utf-8-sig"
    assert cp1252.encoding == "cp1252"


# Encodings


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp1252", "cp1252"),
        ("mac_roman", "mac-roman"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
    ],
)
def test_encoding_detected_names_intact(encoding, detected):
    parsed = parse(onde_csv(ACCENTED, encoding=encoding))
    assert parsed.encoding == detected
    assert names(parsed) == [
        ("Lefèvre", "Zoé"),
        ("Garçon", "Anaïs"),
        ("Hoarau", "Maëlys"),
    ]


def test_iso_8859_1_read_as_windows_1252():
    parsed = parse(onde_csv(ACCENTED, encoding="latin-1"))
    assert parsed.encoding == "cp1252"
    assert names(parsed)[0] == ("Lefèvre", "Zoé")


def test_windows_1252_oe_ligature_kept():
    parsed = parse(onde_csv([pupil_line("Cœur", "Chloé")], encoding="cp1252"))
    assert names(parsed) == [("Cœur", "Chloé")]


def test_utf8_read_as_windows_1252_rejected():
    garbled = onde_csv(ACCENTED).decode("cp1252").encode("utf-8")
    with pytest.raises(OndeImportError) as error:
        parse(garbled)
    assert "CSV UTF-8" in error.value.message
    assert "Ã©" in error.value.message


def test_mixed_encodings_rejected():
    data = onde_csv(ACCENTED[:1]) + ";".join(ACCENTED[1]).encode("cp1252")
    with pytest.raises(OndeImportError) as error:
        parse(data)
    assert "CSV UTF-8" in error.value.message


def test_replacement_character_rejected():
    with pytest.raises(OndeImportError) as error:
        parse(onde_csv([pupil_line("Lef\ufffdvre")]))
    assert "CSV UTF-8" in error.value.message
    assert "ligne 2" in error.value.message


@pytest.mark.parametrize("control", ["\x85", "\x00", "\x0b", "\x1f", "\x7f"])
def test_control_character_rejected(control):
    with pytest.raises(OndeImportError) as error:
        parse(onde_csv([pupil_line(f"Lef{control}vre")]))
    assert "CSV UTF-8" in error.value.message
    assert "ligne 2" in error.value.message


def test_tab_inside_value_accepted():
    parsed = parse(onde_csv([pupil_line("Le\tFèvre")]))
    assert names(parsed) == [("Le\tFèvre", "Léa")]


def test_mac_roman_read_as_windows_1252_detected():
    text, encoding = decode_onde("Nom;Prénom\r\nZoé;Léa\r\n".encode("mac_roman"))
    assert encoding == "mac-roman"
    assert text == "Nom;Prénom\r\nZoé;Léa\r\n"


def test_ambiguous_single_byte_file_rejected():
    # As Windows-1252 the first names read "èVE" and "éRIC", as Mac Roman "ËVE" and
    # "ÈRIC". Both are plausible, so the accents cannot be trusted.
    data = b"NOM;PRENOM\r\nDUPONT;\xe8VE\r\nMARTIN;\xe9RIC\r\n"
    with pytest.raises(OndeImportError) as error:
        decode_onde(data)
    assert "Impossible de savoir comment ce fichier est encodé" in error.value.message
    assert "CSV UTF-8" in error.value.message


@pytest.mark.parametrize(
    "data",
    [bytes(range(256)) * 4, b"\xff\xfe\x00\xd8"],
    ids=["binary", "utf-16-lone-surrogate"],
)
def test_undecodable_file_rejected(data):
    with pytest.raises(OndeImportError) as error:
        parse(data)
    assert "Impossible de savoir comment ce fichier est encodé" in error.value.message
    assert "CSV UTF-8" in error.value.message


def test_empty_file_rejected():
    with pytest.raises(OndeImportError) as error:
        parse(b"  \r\n")
    assert error.value.message == "Le fichier est vide."


def test_header_only_rejected():
    with pytest.raises(OndeImportError) as error:
        parse(onde_csv([]))
    assert "aucun élève" in error.value.message


# Separators and line endings


def test_comma_separator_sniffed():
    parsed = parse(onde_csv(ACCENTED, separator=","))
    assert parsed.delimiter == ","
    assert len(parsed.rows) == 3


def test_tab_separated_utf16_from_excel():
    parsed = parse(onde_csv(ACCENTED, separator="\t", encoding="utf-16"))
    assert parsed.delimiter == "\t"
    assert names(parsed)[1] == ("Garçon", "Anaïs")


def test_quoted_value_keeps_separator():
    data = onde_csv([pupil_line('"Dupont; dit Durand"')])
    assert names(parse(data)) == [("Dupont; dit Durand", "Léa")]


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_endings_give_same_rows(newline):
    parsed = parse(onde_csv(ACCENTED, newline=newline))
    assert [row.line for row in parsed.rows] == [2, 3, 4]
    assert names(parsed)[2] == ("Hoarau", "Maëlys")


def test_blank_lines_ignored_line_numbers_kept():
    data = (
        ";".join(HEADER)
        + "\r\n\r\n"
        + ";".join(ACCENTED[0])
        + "\r\n;;;;;;;\r\n   \r\n"
        + ";".join(ACCENTED[1])
        + "\r\n\r\n"
    ).encode()
    parsed = parse(data)
    assert [row.line for row in parsed.rows] == [3, 6]
    assert parsed.line_count == 2
    assert parsed.rejections == []


def test_trailing_separators_ignored():
    data = onde_csv([line + ["", ""] for line in ACCENTED], header=[*HEADER, "", ""])
    parsed = parse(data)
    assert len(parsed.rows) == 3
    assert parsed.rejections == []


def test_extra_value_rejected_as_shifted_line():
    parsed = parse(onde_csv([["Dupont", "Jean", "Pierre", *ACCENTED[0][2:]]]))
    assert parsed.rows == []
    assert len(parsed.rejections) == 1
    assert parsed.rejections[0].line == 2
    assert parsed.rejections[0].column == ""
    assert "séparateur en trop" in parsed.rejections[0].reason


def test_short_line_rejected_on_missing_column():
    parsed = parse(onde_csv([["Dupont", "Jean", "0000000001A", "CYCLE III", "CM1"]]))
    assert parsed.rows == []
    columns = {issue.column for issue in parsed.rejections}
    assert columns == {"Libellé classe", "Date naissance"}


# Header


def test_header_variants_matched():
    header = (
        "  NOM ELEVE ",
        "prenom eleve",
        "ine",
        "CYCLE",
        "niveau",
        "Libelle  classe",
        "Date de naissance",
    )
    parsed = parse(onde_csv([line[:7] for line in ACCENTED], header=header))
    assert names(parsed)[0] == ("Lefèvre", "Zoé")
    assert parsed.rows[0].birth_month == dt.date(2017, 3, 1)


def test_columns_found_in_any_order():
    order = [6, 5, 4, 3, 2, 1, 0, 7]
    header = [HEADER[index] for index in order]
    lines = [[line[index] for index in order] for line in ACCENTED]
    parsed = parse(onde_csv(lines, header=header))
    assert names(parsed)[0] == ("Lefèvre", "Zoé")
    assert parsed.rows[0].ine == "0000000001A"


def test_extra_columns_not_kept():
    header = [*HEADER, "Date inscription", "Nom responsable"]
    lines = [[*line, "2022-09-01", "Parent"] for line in ACCENTED]
    parsed = parse(onde_csv(lines, header=header))
    assert len(parsed.rows) == 3
    assert not hasattr(parsed.rows[0], "sex")


def test_missing_column_names_it_and_headers():
    header = [name for name in HEADER if name != "INE"]
    lines = [
        [value for index, value in enumerate(line) if index != 2] for line in ACCENTED
    ]
    with pytest.raises(OndeImportError) as error:
        parse(onde_csv(lines, header=header))
    assert "« INE »" in error.value.message
    assert "« Nom élève », « Prénom élève »" in error.value.message


def test_missing_cycle_column_accepted():
    header = [name for name in HEADER if name != " Cycle"]
    lines = [
        [value for index, value in enumerate(line) if index != 3] for line in ACCENTED
    ]
    assert len(parse(onde_csv(lines, header=header)).rows) == 3


def test_duplicate_column_rejected():
    header = [*HEADER, "INE"]
    lines = [[*line, line[2]] for line in ACCENTED]
    with pytest.raises(OndeImportError) as error:
        parse(onde_csv(lines, header=header))
    assert "« INE » apparaît deux fois" in error.value.message


# Levels


def test_other_levels_skipped_with_line():
    lines = [
        pupil_line(ine="0000000001A", level="CM1"),
        pupil_line(ine="0000000002A", level="CE2", class_label="CE2-CM1"),
        pupil_line(ine="0000000003A", level="CM2"),
    ]
    parsed = parse(onde_csv(lines))
    assert [row.level for row in parsed.rows] == ["CM1", "CM2"]
    assert [(line.line, line.level) for line in parsed.skipped] == [(3, "CE2")]
    assert parsed.skipped[0].class_label == "CE2-CM1"


def test_levels_setting_takes_ce2():
    lines = [pupil_line(level="CE2", birth_date="2018-05-02")]
    parsed = parse(onde_csv(lines), levels=("CE2", "CM1", "CM2"))
    assert [row.level for row in parsed.rows] == ["CE2"]
    assert parsed.skipped == []


def test_level_written_loosely_normalised():
    parsed = parse(onde_csv([pupil_line(level=" cm 1 ")]))
    assert parsed.rows[0].level == "CM1"


@pytest.mark.parametrize("level", ["CM3", "6e", ""])
def test_unknown_level_rejected(level):
    parsed = parse(onde_csv([pupil_line(level=level)]))
    assert parsed.rows == []
    assert parsed.skipped == []
    assert parsed.rejections[0].line == 2
    assert parsed.rejections[0].column == "Niveau"


# Birth dates


@pytest.mark.parametrize(
    ("written", "month"),
    [
        ("2017-03-14", dt.date(2017, 3, 1)),
        ("14/03/2017", dt.date(2017, 3, 1)),
        ("4/3/2017", dt.date(2017, 3, 1)),
        ("14/03/17", dt.date(2017, 3, 1)),
        ("31/12/16", dt.date(2016, 12, 1)),
    ],
)
def test_birth_date_formats_keep_month(written, month):
    parsed = parse(onde_csv([pupil_line(birth_date=written)]))
    assert parsed.rejections == []
    assert parsed.rows[0].birth_month == month


def test_two_digit_year_takes_plausible_century():
    data = onde_csv([pupil_line(birth_date="14/03/97")])
    parsed = parse_onde(data, levels=LEVELS, today=dt.date(2106, 10, 1))
    assert parsed.rows[0].birth_month == dt.date(2097, 3, 1)


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("31/02/2017", "n'existe pas"),
        ("2017/03/14", "illisible"),
        ("14-03-2017", "illisible"),
        ("mars 2017", "illisible"),
        ("", "manquante"),
        ("14/03/1980", "invraisemblable"),
        ("2030-01-01", "invraisemblable"),
        ("14/03/50", "aucun siècle"),
    ],
)
def test_bad_birth_date_rejected(written, reason):
    parsed = parse(onde_csv([pupil_line(birth_date=written)]))
    assert parsed.rows == []
    assert len(parsed.rejections) == 1
    assert parsed.rejections[0].line == 2
    assert parsed.rejections[0].column == "Date naissance"
    assert reason in parsed.rejections[0].reason


# INE


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("0123456789A", "0123456789A"),
        ("123456789AB", "123456789AB"),
        ("0123456789a", "0123456789A"),
        (" 012 345 6789A ", "0123456789A"),
    ],
)
def test_ine_normalised(written, stored):
    parsed = parse(onde_csv([pupil_line(ine=written)]))
    assert parsed.rows[0].ine == stored


@pytest.mark.parametrize(
    "written", ["12345", "ABCDEFGHIJK", "0123456789", "01234567890", "1234567A8BC", ""]
)
def test_invalid_ine_rejected(written):
    parsed = parse(onde_csv([pupil_line(ine=written)]))
    assert parsed.rows == []
    assert parsed.rejections[0].column == "INE"
    assert parsed.rejected_ines == set()


def test_rejected_line_keeps_valid_ine():
    parsed = parse(onde_csv([pupil_line(ine="0123456789A", birth_date="31/02/2017")]))
    assert parsed.rejected_ines == {"0123456789A"}


# Duplicates


def test_exact_duplicate_ignored_with_warning():
    line = pupil_line()
    parsed = parse(onde_csv([line, pupil_line(ine="0000000002A"), line]))
    assert len(parsed.rows) == 2
    assert parsed.rejections == []
    assert len(parsed.warnings) == 1
    assert parsed.warnings[0].line == 4
    assert "ligne 2" in parsed.warnings[0].reason


def test_same_ine_other_data_rejected():
    lines = [pupil_line(first_name="Léa"), pupil_line(first_name="Lou")]
    parsed = parse(onde_csv(lines))
    assert [row.first_name for row in parsed.rows] == ["Léa"]
    assert len(parsed.rejections) == 1
    assert parsed.rejections[0].line == 3
    assert parsed.rejections[0].column == "INE"
    assert "ligne 2" in parsed.rejections[0].reason


# Names and other values


def test_names_kept_as_written():
    lines = [
        pupil_line("  Le Gall-N'Diaye ", " Marie  Lou ", "0000000001A"),
        pupil_line("D’Arcy", "Jean-Baptiste", "0000000002A"),
    ]
    assert names(parse(onde_csv(lines))) == [
        ("Le Gall-N'Diaye", "Marie  Lou"),
        ("D’Arcy", "Jean-Baptiste"),
    ]


def test_empty_first_name_rejected():
    parsed = parse(onde_csv([pupil_line(first_name="  ")]))
    assert parsed.rows == []
    assert parsed.rejections[0].column == "Prénom élève"
    assert parsed.rejections[0].line == 2


def test_long_last_name_rejected():
    parsed = parse(onde_csv([pupil_line(last_name="X" * 101)]))
    assert parsed.rejections[0].column == "Nom élève"
    assert "101" in parsed.rejections[0].reason


def test_missing_class_rejected():
    parsed = parse(onde_csv([pupil_line(class_label="")]))
    assert parsed.rejections[0].column == "Libellé classe"


def test_every_fault_of_line_reported():
    parsed = parse(onde_csv([pupil_line(first_name="", ine="12", birth_date="x")]))
    assert [issue.column for issue in parsed.rejections] == [
        "Prénom élève",
        "INE",
        "Date naissance",
    ]
    assert {issue.line for issue in parsed.rejections} == {2}


def test_column_named_as_written_in_file():
    header = (
        "nom eleve",
        "PRENOM ELEVE",
        "ine",
        "niveau",
        "Libelle classe",
        "date naissance",
    )
    lines = [["Martin", "", "0000000001A", "CM1", "CM1 A", "2017-03-14"]]
    parsed = parse(onde_csv(lines, header=header))
    assert parsed.rejections[0].column == "PRENOM ELEVE"
