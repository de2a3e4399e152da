"""A synthetic district for the demo: fictional schools, students and families, as SIS CSVs.

Everyone here is invented. Phone numbers are in the 555-01xx range that is reserved for
fiction, so nothing the demo does could ever reach a real family.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

SCHOOLS = (
    ("LIN", "Lincoln Elementary", "97201", "+15035550100", ("K", "1", "2", "3", "4", "5")),
    ("ROO", "Roosevelt Middle", "97203", "+15035550101", ("6", "7", "8")),
    ("CED", "Cedar High", "97206", "+15035550102", ("9", "10", "11", "12")),
)
FIRST_NAMES = (
    "Ana",
    "Mateo",
    "Linh",
    "Minh",
    "Wei",
    "Mei",
    "Omar",
    "Amina",
    "Hodan",
    "Abdi",
    "Tou",
    "Mai",
    "Olena",
    "Dmytro",
    "Sofia",
    "Diego",
    "Camila",
    "Noah",
    "Ava",
    "Jamal",
    "Layla",
    "Farah",
    "Kai",
    "Leilani",
    "Joon",
    "Seo-yeon",
    "Ravi",
    "Priya",
    "Jean",
    "Nadia",
)
LAST_NAMES = (
    "Garcia",
    "Nguyen",
    "Tran",
    "Chen",
    "Li",
    "Hassan",
    "Ali",
    "Yusuf",
    "Vang",
    "Xiong",
    "Kovalenko",
    "Martinez",
    "Lopez",
    "Johnson",
    "Smith",
    "Kim",
    "Park",
    "Singh",
    "Pierre",
)
# Guardian languages, weighted roughly as in a West-coast district with many newcomers.
LANGUAGES = (
    ("en", 50),
    ("es", 28),
    ("vi", 6),
    ("zh-Hant", 4),
    ("so", 3),
    ("hmn", 3),
    ("ar", 2),
    ("uk", 2),
    ("ko", 2),
)
AREA_CODES = ("503", "971", "360", "206")
RESOURCES = (
    (
        "R-BUS-LIN",
        "transportation",
        "Lincoln front office bus passes",
        "Free bus passes for families",
        "+15035550110",
        "",
        "",
        "",
        "LIN",
        "en,es",
    ),
    (
        "R-BUS-ALL",
        "transportation",
        "TriMet student fare help",
        "Reduced fares for students",
        "+15035550111",
        "https://transit.example.org/students",
        "",
        "",
        "",
        "en,es,vi",
    ),
    (
        "R-CLINIC",
        "health",
        "Valley Family Clinic",
        "Sliding-scale clinic, walk-ins welcome",
        "+15035550112",
        "https://clinic.example.org",
        "",
        "97203",
        "",
        "en,es,vi,so",
    ),
    (
        "R-DENTAL",
        "health",
        "School-based dental van",
        "Free checkups at school",
        "+15035550113",
        "",
        "",
        "",
        "",
        "en,es",
    ),
    (
        "R-FOOD",
        "food",
        "Eastside Food Pantry",
        "Groceries every Tuesday and Friday",
        "+15035550114",
        "https://food.example.org",
        "",
        "",
        "",
        "en,es,ar",
    ),
    (
        "R-HOUSING",
        "housing",
        "Family Housing Help Line",
        "Help with rent and shelter",
        "+15035550115",
        "https://housing.example.org",
        "",
        "",
        "",
        "en,es,vi,uk",
    ),
    (
        "R-CHILDCARE",
        "childcare",
        "Before & After Care Program",
        "Care from 7am to 6pm",
        "+15035550116",
        "",
        "",
        "",
        "",
        "en,es",
    ),
)


@dataclass(frozen=True)
class DemoDistrict:
    """Where the demo's CSV files were written, and the day the demo stands on."""

    folder: Path
    today: date
    files: dict[str, Path]


def school_days(today: date, count: int) -> list[date]:
    """The last `count` weekdays up to and including today."""
    days: list[date] = []
    day = today
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _phones(rng: random.Random) -> list[str]:
    numbers = [f"+1{area}55501{n:02d}" for area in AREA_CODES for n in range(100)]
    # The schools and resources use 503-555-0100..0119; families get the rest.
    numbers = [n for n in numbers if not (n.startswith("+1503") and int(n[-2:]) < 20)]
    rng.shuffle(numbers)
    return numbers


def _status(rng: random.Random, risk: float, absent_run: int) -> str:
    if absent_run and rng.random() < 0.4:
        return "unexcused"  # absences come in runs, as illness and crises do
    roll = rng.random()
    if roll < risk * 0.55:
        return "unexcused"
    if roll < risk:
        return "excused"
    return "tardy" if roll > 0.97 else "present"


def build_district(
    folder: Path, today: date, students_per_school: int = 100, seed: int = 7
) -> DemoDistrict:
    """Write schools, students, guardians, calendar, attendance and resources CSVs."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    days = school_days(today, 22)  # about a month of school
    phones = _phones(rng)
    languages = [code for code, weight in LANGUAGES for _ in range(weight)]
    students, guardians, attendance = [], [], []
    for school_id, _, zip_code, _, grades in SCHOOLS:
        for n in range(students_per_school):
            student_id = f"{school_id}{n + 1:04d}"
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            students.append(
                (
                    student_id,
                    first,
                    last,
                    school_id,
                    rng.choice(grades),
                    zip_code,
                    rng.choice("YN"),
                    rng.choice("NNNY"),
                    rng.choice("YN"),
                )
            )
            guardians.append(
                (
                    student_id,
                    f"{rng.choice(FIRST_NAMES)} {last}",
                    phones.pop(),
                    rng.choice(languages),
                    rng.choice(("mother", "father", "grandparent")),
                )
            )
            risk = rng.choice((0.0, 0.01, 0.02, 0.03, 0.04, 0.06, 0.09, 0.18))
            run = 0
            for day in days:
                status = _status(rng, risk, run)
                run = run + 1 if status in ("unexcused", "excused") else 0
                attendance.append((student_id, day.isoformat(), status))
    files = {
        "schools": _write(
            folder / "schools.csv",
            ("school_id", "name", "zip", "phone"),
            [(s[0], s[1], s[2], s[3]) for s in SCHOOLS],
        ),
        "students": _write(
            folder / "students.csv",
            (
                "student_id",
                "first_name",
                "last_name",
                "school_id",
                "grade",
                "zip",
                "english_learner",
                "iep",
                "low_income",
            ),
            students,
        ),
        "guardians": _write(
            folder / "guardians.csv",
            ("student_id", "name", "phone", "language", "relationship"),
            guardians,
        ),
        "calendar": _write(
            folder / "calendar.csv",
            ("school_id", "date", "instructional"),
            [(s[0], d.isoformat(), "Y") for s in SCHOOLS for d in days],
        ),
        "attendance": _write(
            folder / "attendance.csv", ("student_id", "date", "status"), attendance
        ),
        "resources": _write(
            folder / "resources.csv",
            (
                "resource_id",
                "barrier",
                "name",
                "description",
                "phone",
                "url",
                "address",
                "zip",
                "school_id",
                "languages",
            ),
            RESOURCES,
        ),
    }
    return DemoDistrict(folder=folder, today=today, files=files)
