"""Wave windows that avoid the school holidays of every zone a campaign involves.

Zones A, B and C take their holidays from the `vacances_scolaires_france` package,
which ships the national calendar as data. Corsica and the overseas académies set their
own calendars, which that package does not contain: the platform treats them as
unknown, warns the coordinator, and leaves the dates for them to adjust.

A school day here is a Monday, Tuesday, Thursday or Friday that is neither a public
holiday nor a day of school holidays. Wednesdays are not counted because most primary
schools work a four-day week, so a school that also teaches on Wednesday morning gets
more days in a window, never fewer. A window never contains a day of any involved
zone's holidays, so every school has the same school days in it. Dates are calendar
dates: each school reads them in its own time zone (see `services.wave_window_for`).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

import holidays
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from vacances_scolaires_france import SchoolHolidayDates

from schools.models import Academie, Classroom

SCHOOL_WEEKDAYS = frozenset({0, 1, 3, 4})  # Monday, Tuesday, Thursday, Friday
DEFAULT_WAVE_COUNT = 4
DEFAULT_SPACING_WEEKS = 8
DEFAULT_SCHOOL_DAYS = 8


def _long_date(day: dt.date) -> str:
    return date_format(day, "j F Y")


# Public holidays.


# Académies some of whose schools have public holidays beyond the national ones,
# with the code the `holidays` package gives those places. Alsace and Moselle keep
# Good Friday and 26 December, and each overseas department adds the day slavery was
# abolished there. Moselle is one of the four departments of Nancy-Metz, so a
# Nancy-Metz campaign avoids its days everywhere: a window may end a day later, and
# no school loses a day.
ACADEMIE_HOLIDAY_REGIONS = {
    "strasbourg": "6AE",
    "nancy-metz": "57",
    "guadeloupe": "971",
    "martinique": "972",
    "guyane": "973",
    "la-reunion": "974",
    "mayotte": "976",
}


@cache
def public_holidays(year: int, regions: tuple[str, ...] = ()) -> frozenset[dt.date]:
    """Return France's public holidays (jours fériés) in `year`.

    The national days come from the maintained `holidays` package (eleven days,
    Easter Monday, Ascension Thursday and Whit Monday included), with the local
    days of each of `regions` (see ACADEMIE_HOLIDAY_REGIONS) added.
    """
    days = set(holidays.country_holidays("FR", years=year))
    for region in regions:
        days |= set(holidays.country_holidays("FR", subdiv=region, years=year))
    return frozenset(days)


def is_teaching_weekday(day: dt.date, regions: tuple[str, ...] = ()) -> bool:
    """Tell whether `day` is a counted weekday and not a public holiday."""
    return day.weekday() in SCHOOL_WEEKDAYS and day not in public_holidays(
        day.year, regions
    )


# School holidays of zones A, B and C.


@dataclass(frozen=True)
class HolidaySpan:
    """One period of school holidays of one zone, first and last day included."""

    zone: str
    name: str
    first_day: dt.date
    last_day: dt.date


def describe_spans(spans: Iterable[HolidaySpan]) -> str:
    """Describe holiday periods in French, one entry per period shared by zones."""
    zones_by_period: dict[tuple[str, dt.date, dt.date], list[str]] = {}
    for span in spans:
        period = (span.name, span.first_day, span.last_day)
        zones_by_period.setdefault(period, []).append(span.zone)
    parts = []
    for (name, first_day, last_day), zones in zones_by_period.items():
        parts.append(
            ngettext(
                "zone %(zones)s : %(name)s du %(start)s au %(end)s",
                "zones %(zones)s : %(name)s du %(start)s au %(end)s",
                len(zones),
            )
            % {
                "zones": ", ".join(sorted(zones)),
                "name": name,
                "start": _long_date(first_day),
                "end": _long_date(last_day),
            }
        )
    return " ; ".join(parts)


class ZoneCalendar:
    """The school holidays of zones A, B and C, and the dates the data covers."""

    zones = frozenset(SchoolHolidayDates.SUPPORTED_ZONES)

    def __init__(self, dates: SchoolHolidayDates) -> None:
        self._dates = dates
        self.first_day = dt.date(dates.min_year, 1, 1)
        # The package's data file lists every day to the end of its last year, but
        # only the holidays already published: a day after the last listed holiday
        # is not known to be a school day.
        self.last_day = max(dates.holidays_for_year(dates.max_year))
        # holidays_for_year scans the whole data set on every call, so keep its result.
        self._holidays_by_year: dict[int, dict[dt.date, dict[str, object]]] = {}

    def covers(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day

    def holiday_name(self, day: dt.date, zone: str) -> str | None:
        """Return the name of `zone`'s holidays on `day`, or None on a school day.

        Days the data does not cover return None: check `covers` first.
        """
        if not self.covers(day) or not self._dates.is_holiday_for_zone(day, zone):
            return None
        if day.year not in self._holidays_by_year:
            self._holidays_by_year[day.year] = self._dates.holidays_for_year(day.year)
        return str(self._holidays_by_year[day.year][day]["nom_vacances"])

    def span_around(self, day: dt.date, zone: str) -> HolidaySpan:
        """Return the whole holiday period of `zone` that contains `day`."""
        name = self.holiday_name(day, zone)
        if name is None:
            raise ValueError(f"{day} is not a holiday of zone {zone}")
        first = last = day
        one_day = dt.timedelta(days=1)
        while self.holiday_name(first - one_day, zone) == name:
            first -= one_day
        while self.holiday_name(last + one_day, zone) == name:
            last += one_day
        return HolidaySpan(zone, name, first, last)

    def spans_between(
        self, first: dt.date, last: dt.date, zones: Iterable[str]
    ) -> list[HolidaySpan]:
        """Return the holiday periods of `zones` that overlap `first` to `last`."""
        spans: list[HolidaySpan] = []
        for zone in sorted(zones):
            day = first
            while day <= last:
                if self.holiday_name(day, zone) is None:
                    day += dt.timedelta(days=1)
                    continue
                span = self.span_around(day, zone)
                spans.append(span)
                day = span.last_day + dt.timedelta(days=1)
        return sorted(spans, key=lambda span: (span.first_day, span.zone))


@cache
def zone_calendar() -> ZoneCalendar:
    """Return the calendar of the installed package, read once per process."""
    return ZoneCalendar(SchoolHolidayDates())


# Zones of a campaign.


@dataclass(frozen=True)
class CampaignZones:
    """The holiday zones of a campaign's académies, split by what the platform knows."""

    known: tuple[str, ...]
    # Names of académies whose holidays are not in the calendar (Corsica, overseas).
    unknown_academies: tuple[str, ...]
    # Places with local public holidays, from ACADEMIE_HOLIDAY_REGIONS.
    regions: tuple[str, ...] = ()

    @classmethod
    def of(cls, academies: Iterable[Academie]) -> "CampaignZones":
        academies = list(academies)
        known = sorted(
            {academie.holiday_zone for academie in academies} & ZoneCalendar.zones
        )
        unknown = sorted(
            {
                academie.name
                for academie in academies
                if academie.holiday_zone not in ZoneCalendar.zones
            }
        )
        regions = sorted(
            {
                ACADEMIE_HOLIDAY_REGIONS[academie.code]
                for academie in academies
                if academie.code in ACADEMIE_HOLIDAY_REGIONS
            }
        )
        return cls(tuple(known), tuple(unknown), tuple(regions))


