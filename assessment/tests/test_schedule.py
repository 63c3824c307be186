"""Wave schedule proposals against the holiday calendars of zones A, B and C.

Holiday dates below are those the installed vacances_scolaires_france package lists;
for spring 2027 it gives zone C from 3 to 18 April, zone A from 10 to 25 April and
zone B from 17 April to 2 May, and an Ascension bridge from 6 to 8 May for all zones.
"""

import datetime as dt

import pytest

from assessment.schedule import (
    CampaignZones,
    check_windows,
    count_school_days,
    first_window,
    is_school_day,
    propose_schedule,
    public_holidays,
    zone_calendar,
)
from schools.models import Academie

END_OF_YEAR_2027 = dt.date(2027, 7, 3)


def academie(code: str, name: str, zone: str, time_zone: str = "Europe/Paris"):
    """An unsaved académie: the schedule reads only its zone and name."""
    return Academie(code=code, name=name, time_zone=time_zone, holiday_zone=zone)


LYON = academie("lyon", "Lyon", "A")
LILLE = academie("lille", "Lille", "B")
PARIS = academie("paris", "Paris", "C")
REUNION = academie("la-reunion", "La Réunion", "overseas", "Indian/Reunion")
CORSE = academie("corse", "Corse", "corse")
STRASBOURG = academie("strasbourg", "Strasbourg", "B")


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


class TestPublicHolidays:
    def test_easter_based_days_of_2027(self):
        # Easter Sunday 2027 is 28 March.
        holidays = public_holidays(2027)
        assert dt.date(2027, 3, 29) in holidays  # Easter Monday
        assert dt.date(2027, 5, 6) in holidays  # Ascension Thursday
        assert dt.date(2027, 5, 17) in holidays  # Whit Monday

    def test_fixed_days(self):
        holidays = public_holidays(2026)
        assert dt.date(2026, 11, 11) in holidays
        assert dt.date(2026, 5, 8) in holidays
        assert len(holidays) == 11

    def test_public_holiday_not_a_school_day(self):
        # 11 November 2026 is a Wednesday, 11 November 2027 a Thursday.
        assert not is_school_day(dt.date(2027, 11, 11), ["A"])
        assert is_school_day(dt.date(2027, 11, 12), ["A"])

    def test_wednesday_not_counted(self):
        assert not is_school_day(dt.date(2026, 10, 7), ["C"])

    def test_alsace_keeps_good_friday_and_saint_stephen(self):
        holidays = public_holidays(2027, ("6AE",))
        assert dt.date(2027, 3, 26) in holidays  # Good Friday
        assert dt.date(2027, 12, 26) in holidays
        assert dt.date(2027, 3, 26) not in public_holidays(2027)

    def test_reunion_adds_abolition_of_slavery(self):
        assert dt.date(2027, 12, 20) in public_holidays(2027, ("974",))

    def test_campaign_regions_come_from_academies(self):
        zones = CampaignZones.of([LILLE, STRASBOURG, REUNION])
        assert zones.regions == ("6AE", "974")
        assert CampaignZones.of([LILLE, PARIS]).regions == ()

    def test_good_friday_not_a_school_day_in_strasbourg(self):
        # 22 to 26 March 2027 is a school week in zone B, Good Friday on the 26th.
        week = (dt.date(2027, 3, 22), dt.date(2027, 3, 26))
        assert count_school_days(*week, ["B"]) == 4
        assert count_school_days(*week, ["B"], ("6AE",)) == 3

    @pytest.mark.parametrize(
        ("place", "closes_on"),
        [
            (LILLE, dt.date(2027, 3, 26)),
            # Good Friday and Easter Monday off: the fourth day is Tuesday 30 March.
            (STRASBOURG, dt.date(2027, 3, 30)),
        ],
    )
    def test_strasbourg_window_skips_good_friday(self, place, closes_on):
        proposal = propose_schedule(
            start_on=dt.date(2027, 3, 22),
            academies=[place],
            last_day=END_OF_YEAR_2027,
            wave_count=1,
            school_days=4,
        )
        window = proposal.waves[0].window
        assert window.opens_on == dt.date(2027, 3, 22)
        assert window.closes_on == closes_on


class TestZoneCalendar:
    def test_coverage_ends_with_last_listed_holiday(self):
        calendar = zone_calendar()
        assert calendar.last_day == dt.date(2028, 8, 31)
        assert not calendar.covers(dt.date(2028, 10, 2))

    def test_spring_holidays_differ_by_zone(self):
        calendar = zone_calendar()
        april_5 = dt.date(2027, 4, 5)
        assert calendar.holiday_name(april_5, "C") == "Vacances de printemps"
        assert calendar.holiday_name(april_5, "A") is None
        assert calendar.holiday_name(april_5, "B") is None

    def test_span_around_gives_whole_period(self):
        span = zone_calendar().span_around(dt.date(2027, 4, 20), "B")
        assert span.first_day == dt.date(2027, 4, 17)
        assert span.last_day == dt.date(2027, 5, 2)

    def test_zones_split_known_and_unknown(self):
        zones = CampaignZones.of([PARIS, REUNION, LYON, CORSE, PARIS])
        assert zones.known == ("A", "C")
        assert zones.unknown_academies == ("Corse", "La Réunion")


