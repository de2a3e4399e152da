"""Properties of the engine over any sequence of inputs, in any flow, in any language we ship."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from outreach_bot.engine.library import load_library
from outreach_bot.engine.runner import (
    DeliveryFailed,
    Ended,
    Reply,
    SendText,
    Start,
    State,
    Timeout,
    advance,
)
from outreach_bot.engine.simulator import SAMPLE_CONTEXT
from outreach_bot.i18n.catalogs import Catalogs

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = load_library(ROOT / "flows")
CATALOGS = Catalogs(ROOT / "locales")
START = datetime(2026, 10, 14, 22, 30, tzinfo=UTC)

replies = st.one_of(
    st.sampled_from(["1", "2", "3", "4", "5", "6", "7", "0", "１", "٢", "3️⃣", "yes", "no", "bus"]),
    st.text(max_size=40),
)
inputs = st.lists(
    st.one_of(
        st.builds(Reply, replies),
        st.tuples(st.just("wait"), st.integers(min_value=0, max_value=7 * 24 * 60)),
        st.just(DeliveryFailed()),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    flow_name=st.sampled_from(sorted(LIBRARY.flows)),
    language=st.sampled_from(CATALOGS.languages()),
    script=inputs,
)
def test_no_input_raises_or_strands_a_conversation(flow_name, language, script):
    flow = LIBRARY.flows[flow_name]
    localizer = CATALOGS.get(language)
    now = START
    events, state = advance(
        flow, State(), Start(), now=now, context=SAMPLE_CONTEXT, localizer=localizer
    )
    for item in script:
        if isinstance(item, tuple):
            now += timedelta(minutes=item[1])
            item = Timeout()
        events, state = advance(
            flow, state, item, now=now, context=SAMPLE_CONTEXT, localizer=localizer
        )
        # Every text the family could get is filled in: no placeholder left, nothing empty.
        for event in events:
            if isinstance(event, SendText):
                assert event.text.strip() and "{" not in event.text
        if any(isinstance(event, Ended) for event in events):
            assert state.ended
        # Never stranded: a conversation is over, or waits at a step with a timer to move it.
        if not state.ended:
            assert state.waiting and state.due_at is not None
            assert flow.steps[state.step].kind in ("ask", "wait")
