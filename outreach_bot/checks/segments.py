"""What each text a family may get costs at its longest, in every language.

Short samples ("Ana", "Lincoln", 4 days) hide the texts that cost most. Here every flow
text, system message and resource sheet is filled with long, realistic values: a 35-letter
school name, names outside GSM-7 (one "á" makes a whole text UCS-2, 70 characters a
segment), two-digit counts, every plural form, two children where a text names several,
a sheet of three places, the district's own name, and the right-to-left marks a phone
receives. `flows check`
fails any text above MAX_SEGMENTS; `i18n status` shows each language's costliest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from outreach_bot.conversations.family import summary_lines
from outreach_bot.engine.definition import Text
from outreach_bot.engine.library import FlowLibrary
from outreach_bot.engine.runner import Localizer, render
from outreach_bot.i18n.catalogs import Catalogs
from outreach_bot.i18n.direction import for_reading
from outreach_bot.i18n.formatting import format_date
from outreach_bot.i18n.languages import SUPPORTED_LANGUAGES, own_name
from outreach_bot.i18n.lists import format_list
from outreach_bot.messaging.segments import MAX_SEGMENTS, Encoding, measure
from outreach_bot.models import Resource
from outreach_bot.resources.sheet import SHEET_SIZE, render_sheet

SCHOOL_NAME = "Thurgood Marshall Elementary School"  # 35 characters
SCHOOL_PHONE = "(503) 555-0142"
# Names outside GSM-7 (á, ë), so even a Spanish text is measured as UCS-2.
CHILDREN = (("Nicolás", 12, "severe_chronic"), ("Zoë", 15, "moderate_chronic"))
# One count of each plural form the catalogs have (Arabic has six), up to two digits.
COUNTS = (0, 1, 2, 3, 11, 12, 21)
# Three places as districts list them: a long name, a phone, a web address.
SHEET_PLACES = (
    ("Riverside Family Resource Center", "(503) 555-0114", "https://familycenter.example.org"),
    ("Valley Family Clinic", "(503) 555-0112", "https://clinic.example.org"),
    ("Lincoln front office bus passes", "(503) 555-0110", ""),
)
SHEET_INTRO = "resources_intro"


@dataclass(frozen=True)
class TextCost:
    """One text in one language at its costliest: where it is, the text, its segments."""

    where: str
    language: str
    text: str
    segments: int
    encoding: Encoding
    shortfall: str = ""  # what had to be left out to stay within MAX_SEGMENTS

    @property
    def over(self) -> bool:
        """True when the text costs too much, or fits only by leaving something out."""
        return self.segments > MAX_SEGMENTS or bool(self.shortfall)


def flow_texts(library: FlowLibrary) -> Iterator[tuple[str, Text]]:
    """Every text a flow or the system messages may send, with where it is defined."""
    for flow in library.flows.values():
        for step in flow.steps.values():
            kinds = (("", step.text), (" (retry)", step.retry_text), (" (later)", step.later_text))
            for kind, text in kinds:
                if text is not None:
                    yield f"{flow.source}, step {step.name}{kind}", text
    for name, text in library.system.items():
        yield f"system.yaml, {name}", text


def _contexts(
    library: FlowLibrary, localizer: Localizer, language: str, district_name: str
) -> Iterator[dict[str, object]]:
    """The values a text may be filled with: one child at each count, then two children."""
    bands = {name[5:]: text for name, text in library.system.items() if name.startswith("band_")}
    line = library.system.get("attendance_line")
    longest_name = max((own_name(tag) for tag in SUPPORTED_LANGUAGES), key=len)
    shared: dict[str, object] = {
        "school_name": SCHOOL_NAME,
        "district_name": district_name,
        "school_phone": SCHOOL_PHONE,
        "language_name": longest_name,
        "suggested_language": "es",
        "absence_day": _longest_day(language),
    }
    name, _, band = CHILDREN[0]
    for count in COUNTS:
        summary = summary_lines([(name, count, band)], line, bands, localizer) if line else ""
        yield {
            **shared,
            "first_name": name,
            "days_missed": count,
            "children_days": f"{name} {count}",
            "children_count": 1,
            "attendance_summary": summary,
        }
    yield {
        **shared,
        "first_name": format_list([child[0] for child in CHILDREN], language),
        "days_missed": sum(child[1] for child in CHILDREN),
        "children_days": format_list([f"{n} {c}" for n, c, _ in CHILDREN], language),
        "children_count": len(CHILDREN),
        "attendance_summary": summary_lines(CHILDREN, line, bands, localizer) if line else "",
    }


@cache
def _longest_day(language: str) -> str:
    """The longest way a same-day text's later words may name a day (weekday and month)."""
    days = (date(2026, 1, 1) + timedelta(days=n) for n in range(365))
    # A character outside GSM-7 (Portuguese "ç") costs more than any length.
    return max(
        (format_date(day, language) for day in days),
        key=lambda named: (measure(named).encoding != "GSM-7", len(named)),
    )


def _cost(where: str, language: str, text: str, shortfall: str = "") -> TextCost:
    sent = for_reading(text, language)
    size = measure(sent)
    return TextCost(where, language, sent, size.count, size.encoding, shortfall)


def costs(
    library: FlowLibrary, catalogs: Catalogs, language: str, district_name: str
) -> list[TextCost]:
    """Every text, and the resource sheet, in one language at its costliest."""
    localizer = catalogs.get(language)
    contexts = list(_contexts(library, localizer, language, district_name))
    found = []
    for where, text in flow_texts(library):
        rendered = (_cost(where, language, render(text, c, localizer)) for c in contexts)
        found.append(max(rendered, key=lambda cost: cost.segments))
    if SHEET_INTRO in library.system:
        intro = render(library.system[SHEET_INTRO], contexts[-1], localizer)
        places = [Resource(name=n, phone=p, url=u) for n, p, u in SHEET_PLACES[:SHEET_SIZE]]
        sheet = render_sheet(intro, places, language)
        shown = sheet.count("\n- ")
        shortfall = f"only {shown} of {len(places)} places fit" if shown < len(places) else ""
        found.append(_cost(f"resource sheet of {len(places)} places", language, sheet, shortfall))
    return found


def worst_costs(
    library: FlowLibrary, catalogs: Catalogs, district_name: str
) -> dict[str, list[TextCost]]:
    """Every language's costs, English first, with the district's own name (DISTRICT_NAME)."""
    languages = catalogs.languages()
    return {language: costs(library, catalogs, language, district_name) for language in languages}