def unknown_calendar_warning(zones: CampaignZones) -> str | None:
    """Return the warning for académies whose holidays the platform does not know."""
    if not zones.unknown_academies:
        return None
    return ngettext(
        "Les vacances scolaires de l’académie %(names)s ne sont pas connues de la "
        "plateforme (seules les zones A, B et C le sont) : vérifiez chaque vague "
        "avec son calendrier et ajustez les dates.",
        "Les vacances scolaires des académies %(names)s ne sont pas connues de la "
        "plateforme (seules les zones A, B et C le sont) : vérifiez chaque vague "
        "avec leurs calendriers et ajustez les dates.",
        len(zones.unknown_academies),
    ) % {"names": ", ".join(zones.unknown_academies)}


# Finding windows.


@dataclass(frozen=True)
class Window:
    opens_on: dt.date
    closes_on: dt.date
    # True when some day of the window is outside the holiday data's dates.
    unchecked: bool


def is_school_day(
    day: dt.date, zones: Iterable[str], regions: tuple[str, ...] = ()
) -> bool:
    """Tell whether `day` is a counted school day in every one of `zones`.

    `regions` adds their local public holidays (see ACADEMIE_HOLIDAY_REGIONS).
    """
    calendar = zone_calendar()
    return is_teaching_weekday(day, regions) and all(
        calendar.holiday_name(day, zone) is None for zone in zones
    )


def count_school_days(
    first: dt.date,
    last: dt.date,
    zones: Iterable[str],
    regions: tuple[str, ...] = (),
) -> int:
    """Count the days from `first` to `last` that are school days in every zone."""
    zones = tuple(zones)
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return sum(1 for day in days if is_school_day(day, zones, regions))


