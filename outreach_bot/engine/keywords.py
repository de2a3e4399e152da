"""Keyword triggers: a family's text that starts a flow by itself (ATTENDANCE, ESPAÑOL...).

Read from the `keywords` and `catch_all` sections of flows/triggers.yaml. Keyword lists are
English msgids, so translators give each language its own words. A keyword is the whole text,
in the family's language or English, with at most courtesy words around it ("attendance
please"): "absent today, sick" reports an absence, and a person should read it. STOP, START
and HELP never reach here: they are handled before any flow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from outreach_bot.engine.definition import FlowError
from outreach_bot.engine.matching import fold
from outreach_bot.engine.runner import Localizer


@dataclass(frozen=True)
class KeywordTrigger:
    """Start `flow` when a whole text is one of `keywords`."""

    name: str
    flow: str
    keywords: str | None = None
    language_names: bool = False


@dataclass(frozen=True)
class KeywordMatch:
    """A keyword trigger a text matched, and for a language name, the language."""

    trigger: KeywordTrigger
    language: str | None = None


@dataclass(frozen=True)
class KeywordRules:
    """Every keyword trigger, and the flow for texts that no flow is waiting for."""

    triggers: tuple[KeywordTrigger, ...] = ()
    catch_all: str | None = None

    def match(
        self,
        text: str,
        localizers: Iterable[Localizer],
        language_names: Mapping[str, str],
        courtesy: Iterable[str] = (),
    ) -> KeywordMatch | None:
        """The trigger this text fires, if any.

        `localizers` are the languages whose keywords count (the family's and English);
        `language_names` maps folded names to tags; `courtesy` words may surround a keyword.
        """
        folded = fold(text)
        if not folded:
            return None
        forms = {folded, _without_courtesy(folded, frozenset(map(fold, courtesy)))}
        every = tuple(localizers)
        for trigger in self.triggers:
            if trigger.language_names:
                if folded in language_names:
                    return KeywordMatch(trigger, language_names[folded])
            elif forms & _keywords_in(trigger.keywords or "", every):
                return KeywordMatch(trigger)
        return None

    def flows(self) -> set[str]:
        """Every flow these rules can start."""
        found = {trigger.flow for trigger in self.triggers}
        return found | ({self.catch_all} if self.catch_all else set())


@lru_cache(maxsize=256)
def _keywords_in(keywords: str, localizers: tuple[Localizer, ...]) -> frozenset[str]:
    """A trigger's keywords in each language given, folded."""
    translated = ",".join(localizer.gettext(keywords) for localizer in localizers)
    return frozenset(word for word in map(fold, translated.split(",")) if word)


def _without_courtesy(folded: str, courtesy: frozenset[str]) -> str:
    """A folded text without courtesy words at either end ("attendance please")."""
    words = folded.split()
    changed = True
    while changed and words:
        changed = False
        for size in (1, 2, 3):
            if " ".join(words[:size]) in courtesy:
                words, changed = words[size:], True
            elif " ".join(words[-size:]) in courtesy:
                words, changed = words[:-size], True
    return " ".join(words)


def parse_keyword_rules(data: object, source: str) -> KeywordRules:
    """The `keywords` and `catch_all` sections of a triggers file."""
    if not isinstance(data, Mapping):
        return KeywordRules()
    triggers = []
    for position, item in enumerate(data.get("keywords") or [], start=1):
        if not isinstance(item, Mapping) or not item.get("name") or not item.get("flow"):
            raise FlowError(source, None, f"keyword trigger #{position} needs a name and a flow")
        names = bool(item.get("language_names"))
        if names == bool(item.get("keywords")):
            raise FlowError(
                source,
                None,
                f"keyword trigger {item['name']!r} needs either `keywords: WORDS` "
                "or `language_names: true`",
            )
        triggers.append(
            KeywordTrigger(
                name=str(item["name"]),
                flow=str(item["flow"]),
                keywords=str(item["keywords"]).strip() if item.get("keywords") else None,
                language_names=names,
            )
        )
    catch_all = data.get("catch_all")
    flow = catch_all.get("flow") if isinstance(catch_all, Mapping) else None
    return KeywordRules(tuple(triggers), str(flow) if flow else None)