class TestFirstWindow:
    def test_zone_c_waits_for_its_spring_holidays(self):
        window = first_window(dt.date(2027, 3, 29), 6, ["C"], END_OF_YEAR_2027)
        assert window.opens_on == dt.date(2027, 4, 19)

    def test_zone_a_fits_before_its_spring_holidays(self):
        window = first_window(dt.date(2027, 3, 29), 6, ["A"], END_OF_YEAR_2027)
        # 29 March is Easter Monday, so the window starts on Tuesday.
        assert window.opens_on == dt.date(2027, 3, 30)
        assert window.closes_on == dt.date(2027, 4, 8)

    def test_three_zones_wait_for_all_spring_holidays(self):
        window = first_window(
            dt.date(2027, 3, 29), 6, ["A", "B", "C"], END_OF_YEAR_2027
        )
        # Zone B returns on 3 May, then the Ascension bridge (6 to 8 May) interrupts.
        assert window.opens_on == dt.date(2027, 5, 10)

    def test_window_has_exact_school_days_and_no_holiday(self):
        zones = ["A", "B", "C"]
        window = first_window(dt.date(2027, 1, 25), 8, zones, END_OF_YEAR_2027)
        calendar = zone_calendar()
        assert count_school_days(window.opens_on, window.closes_on, zones) == 8
        for day in days(window.opens_on, window.closes_on):
            for zone in zones:
                assert calendar.holiday_name(day, zone) is None, (day, zone)

    def test_no_window_before_last_day(self):
        assert first_window(dt.date(2027, 6, 28), 8, ["A"], END_OF_YEAR_2027) is None

    def test_days_after_calendar_flagged_unchecked(self):
        window = first_window(dt.date(2028, 9, 4), 4, ["A"], dt.date(2029, 7, 1))
        assert window.unchecked

    def test_overseas_only_needs_no_calendar(self):
        window = first_window(dt.date(2028, 9, 4), 4, [], dt.date(2029, 7, 1))
        assert not window.unchecked