def first_window(
    earliest: dt.date,
    school_days: int,
    zones: Sequence[str],
    last_day: dt.date,
    regions: tuple[str, ...] = (),
) -> Window | None:
    """Find the first window of `school_days` school days from `earliest` on.

    The window starts and ends on a school day and contains no holiday of any of
    `zones`, nor a local public holiday of `regions`. Returns None when no such
    window ends by `last_day`.
    """
    calendar = zone_calendar()
    day, opens_on, counted, unchecked = earliest, None, 0, False
    while day <= last_day:
        if any(calendar.holiday_name(day, zone) is not None for zone in zones):
            opens_on, counted, unchecked = None, 0, False
        elif is_teaching_weekday(day, regions):
            if opens_on is None:
                opens_on = day
            counted += 1
            unchecked = unchecked or (bool(zones) and not calendar.covers(day))
            if counted == school_days:
                return Window(opens_on, day, unchecked)
        day += dt.timedelta(days=1)
    return None


@dataclass(frozen=True)
class WaveProposal:
    label: str
    # The first day the spacing asks for, before holidays moved the window.
    target: dt.date
    window: Window | None
    # The holidays between the target and the window that pushed the window later.
    delayed_by: tuple[HolidaySpan, ...] = ()
    # True when the window is later than the allowed delay, or missing.
    conflict: bool = False
    # Zones without which the window would fit within the allowed delay.
    conflicting_zones: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()

    @property
    def opens_on(self) -> dt.date | None:
        return self.window.opens_on if self.window else None

    @property
    def closes_on(self) -> dt.date | None:
        return self.window.closes_on if self.window else None


@dataclass(frozen=True)
class ScheduleProposal:
    waves: list[WaveProposal]
    zones: CampaignZones
    school_days: int
    warnings: list[str] = field(default_factory=list)

    @property
    def has_conflict(self) -> bool:
        return any(wave.conflict for wave in self.waves)


def propose_schedule(
    *,
    start_on: dt.date,
    academies: Iterable[Academie],
    last_day: dt.date,
    wave_count: int = DEFAULT_WAVE_COUNT,
    spacing_weeks: int = DEFAULT_SPACING_WEEKS,
    school_days: int = DEFAULT_SCHOOL_DAYS,
) -> ScheduleProposal:
    """Propose `wave_count` windows of `school_days` school days each.

    Wave n is planned `spacing_weeks` weeks after wave n-1, counted from `start_on`,
    so four waves eight weeks apart span about six months. Holidays of any zone of
    `academies` push a window later; a window more than half the spacing late, or
    that cannot end by `last_day`, is a conflict, and its message names the zones
    that cause it.
    """
    if wave_count < 1 or school_days < 1 or spacing_weeks < 1:
        raise ValueError("wave_count, school_days and spacing_weeks must be positive")
    zones = CampaignZones.of(academies)
    max_delay = dt.timedelta(weeks=spacing_weeks) / 2
    waves: list[WaveProposal] = []
    earliest = start_on
    for index in range(wave_count):
        target = start_on + dt.timedelta(weeks=spacing_weeks * index)
        earliest = max(target, earliest)
        wave = _propose_wave(
            f"T{index + 1}", target, earliest, school_days, zones, last_day, max_delay
        )
        waves.append(wave)
        if wave.window is not None:
            earliest = wave.window.closes_on + dt.timedelta(days=1)
    warnings = [
        warning
        for warning in (
            unknown_calendar_warning(zones),
            _coverage_warning(waves, zones),
        )
        if warning
    ]
    return ScheduleProposal(waves, zones, school_days, warnings)


def _propose_wave(
    label: str,
    target: dt.date,
    earliest: dt.date,
    school_days: int,
    zones: CampaignZones,
    last_day: dt.date,
    max_delay: dt.timedelta,
) -> WaveProposal:
    window = first_window(earliest, school_days, zones.known, last_day, zones.regions)
    if window is None:
        message = _(
            "%(label)s : aucune fenêtre de %(days)s jours de classe ne tient entre "
            "le %(start)s et la fin de l’année scolaire (%(end)s). Choisissez une "
            "date de début plus tôt ou des vagues plus rapprochées."
        ) % {
            "label": label,
            "days": school_days,
            "start": _long_date(earliest),
            "end": _long_date(last_day),
        }
        return WaveProposal(label, target, None, conflict=True, messages=(message,))
    calendar = zone_calendar()
    delayed_by = tuple(
        calendar.spans_between(earliest, window.opens_on, zones.known)
        if window.opens_on > earliest
        else ()
    )
    conflict = window.opens_on - target > max_delay
    conflicting: tuple[str, ...] = ()
    if conflict:
        conflicting = tuple(
            zone
            for zone in zones.known
            if _fits_without(zone, earliest, target, school_days, zones, last_day)
            <= max_delay
        )
    wave = WaveProposal(label, target, window, delayed_by, conflict, conflicting)
    return replace(wave, messages=tuple(_wave_messages(wave)))


