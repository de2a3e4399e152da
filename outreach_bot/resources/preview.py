"""A sheet as a family in each language would receive it, with what it costs in segments.

The text comes from the same render_sheet and right-to-left marks the bot sends with.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from outreach_bot.engine.definition import Text
from outreach_bot.engine.runner import Localizer, render
from outreach_bot.i18n.direction import for_reading
from outreach_bot.i18n.languages import text_direction
from outreach_bot.messaging.segments import MAX_SEGMENTS, Encoding, measure
from outreach_bot.resources.sheet import Place, render_sheet


@dataclass(frozen=True)
class SheetPreview:
    """One language's sheet: the text as sent, its segments, and which places it shows."""

    language: str
    text: str
    segments: int
    encoding: Encoding
    direction: str
    shown: tuple[str, ...]  # names of the places the text has room for
    left_out: tuple[str, ...]  # chosen places that did not fit within the budget

    @property
    def over(self) -> bool:
        """True when the text costs more than the budget (only a sheet with no room can)."""
        return self.segments > MAX_SEGMENTS


def preview_sheet(
    intro: Text,
    localizer: Localizer,
    language: str,
    places: Sequence[Place],
    link: str | None,
    context: dict[str, object] | None = None,
) -> SheetPreview:
    """The sheet of `places` in `language`, as render_sheet makes it and the phone receives it."""
    text = render_sheet(render(intro, context or {}, localizer), places, language, link)
    sent = for_reading(text, language)
    size = measure(sent)
    # render_sheet keeps the first places that fit, one line each.
    count = text.count("\n- ")
    shown = tuple(place.name for place in places[:count])
    left_out = tuple(place.name for place in places[count:])
    return SheetPreview(
        language, sent, size.count, size.encoding, text_direction(language), shown, left_out
    )


def preview_languages(
    intro: Text,
    localizer_for: Callable[[str], Localizer],
    languages: Sequence[str],
    places_for: Callable[[str], Sequence[Place]],
    link_for: Callable[[str], str | None],
) -> list[SheetPreview]:
    """The sheet in every language, each with its own choice of places and its own link."""
    return [
        preview_sheet(intro, localizer_for(lang), lang, places_for(lang), link_for(lang))
        for lang in languages
    ]
