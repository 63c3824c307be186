"""Read a school's ONDE export: decode it, find its columns and check every line.

ONDE is the national primary-school administration system. Schools export their pupil
list from it as CSV, and the file often goes through Excel before it reaches us. This
module turns those bytes into `PupilRow` records and a list of rejected lines. It does
not touch the database. `schools.services.import_onde_file` does, after hashing the
INE, so the INE exists only in this module's output in memory.

Line numbers are those a spreadsheet shows: the header is line 1.
"""

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import charset_normalizer
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

# Levels of French primary school in school order; ONDE writes them this way.
ONDE_LEVELS = ("TPS", "PS", "MS", "GS", "CP", "CE1", "CE2", "CM1", "CM2")
LEVEL_ORDER = {level: index for index, level in enumerate(ONDE_LEVELS)}

# Elementary pupils are 6 to 11 years old. The wider range accepts pupils who started
# early or repeated years, and still rejects typing mistakes such as a parent's year.
MIN_PUPIL_AGE = 3
MAX_PUPIL_AGE = 15

# An INE is 11 characters: 10 digits and a letter, or 9 digits and two letters. Both
# forms appear in ONDE exports. The check letters are not verified.
_INE_RE = re.compile(r"\d{10}[A-Z]|\d{9}[A-Z]{2}")
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_FRENCH_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")

NAME_MAX_LENGTH = 100  # Pupil.first_name and Pupil.last_name
CLASS_LABEL_MAX_LENGTH = 120  # Classroom.label


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str  # the header as ONDE writes it, used in messages
    required: bool = True


COLUMNS = (
    Column("last_name", "Nom élève"),
    Column("first_name", "Prénom élève"),
    Column("ine", "INE"),
    Column("cycle", "Cycle", required=False),
    Column("level", "Niveau"),
    Column("class_label", "Libellé classe"),
    Column("birth_date", "Date naissance"),
)
# Other spellings of the same column seen in files re-saved by hand.
_HEADER_ALIASES = {"date de naissance": "birth_date"}


