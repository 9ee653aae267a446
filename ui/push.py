"""Live screens that are told, not polling: the push listener, and a countdown that ticks in the browser.

`listen_for_changes` mounts, inside a live fragment, a small component that keeps an EventSource open on
the change stream (ui/push_routes.py). When a stamp newer than the one the fragment drew arrives, it sets a
trigger value: a widget event inside an st.fragment reruns only that fragment. EventSource reconnects by
itself after a blip; after a server restart or a refusal it is opened again a few seconds later, and the
first stamp it hears tells whether the screen missed anything.

`tick_in_the_browser` lets the browser count the drawn clock down by itself (no rerun per second). The
server draws the clock's text and colour as always; the browser only rewrites its digits, and asks for one
rerun at the moment something else about the clock changes (amber, time up, the plan's minutes), so that
the rules stay in one place (intervision/live.py) and the console logs an overrun the moment it happens.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from urllib.parse import urlencode

import streamlit as st

from intervision.live import Countdown, SessionView, seconds_until_redrawn
from intervision.models import ChangeStamp
from ui.push_routes import CHANGES_ROUTE

# The fragments' safety net: a slow timer, in case a change was missed (a stream refused, a proxy that buffers).
SAFETY_SECONDS_DEFAULT = 30.0


def safety_seconds() -> float:
    """`INTERVISION_LIVE_SAFETY_SECONDS` (30): how often a live fragment reruns when nothing told it to."""
    return float(os.environ.get("INTERVISION_LIVE_SAFETY_SECONDS") or SAFETY_SECONDS_DEFAULT)


_LISTENER_JS = """
const ears = new Map();

export default function ({ data, key, setTriggerValue }) {
  const claim = {};  // this drawing's hold on the ear (see the cleanup at the end)
  let ear = ears.get(key);
  if (!ear || ear.url !== data.url) {
    if (ear) { ear.close(); }
    ear = { url: data.url, heard: data.stamp, heardMoments: data.moments, rendered: data.stamp,
            renderedMoments: data.moments, asked: false, waiting: null, source: null, retry: null, laterMs: 0 };
    const open = () => {
      ear.source = new EventSource(ear.url);
      ear.source.onmessage = (event) => {
        const said = JSON.parse(event.data);
        if (said.stamp > ear.heard) {
          ear.heard = said.stamp;
          ear.heardMoments = said.stamp - said.contributions;
        }
        ear.ask();
      };
      ear.source.onerror = () => {
        // A network error is retried by EventSource itself; a refusal (a proxy's 503 while the server
        // restarts, 429) closes it for good: open it again in a while.
        if (ear.source.readyState === EventSource.CLOSED && ear.retry === null) {
          ear.retry = setTimeout(() => { ear.retry = null; open(); }, 5000 + Math.random() * 5000);
        }
      };
    };
    ear.close = () => {
      clearTimeout(ear.retry); clearTimeout(ear.waiting); ear.retry = -1;
      if (ear.source) { ear.source.close(); }
    };
    ears.set(key, ear);
    open();
  }
  if (data.stamp !== ear.rendered) {
    ear.rendered = data.stamp;
    ear.renderedMoments = data.moments;
    ear.asked = false;
    clearTimeout(ear.waiting);
    ear.waiting = null;
  }
  ear.owner = claim;
  ear.laterMs = data.contributions_later_ms;
  ear.ask = () => {
    if (ear.heard <= ear.rendered || ear.asked) { return; }
    const tell = () => {
      clearTimeout(ear.waiting);
      ear.waiting = null;
      ear.asked = true;
      setTriggerValue("changed", ear.heard);
    };
    // The session moved on (the phase, the clock, the speaker): drawn at once. Only what participants added to
    // the board: a phone waits a while, different for each, and is drawn once for whatever came meanwhile.
    if (ear.heardMoments > ear.renderedMoments || ear.laterMs === 0) { tell(); return; }
    if (!ear.waiting) { ear.waiting = setTimeout(tell, ear.laterMs * (0.5 + Math.random())); }
  };
  ear.ask();
  // Streamlit runs a cleanup a moment after the element left, possibly after its successor (a page drawn
  // again after a reconnect) took the ear over: only the last drawing's cleanup may close it.
  return () => { if (ear.owner === claim) { ear.close(); ears.delete(key); } };
}
"""

_listener = st.components.v2.component("intervision.push_listener", js=_LISTENER_JS, isolate_styles=False)


def listen_for_changes(
    name: str,
    session_id: int,
    stamp: ChangeStamp,
    projector_token: str | None = None,
    contributions_later_seconds: float = 0.0,
) -> None:
    """Rerun the calling fragment as soon as the session's stamp moves past `stamp` (the one just drawn).

    With `contributions_later_seconds`, a change that is only participants adding to the board (a room sending
    questions) is drawn after that long (half to one and a half times, at random), once for whatever came
    meanwhile; the session moving on is drawn at once. For phones, whose copy of the board may follow a little
    later: redrawing every phone of thirty rooms for every question was more than one process could do.
    """
    query = {"session": session_id} | ({"token": projector_token} if projector_token else {})
    _listener(
        key=f"push.{name}.{session_id}",
        data={
            "url": f"{CHANGES_ROUTE}?{urlencode(query)}",
            "stamp": stamp.change,
            "moments": stamp.moments,
            "contributions_later_ms": round(contributions_later_seconds * 1000),
        },
        height=0,
        on_changed_change=lambda: None,  # the event's rerun of the fragment is all it takes
    )


_TICKER_JS = """
const tickers = new Map();
const CLOCK = /^−?\\d+:\\d{2}$/;