def _fits_without(
    zone: str,
    earliest: dt.date,
    target: dt.date,
    school_days: int,
    zones: CampaignZones,
    last_day: dt.date,
) -> dt.timedelta:
    """Return how late the window would open if `zone` were left out of the campaign."""
    others = [other for other in zones.known if other != zone]
    window = first_window(earliest, school_days, others, last_day, zones.regions)
    if window is None:
        return dt.timedelta.max
    return window.opens_on - target


def _wave_messages(wave: WaveProposal) -> list[str]:
    if wave.window is None:
        return []
    messages = []
    if wave.delayed_by:
        messages.append(
            _("%(label)s décalée au %(start)s à cause des vacances : %(spans)s.")
            % {
                "label": wave.label,
                "start": _long_date(wave.window.opens_on),
                "spans": describe_spans(wave.delayed_by),
            }
        )
    if wave.conflict and wave.conflicting_zones:
        messages.append(
            ngettext(
                "%(label)s : la zone %(zones)s empêche une fenêtre proche du "
                "%(target)s, qui serait possible sans elle. Gardez la date "
                "proposée ou ajustez-la à la main.",
                "%(label)s : chacune des zones %(zones)s empêche une fenêtre proche "
                "du %(target)s, qui serait possible sans elle. Gardez la date "
                "proposée ou ajustez-la à la main.",
                len(wave.conflicting_zones),
            )
            % {
                "label": wave.label,
                "zones": ", ".join(wave.conflicting_zones),
                "target": _long_date(wave.target),
            }
        )
    elif wave.conflict:
        messages.append(
            _(
                "%(label)s : les vacances communes à toutes les zones repoussent la "
                "vague loin du %(target)s. Gardez la date proposée ou ajustez-la à "
                "la main."
            )
            % {"label": wave.label, "target": _long_date(wave.target)}
        )
    return messages


def _coverage_warning(
    waves: Sequence[WaveProposal], zones: CampaignZones
) -> str | None:
    unchecked = [wave.label for wave in waves if wave.window and wave.window.unchecked]
    if not unchecked:
        return None
    return _(
        "Le calendrier des vacances installé s’arrête au %(end)s : les dates de "
        "%(labels)s n’ont pas pu être vérifiées pour les zones %(zones)s. Mettez à "
        "jour le paquet vacances-scolaires-france ou vérifiez-les à la main."
    ) % {
        "end": _long_date(zone_calendar().last_day),
        "labels": ", ".join(unchecked),
        "zones": ", ".join(zones.known),
    }


# Checking windows a coordinator typed.


def check_windows(
    windows: Iterable[tuple[str, dt.date, dt.date]],
    academies: Iterable[Academie],
    *,
    school_year_end: dt.date | None = None,
) -> list[str]:
    """Return warnings about `(label, opens_on, closes_on)` windows, in French.

    A warning names each zone whose holidays fall inside a window, windows past the
    end of the school year or of the holiday data, and académies whose holidays the
    platform does not know. An empty list means nothing to check by hand.
    """
    zones = CampaignZones.of(academies)
    calendar = zone_calendar()
    warnings = []
    for label, opens_on, closes_on in windows:
        spans = calendar.spans_between(opens_on, closes_on, zones.known)
        if spans:
            warnings.append(
                _("%(label)s tombe pendant des vacances : %(spans)s.")
                % {"label": label, "spans": describe_spans(spans)}
            )
        if zones.known and not (
            calendar.covers(opens_on) and calendar.covers(closes_on)
        ):
            warnings.append(
                _(
                    "%(label)s sort du calendrier des vacances installé (jusqu’au "
                    "%(end)s) : vérifiez ses dates à la main."
                )
                % {"label": label, "end": _long_date(calendar.last_day)}
            )
        if school_year_end is not None and closes_on > school_year_end:
            warnings.append(
                _("%(label)s se ferme après la fin de l’année scolaire (%(end)s).")
                % {"label": label, "end": _long_date(school_year_end)}
            )
    unknown = unknown_calendar_warning(zones)
    if unknown:
        warnings.append(unknown)
    return warnings


def academies_of(classes: Iterable[Classroom]) -> list[Academie]:
    """Return the distinct académies of `classes`' schools."""
    ids = {classroom.school.academie_id for classroom in classes}
    return list(Academie.objects.filter(pk__in=ids))