class OndeImportError(Exception):
    """A problem with the whole file or the request, so nothing is imported.

    `message` is in the user's language and explains how to fix the problem.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Not frozen: a frozen dataclass's __init__ takes five times as long, and a national
# import builds 100,000 of these. Nothing changes a row after parsing.
@dataclass(slots=True)
class PupilRow:
    line: int
    last_name: str
    first_name: str
    ine: str  # upper case, no spaces
    level: str
    class_label: str
    birth_month: date  # the 1st of the birth month
    cycle: str


@dataclass(frozen=True, slots=True)
class LineIssue:
    """A rejected line or a warning; an empty `column` means the whole line."""

    line: int
    column: str
    reason: str


@dataclass(frozen=True, slots=True)
class SkippedLine:
    """A pupil whose level the programme does not take."""

    line: int
    level: str
    class_label: str


@dataclass(slots=True)
class OndeFile:
    encoding: str
    delimiter: str
    headers: list[str]
    line_count: int  # pupil lines read, blank lines excluded
    rows: list[PupilRow] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)
    rejections: list[LineIssue] = field(default_factory=list)
    warnings: list[LineIssue] = field(default_factory=list)
    # Valid INEs found on rejected lines: these pupils are still at the school, so a
    # re-import must not mark them as having left.
    rejected_ines: set[str] = field(default_factory=set)


def parse_onde(data: bytes, *, levels: Collection[str], today: date) -> OndeFile:
    """Decode and parse an ONDE export, checking every line.

    Pupils whose level is in `levels` become rows; other valid levels are skipped.
    `today` is the import date, against which two-digit years are resolved and ages
    checked. Raise OndeImportError when the file as a whole cannot be read.
    """
    text, encoding = decode_onde(data)
    delimiter = _sniff_delimiter(_first_non_blank_line(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] = []
    for record in reader:
        headers = [cell.strip() for cell in record]
        if any(headers):
            break
    while headers and not headers[-1]:
        headers.pop()
    positions = _find_columns(headers)
    result = OndeFile(
        encoding=encoding, delimiter=delimiter, headers=headers, line_count=0
    )
    _LineParser(positions, headers, frozenset(levels), today).parse(reader, result)
    if result.line_count == 0:
        raise OndeImportError(
            _(
                "Le fichier ne contient que la ligne d'en-tête : aucun élève à "
                "importer. Exportez à nouveau la liste des élèves depuis ONDE."
            )
        )
    return result


# Decoding


_SINGLE_BYTE_ENCODINGS = ("cp1252", "mac_roman")
_CANDIDATE_ENCODINGS = [
    "utf_8",
    "utf_16",
    "utf_16_le",
    "utf_16_be",
    "cp1252",
    "latin_1",
    "mac_roman",
]
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Bytes 0x80-0xBF continue a UTF-8 sequence, and Windows-1252 reads them as these
# characters. "Ã" or "Â" followed by one of them is UTF-8 decoded as Windows-1252.
_CONTINUATION_CHARS = "".join(
    bytes([byte]).decode("cp1252", errors="ignore") for byte in range(0x80, 0xC0)
)
_UPPER_ACCENTED = "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞŒŠŽŸ"
_SYMBOLS = "√∂∑∏π∫Ω≈∆…ˆ˜¯˘˙˚¸˝˛ˇ‡†‰™•¨¬¶¤ƒ"
_ASCII_BYTES = bytes(range(0x80))
# Control characters other than tab and line breaks: they never belong in a name.
_CONTROL_CHARS = "".join(
    chr(code)
    for code in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
)
# Every byte but the ASCII control characters, so deleting them leaves only those.
_NOT_ASCII_CONTROL_BYTES = bytes(
    byte for byte in range(0x100) if chr(byte) not in _CONTROL_CHARS or byte >= 0x80
)


@dataclass(frozen=True, slots=True)
class _Suspicion:
    pattern: re.Pattern[str]
    # The pattern can only match if the text contains one of these characters;
    # checking that first keeps a 100,000-line file fast. Empty means always run.
    triggers: str = ""


_SUSPICIONS = (
    # UTF-8 read as Windows-1252 ("Ã©" for "é", "â€™" for "’"), or as Mac Roman ("√©").
    _Suspicion(re.compile(f"[ÂÃÄÅâ][{re.escape(_CONTINUATION_CHARS)}]|√."), "ÂÃÄÅâ√"),
    # Replacement characters, and control characters other than tab and line breaks.
    _Suspicion(
        re.compile(f"[\ufffd{re.escape(_CONTROL_CHARS)}]"), "\ufffd" + _CONTROL_CHARS
    ),
    # A capital accented letter straight after a small letter: "ÈlËve" is "élève"
    # written in Windows-1252 and read as Mac Roman, "ZoŽ" is "Zoé" the other way.
    _Suspicion(re.compile(f"[a-zß-öø-ÿ][{_UPPER_ACCENTED}]"), _UPPER_ACCENTED),
)
# Windows-1252 and Mac Roman read as each other turn accented letters into symbols
# glued to letters: "Fran‡ois" (Mac Roman read as Windows-1252) or "M¸ller".
_SINGLE_BYTE_SUSPICION = _Suspicion(
    re.compile(f"[A-Za-zÀ-ÿ][{_SYMBOLS}]|[{_SYMBOLS}][A-Za-zÀ-ÿ]"),
    _SYMBOLS,
)


def decode_onde(data: bytes) -> tuple[str, str]:
    """Return the text of the file and its encoding's codec name ("cp1252").

    A byte-order mark settles the encoding. Otherwise charset-normalizer chooses among
    the encodings Excel writes for French text (UTF-8, UTF-16, Windows-1252,
    ISO-8859-1, Mac Roman). Raise OndeImportError when no encoding fits, when two
    single-byte encodings both give plausible but different text, or when the text
    shows signs of garbled accents.
    """
    if not data.strip():
        raise OndeImportError(_("Le fichier est vide."))
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise OndeImportError(_undecidable_message()) from None
            _check_plausible(text, single_byte=False)
            return text, codecs.lookup(encoding).name
    best = charset_normalizer.from_bytes(data, cp_isolation=_CANDIDATE_ENCODINGS).best()
    if best is None:
        raise OndeImportError(_undecidable_message())
    encoding = best.encoding
    if encoding == "latin_1":
        # ISO-8859-1 maps 0x80-0x9F to control characters, where Windows-1252 has
        # "œ", "€" and typographic quotes. A genuine ISO-8859-1 file has none of
        # these bytes, so Windows-1252 decodes it to the same text.
        encoding = "cp1252"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise OndeImportError(_undecidable_message()) from None
    single_byte = encoding in _SINGLE_BYTE_ENCODINGS
    if single_byte:
        _check_single_byte_alternatives(data, encoding, text)
    _check_plausible(text, single_byte=single_byte)
    return text, codecs.lookup(encoding).name


def _check_single_byte_alternatives(data: bytes, encoding: str, text: str) -> None:
    for other in _SINGLE_BYTE_ENCODINGS:
        if other == encoding:
            continue
        try:
            other_text = data.decode(other)
        except UnicodeDecodeError:
            continue
        if other_text != text and _first_suspicious(other_text, True) is None:
            raise OndeImportError(_undecidable_message())


def _first_suspicious(text: str, single_byte: bool) -> re.Match[str] | None:
    encoded = text.encode("utf-8", "surrogatepass")
    # The non-ASCII characters and ASCII control characters of the text, found with
    # bytes.translate, which is much faster than a regular expression search.
    present = set(
        encoded.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
    )
    present.update(encoded.translate(None, _NOT_ASCII_CONTROL_BYTES).decode("ascii"))
    suspicions = [*_SUSPICIONS, _SINGLE_BYTE_SUSPICION] if single_byte else _SUSPICIONS
    found = [
        match
        for suspicion in suspicions
        if not suspicion.triggers or not present.isdisjoint(suspicion.triggers)
        if (match := suspicion.pattern.search(text))
    ]
    return min(found, key=lambda match: match.start()) if found else None


def _check_plausible(text: str, *, single_byte: bool) -> None:
    match = _first_suspicious(text, single_byte)
    if match is None:
        return
    sample = match.group()
    if not sample.isprintable():
        sample = sample.encode("unicode_escape").decode("ascii")
    raise OndeImportError(
        _(
            "Les accents du fichier semblent abîmés (« %(sample)s » ligne %(line)d) : "
            "les noms seraient mal écrits. Ouvrez le fichier dans votre tableur, "
            "enregistrez-le au format « CSV UTF-8 », puis importez-le à nouveau."
        )
        % {
            "sample": sample,
            "line": len(_LINE_BREAK_RE.findall(text, 0, match.start())) + 1,
        }
    )


def _undecidable_message() -> str:
    return _(
        "Impossible de savoir comment ce fichier est encodé, donc les accents des "
        "noms risquent d'être mal lus. Ouvrez le fichier dans votre tableur, "
        "enregistrez-le au format « CSV UTF-8 », puis importez-le à nouveau."
    )


# Header


def normalize_header(header: str) -> str:
    """Return `header` without accents, case or extra spaces ("nom eleve")."""
    decomposed = unicodedata.normalize("NFKD", header.replace("\ufeff", ""))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.replace("_", " ").casefold().split())


_HEADER_KEYS = {normalize_header(column.header): column.key for column in COLUMNS}
_HEADER_KEYS.update(_HEADER_ALIASES)


def _first_non_blank_line(text: str) -> str:
    for line in io.StringIO(text, newline=""):
        if line.strip(" \t\r\n;,"):
            return line
    raise OndeImportError(_("Le fichier est vide."))


def _sniff_delimiter(header_line: str) -> str:
    """Pick the separator that splits the header into the most known columns."""

    def known_columns(delimiter: str) -> tuple[int, int]:
        cells = header_line.split(delimiter)
        known = sum(1 for cell in cells if normalize_header(cell) in _HEADER_KEYS)
        return known, len(cells)

    return max((";", ",", "\t"), key=known_columns)


def _find_columns(headers: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = _HEADER_KEYS.get(normalize_header(header))
        if key is None:
            continue
        if key in positions:
            raise OndeImportError(
                _(
                    "La colonne « %(column)s » apparaît deux fois dans la ligne "
                    "d'en-tête (colonnes %(first)d et %(second)d). Supprimez l'une "
                    "des deux, puis importez le fichier à nouveau."
                )
                % {
                    "column": headers[index],
                    "first": positions[key] + 1,
                    "second": index + 1,
                }
            )
        positions[key] = index
    for column in COLUMNS:
        if column.required and column.key not in positions:
            found = ", ".join(f"« {header} »" for header in headers if header)
            raise OndeImportError(
                _(
                    "La colonne « %(column)s » est absente du fichier. Colonnes "
                    "trouvées : %(found)s. Vérifiez que le fichier est bien l'export "
                    "« liste des élèves » d'ONDE et que sa première ligne est la "
                    "ligne d'en-tête."
                )
                % {"column": column.header, "found": found or _("aucune")}
            )
    return positions


# Lines


class _LineParser:
    """Check each record; kept in one object so the per-line loop stays fast."""

    def __init__(
        self,
        positions: dict[str, int],
        headers: list[str],
        levels: frozenset[str],
        today: date,
    ) -> None:
        self.positions = positions
        self.headers = headers
        self.levels = levels
        self.today = today
        self.width = len(headers)
        self.needed = max(positions.values()) + 1
        self.dates: dict[str, date | str] = {}
        self.seen: dict[str, PupilRow] = {}

    def header(self, key: str) -> str:
        return self.headers[self.positions[key]]

    def parse(self, reader: "CsvReader", out: OndeFile) -> None:
        """Check each record after the header that `reader` has already read."""
        pos = self.positions
        last_name_at, first_name_at, ine_at = (
            pos["last_name"],
            pos["first_name"],
            pos["ine"],
        )
        level_at, class_at, date_at = (
            pos["level"],
            pos["class_label"],
            pos["birth_date"],
        )
        cycle_at = pos.get("cycle")
        previous_end = reader.line_num
        for record in reader:
            # A record starts on the file line after the one where the previous
            # record ended, because a quoted value may span lines.
            line = previous_end + 1
            previous_end = reader.line_num
            while record and not record[-1].strip():
                record.pop()
            if not record:
                continue
            out.line_count += 1
            if len(record) > self.width:
                out.rejections.append(self._too_many_values(line, len(record)))
                continue
            if len(record) < self.needed:
                record.extend([""] * (self.needed - len(record)))

            level = record[level_at].strip().upper().replace(" ", "")
            class_label = record[class_at].strip()
            if level not in self.levels:
                if level in LEVEL_ORDER:
                    out.skipped.append(SkippedLine(line, level, class_label))
                else:
                    out.rejections.append(self._bad_level(line, record[level_at]))
                continue

            ine = record[ine_at].strip().upper().replace(" ", "")
            last_name = record[last_name_at].strip()
            first_name = record[first_name_at].strip()
            birth = self._birth_month(record[date_at].strip())
            valid = (
                isinstance(birth, date)
                and _INE_RE.fullmatch(ine) is not None
                and 0 < len(last_name) <= NAME_MAX_LENGTH
                and 0 < len(first_name) <= NAME_MAX_LENGTH
                and 0 < len(class_label) <= CLASS_LABEL_MAX_LENGTH
            )
            if not valid or isinstance(birth, str):
                out.rejections.extend(
                    self._line_issues(line, record, ine, class_label, birth)
                )
                if _INE_RE.fullmatch(ine):
                    out.rejected_ines.add(ine)
                continue

            # Positional arguments, in field order, because keyword arguments take
            # twice as long and this runs once per pupil.
            row = PupilRow(
                line,
                last_name,
                first_name,
                ine,
                level,
                class_label,
                birth,
                record[cycle_at].strip() if cycle_at is not None else "",
            )
            earlier = self.seen.get(ine)
            if earlier is None:
                self.seen[ine] = row
                out.rows.append(row)
            elif _same_data(earlier, row):
                out.warnings.append(self._duplicate(line, earlier.line))
            else:
                out.rejections.append(self._conflict(line, earlier.line))

    def _line_issues(
        self,
        line: int,
        record: list[str],
        ine: str,
        class_label: str,
        birth: date | str,
    ) -> list[LineIssue]:
        pos = self.positions
        found = [
            self._check_name(line, "last_name", record[pos["last_name"]].strip()),
            self._check_name(line, "first_name", record[pos["first_name"]].strip()),
            self._check_ine(line, ine, record[pos["ine"]]),
            self._check_class_label(line, class_label),
        ]
        if isinstance(birth, str):
            found.append(LineIssue(line, self.header("birth_date"), birth))
        return [issue for issue in found if issue is not None]

    def _too_many_values(self, line: int, count: int) -> LineIssue:
        return LineIssue(
            line,
            "",
            _(
                "La ligne a %(count)d valeurs pour %(width)d colonnes : un "
                "séparateur en trop, par exemple dans un nom ? Corrigez la ligne."
            )
            % {"count": count, "width": self.width},
        )

    def _bad_level(self, line: int, value: str) -> LineIssue:
        if not value.strip():
            reason = _("Niveau manquant : indiquez CM1, CM2 ou le niveau de l'élève.")
        else:
            reason = _("Niveau « %(value)s » inconnu : attendu l'un de %(levels)s.") % {
                "value": value.strip(),
                "levels": ", ".join(ONDE_LEVELS),
            }
        return LineIssue(line, self.header("level"), reason)

    def _check_ine(self, line: int, ine: str, value: str) -> LineIssue | None:
        if _INE_RE.fullmatch(ine):
            return None
        if not ine:
            reason = _("INE manquant : chaque élève doit avoir son INE.")
        else:
            reason = _(
                "INE « %(value)s » invalide : il faut 11 caractères, soit 10 chiffres "
                "et une lettre, soit 9 chiffres et deux lettres."
            ) % {"value": value.strip()}
        return LineIssue(line, self.header("ine"), reason)

    def _check_name(self, line: int, key: str, value: str) -> LineIssue | None:
        if not value:
            return LineIssue(line, self.header(key), _("Valeur manquante."))
        if len(value) > NAME_MAX_LENGTH:
            return LineIssue(
                line,
                self.header(key),
                _("Nom trop long : %(length)d caractères, au plus %(max)d.")
                % {"length": len(value), "max": NAME_MAX_LENGTH},
            )
        return None

    def _check_class_label(self, line: int, value: str) -> LineIssue | None:
        if not value:
            return LineIssue(
                line,
                self.header("class_label"),
                _("Classe manquante : indiquez le libellé de la classe de l'élève."),
            )
        if len(value) > CLASS_LABEL_MAX_LENGTH:
            return LineIssue(
                line,
                self.header("class_label"),
                _(
                    "Libellé de classe trop long : %(length)d caractères, au plus "
                    "%(max)d."
                )
                % {"length": len(value), "max": CLASS_LABEL_MAX_LENGTH},
            )
        return None

    def _birth_month(self, value: str) -> date | str:
        """Return the 1st of the birth month, or the reason the date is rejected."""
        cached = self.dates.get(value)
        if cached is None:
            cached = self.dates[value] = parse_birth_month(value, self.today)
        return cached

    def _duplicate(self, line: int, earlier: int) -> LineIssue:
        return LineIssue(
            line,
            "",
            _("Ligne identique à la ligne %(earlier)d : ignorée.")
            % {"earlier": earlier},
        )

    def _conflict(self, line: int, earlier: int) -> LineIssue:
        return LineIssue(
            line,
            self.header("ine"),
            _(
                "Cet INE figure déjà ligne %(earlier)d avec d'autres données (nom, "
                "niveau, classe ou date de naissance). Corrigez l'une des deux lignes."
            )
            % {"earlier": earlier},
        )


def _same_data(first: PupilRow, second: PupilRow) -> bool:
    return (
        first.last_name == second.last_name
        and first.first_name == second.first_name
        and first.level == second.level
        and first.class_label == second.class_label
        and first.birth_month == second.birth_month
    )


# Dates


def parse_birth_month(value: str, today: date) -> date | str:
    """Return the 1st of the month of a birth date, or the reason it is rejected.

    Accepted forms: YYYY-MM-DD, DD/MM/YYYY and DD/MM/YY. A two-digit year takes the
    century that makes the pupil between MIN_PUPIL_AGE and MAX_PUPIL_AGE on `today`.
    """
    if not value:
        return _("Date de naissance manquante.")
    if match := _ISO_DATE_RE.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
        two_digit_year = False
    elif match := _FRENCH_DATE_RE.fullmatch(value):
        day, month, year = (int(part) for part in match.groups())
        two_digit_year = len(match.group(3)) == 2
    else:
        return _(
            "Date « %(value)s » illisible : écrivez-la JJ/MM/AAAA (par exemple "
            "09/12/2015) ou AAAA-MM-JJ."
        ) % {"value": value}
    if two_digit_year:
        century = today.year // 100 * 100
        candidates = [century + year, century - 100 + year]
        plausible = [
            candidate
            for candidate in candidates
            if MIN_PUPIL_AGE <= _age(candidate, month, day, today) <= MAX_PUPIL_AGE
        ]
        if not plausible:
            return _(
                "Date « %(value)s » : aucun siècle ne donne un âge d'élève "
                "(%(min)d à %(max)d ans) ; écrivez l'année sur quatre chiffres."
            ) % {"value": value, "min": MIN_PUPIL_AGE, "max": MAX_PUPIL_AGE}
        year = plausible[0]
    try:
        born = date(year, month, day)
    except ValueError:
        return _("Date « %(value)s » impossible : ce jour n'existe pas.") % {
            "value": value
        }
    age = _age(year, month, day, today)
    if not MIN_PUPIL_AGE <= age <= MAX_PUPIL_AGE:
        return _(
            "Date « %(value)s » invraisemblable : l'élève aurait %(age)d ans ; "
            "vérifiez l'année."
        ) % {"value": value, "age": age}
    return born.replace(day=1)


def _age(year: int, month: int, day: int, today: date) -> int:
    return today.year - year - ((today.month, today.day) < (month, day))
