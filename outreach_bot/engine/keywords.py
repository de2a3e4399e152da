"""Keyword triggers: a family's text that starts a flow by itself (ATTENDANCE, ESPAÑOL...).

Read from the `keywords` and `catch_all` sections of flows/triggers.yaml. Keyword lists are
English msgids, so translators give each language its own words; a family may type the
words of any language we support. STOP, START and HELP never reach here: they are handled
before any flow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from outreach_bot.engine.definition import FlowError
from outreach_bot.engine.matching import fold, starts_with_keyword
from outreach_bot.engine.runner import Localizer


@dataclass(frozen=True)
class KeywordTrigger:
    """Start `flow` when a text's first word (or whole text) is one of `keywords`."""

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
    ) -> KeywordMatch | None:
        """The trigger this text fires, if any; `language_names` maps folded names to tags."""
        folded = fold(text)
        if not folded:
            return None
        every = tuple(localizers)
        for trigger in self.triggers:
            if trigger.language_names:
                if folded in language_names:
                    return KeywordMatch(trigger, language_names[folded])
            elif starts_with_keyword(folded, _in_every_language(trigger.keywords or "", every)):
                return KeywordMatch(trigger)
        return None

    def flows(self) -> set[str]:
        """Every flow these rules can start."""
        found = {trigger.flow for trigger in self.triggers}
        return found | ({self.catch_all} if self.catch_all else set())


@lru_cache(maxsize=256)
def _in_every_language(keywords: str, localizers: tuple[Localizer, ...]) -> str:
    """A trigger's keywords in every language given, as one list (matched as one pattern)."""
    return ",".join(localizer.gettext(keywords) for localizer in localizers)


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