function shown(seconds) {  // as intervision/live.py format_clock: 12:05, or −1:30 once over time
  const whole = Math.trunc(Math.abs(seconds));
  return `${seconds < 0 ? "−" : ""}${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function digits(box) {  // the text node of the deepest element that shows only the clock
  const found = [...box.querySelectorAll("*")].filter((element) => CLOCK.test(element.textContent.trim()));
  const deepest = found.find((element) => !found.some((other) => other !== element && element.contains(other)));
  if (!deepest) { return null; }
  const walker = document.createTreeWalker(deepest, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (CLOCK.test(node.nodeValue.trim())) { return node; }
  }
  return null;
}

export default function ({ data, key, parentElement, setTriggerValue }) {
  const before = tickers.get(key);
  if (before) { before(); }
  const box = parentElement.closest(`.${data.box}`);
  const started = performance.now();
  const timers = [];
  if (data.running && box) {
    // Rewrite the text node itself (not the element's content): Streamlit's next draw then updates the same node.
    const tick = () => {
      const node = digits(box);
      const text = shown(data.remaining - (performance.now() - started) / 1000);
      if (node && node.nodeValue.trim() !== text) { node.nodeValue = text; }
    };
    tick();
    timers.push(setInterval(tick, 200));
  }
  if (data.redraw_after !== null) {
    timers.push(setTimeout(() => setTriggerValue("due", Date.now()), data.redraw_after * 1000));
  }
  const stop = () => { timers.forEach((timer) => { clearInterval(timer); clearTimeout(timer); }); };
  tickers.set(key, stop);
  return () => { stop(); if (tickers.get(key) === stop) { tickers.delete(key); } };
}
"""

_ticker = st.components.v2.component("intervision.countdown_ticker", js=_TICKER_JS, isolate_styles=False)


def tick_in_the_browser(view: SessionView, box_key: str) -> None:
    """Count the phase's clock drawn in the container `box_key` down in the browser; rerun the fragment when due.

    Call it inside that container (`st.container(key=box_key)`), in the fragment that drew the clock.
    """
    if view.clock is not None:
        tick_countdown_in_the_browser(view.clock, seconds_until_redrawn(view), box_key)


def tick_countdown_in_the_browser(clock: Countdown, redraw_after: float | None, box_key: str) -> None:
    """Count `clock`, drawn in the container `box_key` (the only countdown in it), down in the browser; ask for
    one rerun after `redraw_after` seconds (None: never), when it looks different other than in its digits."""
    _ticker(
        key=f"ticker.{box_key}",
        data={
            "box": f"st-key-{box_key}",
            "remaining": clock.remaining_seconds,
            "running": clock.running,
            "redraw_after": redraw_after,
        },
        height=0,
        on_due_change=lambda: None,  # the rerun draws the clock anew (and the console logs an overrun)
    )


@st.fragment(run_every=safety_seconds())
def redraw_when_changed(
    name: str, session_id: int, drawn_stamp: ChangeStamp, current_stamp: Callable[[], ChangeStamp]
) -> None:
    """For a screen without live fragments of its own (the console's check-in and closing): the whole screen
    is drawn again when the session changed elsewhere (a second device, a phone's rating)."""
    if current_stamp() != drawn_stamp:
        st.rerun()
    listen_for_changes(name, session_id, drawn_stamp)
