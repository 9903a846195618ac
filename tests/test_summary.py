"""The run summary's NPS lines: each segment's own latest month, with its respondents and sample size."""

from __future__ import annotations

import duckdb

from arvo.summary import nps_lines


def test_nps_lines_show_each_segments_latest_month_and_flag_a_small_sample() -> None:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.mart_nps (period_month date, segment varchar, respondents integer, promoters integer, "
        "detractors integer, nps double, is_small_sample boolean)"
    )
    # B2B was last surveyed in August; one late B2C answer arrived in September.
    con.execute(
        """
        insert into marts.mart_nps values
            ('2026-07-01', 'B2B', 100, 50, 30, 20.0, false),
            ('2026-08-01', 'B2B', 200, 80, 60, 10.0, false),
            ('2026-08-01', 'B2C', 100, 60, 20, 40.0, false),
            ('2026-09-01', 'B2C', 1, 0, 1, -100.0, true),
            ('2026-08-01', 'all', 300, 140, 80, 20.0, false),
            ('2026-09-01', 'all', 1, 0, 1, -100.0, true)
        """
    )
    assert nps_lines(con) == [
        "NPS by segment (all months | latest month):",
        # (50 + 80 - 30 - 60) / 300 = 13.3; (60 - 21) / 101 = 38.6; (140 - 81) / 301 = 19.6
        "  B2B    13.3 | 2026-08   10.0 (200 respondents)",
        "  B2C    38.6 | 2026-09 -100.0 (1 respondent, small sample)",
        "  all    19.6 | 2026-09 -100.0 (1 respondent, small sample)",
    ]
