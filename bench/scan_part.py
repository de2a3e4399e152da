"""One school's part of the night's scan, in CPU seconds: Python's and PostgreSQL's.

On a district `bench/day.py --keep-schema` built and ran: the school's summaries set back
to the eve's (when `day.py` kept them) and the day's firings and what they started taken
out, committed; then `scan(..., schools=[SCHOOL])` of the last school day, as the night's
part does, in a transaction rolled back. CPU time does not stretch with the machine's load
as wall time does, so it is the figure to compare; this process's is read with
`time.process_time`, its PostgreSQL backend's from /proc. Beside it, the ceiling: an
UPDATE that rewrites each of the school's summaries unchanged, rolled back.
Run: `.venv/bin/python bench/scan_part.py --schema S`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from day import EVE_SUMMARIES, SCAN_TABLES  # noqa: E402
from reports import DEFAULT_URL, district_schema, school_days  # noqa: E402

from outreach_bot.attendance.scan import load_triggers, scan  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def backend_cpu(session: Session) -> float:
    """CPU seconds so far of the session's PostgreSQL backend (user + system), from /proc."""
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    """Time the part `--repeats` times, each rolled back."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", required=True, help="a schema bench/day.py kept")
    parser.add_argument("--school", default="SCH003")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    day = school_days()[-1]
    triggers = load_triggers(ROOT / "flows" / "triggers.yaml")
    now = datetime.combine(day, datetime.min.time(), UTC)
    with district_schema(args.database_url, args.schema, True) as (engine, exists):
        if not exists:
            raise SystemExit(f"no schema {args.schema}: build one with bench/day.py --keep-schema")
        for _ in range(args.repeats):
            with Session(engine) as session, session.begin():
                kept = session.execute(
                    text("SELECT to_regclass(:t) IS NOT NULL"), {"t": EVE_SUMMARIES}
                ).scalar_one()
                if kept:
                    session.execute(
                        text(
                            "UPDATE attendance_summaries s SET (as_of, instructional_days,"
                            " absences, consecutive_absences, absent_today, band) = (k.as_of,"
                            " k.instructional_days, k.absences, k.consecutive_absences,"
                            " k.absent_today, k.band) FROM students st, "
                            f"{EVE_SUMMARIES} k WHERE k.student_id = s.student_id"
                            " AND st.id = s.student_id AND st.school_id = :school"
                        ),
                        {"school": args.school},
                    )
                    _eve_state(session, args.school)
                session.execute(text(f"TRUNCATE {SCAN_TABLES} CASCADE"))  # the day's texts
                session.execute(text("DELETE FROM trigger_firings WHERE as_of = :d"), {"d": day})
            with Session(engine) as session:  # the part itself, rolled back
                wall, python, backend = (
                    time.perf_counter(),
                    time.process_time(),
                    backend_cpu(session),
                )
                result = scan(session, as_of=day, now=now, triggers=triggers, schools=[args.school])
                wall = time.perf_counter() - wall
                python = time.process_time() - python
                backend = backend_cpu(session) - backend
                session.rollback()
            with Session(engine) as session:  # the ceiling: rewrite each summary, rolled back
                rewrite, rewrite_backend = time.perf_counter(), backend_cpu(session)
                session.execute(
                    text(
                        "UPDATE attendance_summaries s SET scanned_at = scanned_at FROM students"
                        " st WHERE st.id = s.student_id AND st.school_id = :school"
                    ),
                    {"school": args.school},
                )
                rewrite = time.perf_counter() - rewrite
                rewrite_backend = backend_cpu(session) - rewrite_backend
                session.rollback()
            ruled = getattr(result, "rules_run_for", result.students_scanned)
            print(
                f"{args.school} {day}: {result.students_scanned:,} students, rules run for"
                f" {ruled:,}, {len(result.fired):,} fired; wall {wall:.2f} s, Python CPU"
                f" {python:.2f} s, PostgreSQL backend CPU {backend:.2f} s; ceiling, an UPDATE"
                f" of the school's summaries: wall {rewrite:.2f} s, backend CPU"
                f" {rewrite_backend:.2f} s; load {os.getloadavg()[0]:.1f}"
            )


def _eve_state(session: Session, school: str) -> None:
    """The columns the summaries' step carries forward, where this code's schema has them."""
    columns = set(
        session.execute(
            text(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = :t"
            ),
            {"t": EVE_SUMMARIES},
        ).scalars()
    )
    carried = [
        name
        for name in ("consecutive_present", "peak_band_rank", "evaluated_on", "series_digest")
        if name in columns
    ]
    if not carried:
        return
    session.execute(
        text(
            f"UPDATE attendance_summaries s SET ({', '.join(carried)}, as_of) ="
            f" ({', '.join('k.' + name for name in carried)}, k.as_of) FROM students st,"
            f" {EVE_SUMMARIES} k WHERE k.student_id = s.student_id AND st.id = s.student_id"
            " AND st.school_id = :school"
        ),
        {"school": school},
    )


if __name__ == "__main__":
    main()