class TestProposeSchedule:
    def test_four_waves_over_about_six_months(self):
        proposal = propose_schedule(
            start_on=dt.date(2026, 9, 28),
            academies=[LYON, LILLE, PARIS],
            last_day=END_OF_YEAR_2027,
        )
        waves = proposal.waves
        assert [wave.label for wave in waves] == ["T1", "T2", "T3", "T4"]
        assert waves[0].opens_on == dt.date(2026, 9, 28)
        span = waves[-1].closes_on - waves[0].opens_on
        assert dt.timedelta(days=165) <= span <= dt.timedelta(days=200)
        assert not proposal.has_conflict

    @pytest.mark.parametrize(
        "start_on",
        [dt.date(2026, 9, 7), dt.date(2026, 10, 12), dt.date(2026, 11, 30)],
    )
    def test_windows_avoid_every_zone_holidays(self, start_on):
        zones = ["A", "B", "C"]
        proposal = propose_schedule(
            start_on=start_on,
            academies=[LYON, LILLE, PARIS],
            last_day=END_OF_YEAR_2027,
        )
        calendar = zone_calendar()
        previous_close = None
        for wave in proposal.waves:
            assert wave.window is not None, wave.label
            assert count_school_days(wave.opens_on, wave.closes_on, zones) == 8
            holidays = calendar.spans_between(wave.opens_on, wave.closes_on, zones)
            assert holidays == [], wave.label
            if previous_close is not None:
                assert wave.opens_on > previous_close
            previous_close = wave.closes_on

    def test_delay_names_each_zone_holidays(self):
        proposal = propose_schedule(
            start_on=dt.date(2026, 10, 12),
            academies=[LYON, LILLE, PARIS],
            last_day=END_OF_YEAR_2027,
            spacing_weeks=8,
            school_days=6,
        )
        # T4 is planned for 29 March 2027, in the middle of the spring holidays.
        t4 = proposal.waves[3]
        assert t4.target == dt.date(2027, 3, 29)
        assert {span.zone for span in t4.delayed_by} == {"A", "B", "C"}
        assert "zone C : Vacances de printemps du 3 avril 2027" in t4.messages[0]

    def test_conflict_names_the_blocking_zone(self):
        proposal = propose_schedule(
            start_on=dt.date(2026, 10, 12),
            academies=[LYON, LILLE, PARIS],
            last_day=END_OF_YEAR_2027,
            spacing_weeks=8,
            school_days=6,
        )
        t4 = proposal.waves[3]
        # With all zones the window opens on 10 May, six weeks late. It would open
        # on 30 March without zone C, and on 26 April without zone B: both are
        # within the allowed delay of half the spacing (four weeks).
        assert t4.opens_on == dt.date(2027, 5, 10)
        assert t4.conflict
        assert t4.conflicting_zones == ("B", "C")
        assert "chacune des zones B, C empêche" in t4.messages[1]

    def test_one_zone_has_no_conflict(self):
        proposal = propose_schedule(
            start_on=dt.date(2026, 10, 12),
            academies=[LYON],
            last_day=END_OF_YEAR_2027,
            spacing_weeks=8,
            school_days=6,
        )
        assert proposal.waves[3].opens_on == dt.date(2027, 3, 30)
        assert not proposal.has_conflict

    def test_summer_conflict_names_no_zone(self):
        proposal = propose_schedule(
            start_on=dt.date(2026, 1, 12),
            academies=[LYON, PARIS],
            last_day=dt.date(2026, 9, 30),
        )
        t4 = proposal.waves[3]
        assert t4.conflict
        assert t4.conflicting_zones == ()
        assert "vacances communes à toutes les zones" in t4.messages[-1]

    def test_no_room_before_year_end(self):
        proposal = propose_schedule(
            start_on=dt.date(2027, 4, 26),
            academies=[LYON],
            last_day=END_OF_YEAR_2027,
        )
        last = proposal.waves[-1]
        assert last.window is None
        assert last.conflict
        assert "aucune fenêtre" in last.messages[0]

    def test_overseas_calendar_reported_unknown(self):
        proposal = propose_schedule(
            start_on=dt.date(2026, 9, 28),
            academies=[PARIS, REUNION],
            last_day=END_OF_YEAR_2027,
        )
        assert proposal.zones.known == ("C",)
        assert len(proposal.warnings) == 1
        assert "La Réunion" in proposal.warnings[0]
        assert "ne sont pas connues" in proposal.warnings[0]

    def test_overseas_only_still_proposes_weekday_windows(self):
        proposal = propose_schedule(
            start_on=dt.date(2026, 12, 14),
            academies=[REUNION],
            last_day=END_OF_YEAR_2027,
        )
        # Without a known calendar, T1 runs across Christmas: only the public
        # holiday of 25 December is skipped, and the warning asks for a check.
        assert proposal.waves[0].opens_on == dt.date(2026, 12, 14)
        assert proposal.waves[0].closes_on == dt.date(2026, 12, 28)
        assert "La Réunion" in proposal.warnings[0]

    def test_past_calendar_end_warns(self):
        proposal = propose_schedule(
            start_on=dt.date(2028, 6, 5),
            academies=[PARIS],
            last_day=dt.date(2029, 7, 1),
        )
        assert any("31 août 2028" in warning for warning in proposal.warnings)

    @pytest.mark.parametrize("field", ["wave_count", "school_days", "spacing_weeks"])
    def test_non_positive_settings_rejected(self, field):
        with pytest.raises(ValueError, match="must be positive"):
            propose_schedule(
                start_on=dt.date(2026, 9, 28),
                academies=[PARIS],
                last_day=END_OF_YEAR_2027,
                **{field: 0},
            )


class TestCheckWindows:
    def test_window_in_zone_b_winter_holidays(self):
        warnings = check_windows(
            [("T3", dt.date(2027, 3, 1), dt.date(2027, 3, 12))],
            [LILLE, PARIS],
        )
        assert len(warnings) == 1
        assert warnings[0].startswith("T3 tombe pendant des vacances : zone B")

    def test_clean_window_has_no_warning(self):
        warnings = check_windows(
            [("T1", dt.date(2026, 10, 5), dt.date(2026, 10, 16))], [LYON, PARIS]
        )
        assert warnings == []

    def test_window_after_school_year(self):
        warnings = check_windows(
            [("T4", dt.date(2027, 6, 28), dt.date(2027, 7, 9))],
            [LYON],
            school_year_end=END_OF_YEAR_2027,
        )
        assert any("après la fin de l’année scolaire" in w for w in warnings)

    def test_unknown_academie_always_warned(self):
        warnings = check_windows(
            [("T1", dt.date(2026, 10, 5), dt.date(2026, 10, 16))], [CORSE]
        )
        assert warnings == [
            "Les vacances scolaires de l’académie Corse ne sont pas connues de la "
            "plateforme (seules les zones A, B et C le sont) : vérifiez chaque vague "
            "avec son calendrier et ajustez les dates."
        ]
