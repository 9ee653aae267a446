"""The projector screen: what may be projected, in large type, following the console by itself.

Opened by a link with the session's projector token (no sign-in on the beamer's computer). Tips and the
observation log are never part of what this page reads. It speaks the group's language, not the beamer
browser's, and fits the screen without scrolling from 1024×768 to 3840×2160: every size is in `--u`, a
hundredth of the screen's height (or of a 16:9 part of its width on a narrower screen), times the zoom.
"""

import json
from dataclasses import replace
from html import escape

import streamlit as st

from intervision import live, session_exercises
from intervision.database import configured as configured_database
from intervision.models import SessionStatus
from ui.browser import app_origin
from ui.exercises import projected_exercise
from ui.guard import Viewer, escape_markdown, guard
from ui.live import big_clock, board_list, follow_url, qr_png
from ui.push import listen_for_changes, safety_seconds, tick_in_the_browser
from ui.rounds import projected_round

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("projector", chrome=False)
token = st.query_params.get("token", "")

ZOOM_STEPS = (0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.4)  # the A−/A+ buttons step through these

# Streamlit's padding and header are for an app, not a beamer: the session takes the whole screen.
PROJECTOR_CSS = """
<style>
:root { --zoom: 1; --u: calc(min(1vh, 0.5625vw) * var(--zoom)); }
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none; }
.stMainBlockContainer { padding: calc(var(--u) * 2) calc(var(--u) * 3) 0 calc(var(--u) * 3); max-width: 100%; }
.stMain [data-testid="stVerticalBlock"] { gap: calc(var(--u) * 1); }
.st-key-projector-phase h1 { font-size: calc(var(--u) * 7); line-height: 1.1; padding: 0; }
.st-key-projector-phase p { font-size: calc(var(--u) * 3.6); line-height: 1.25; margin: 0; }
.st-key-projector-who p { font-weight: 600; }
/* Streamlit pulls each Markdown block up by the margin its last paragraph had; ours have none. */
.st-key-projector-phase [data-testid="stMarkdownContainer"],
.st-key-projector-join [data-testid="stMarkdownContainer"] { margin-bottom: 0 !important; }
.st-key-projector-rules p { font-size: calc(var(--u) * 3); color: #444; }
.projector-clock { font-size: calc(var(--u) * 16); font-weight: 700; line-height: 1; }
.projector-plan { font-size: calc(var(--u) * 2.6); color: #333; }
.projector-time-up { animation: projector-flash 1s steps(2, start) infinite; }
@keyframes projector-flash { to { visibility: hidden; } }
.st-key-projector-join p { font-size: calc(var(--u) * 2.6); margin: 0; white-space: nowrap; }
.st-key-projector-join strong { font-size: calc(var(--u) * 7); letter-spacing: 0.05em; }
.st-key-projector-join img { width: calc(var(--u) * 20) !important; height: auto; }
.projector-board { font-size: calc(var(--u) * 3.2); line-height: 1.25; }
.projector-board-title { font-size: calc(var(--u) * 4); font-weight: 700; }
.projector-board-kind { font-size: calc(var(--u) * 2.6); font-weight: 700; color: #555;
  margin-top: calc(var(--u) * 0.8); }
.projector-board ul { margin: 0; padding-left: calc(var(--u) * 3); }
.projector-board ul li { font-size: calc(var(--u) * 3.2); line-height: 1.25; margin: 0 0 calc(var(--u) * 0.6) 0;
  display: -webkit-box; -webkit-box-orient: vertical;
  -webkit-line-clamp: 2; line-clamp: 2; overflow: hidden; }
.projector-board ul li::before { content: "• "; }
.projector-board-more, .projector-board-empty { color: #555; }
.projector-dots { font-weight: 700; color: #1a4f9c; white-space: nowrap; }
.st-key-projector-controls { position: fixed; right: calc(var(--u) * 1); bottom: calc(var(--u) * 1); z-index: 10;
  width: auto; }
.projector-controls button { font-size: calc(var(--u) * 1.8); margin-left: 0.3em; padding: 0.1em 0.5em;
  background: #fff; border: 1px solid #bbb; border-radius: 0.3em; color: #333; cursor: pointer; opacity: 0.6; }
.projector-controls button:hover { opacity: 1; }
</style>
"""


def controls(viewer: Viewer) -> None:
    """Size, sound and full screen, in the corner: they act in the beamer's browser alone, so zoom and sound stay
    put there across reruns and reloads (localStorage), and full screen needs the click that asks for it.

    The sound is off until someone turns it on: a short tone, once, when a phase's time is up (the moment the
    clock starts flashing). Browsers only play sound after a click on the page, which turning it on is.
    """
    steps = json.dumps(ZOOM_STEPS)
    zoom, full_screen = escape(viewer.t("projector.zoom")), escape(viewer.t("projector.full_screen"))
    sound = escape(viewer.t("projector.sound"))
    st.html(
        f"""
<div class="projector-controls">
<button type="button" id="projector-smaller" title="{zoom} −">A−</button>
<button type="button" id="projector-larger" title="{zoom} +">A+</button>
<button type="button" id="projector-sound" title="{sound}" aria-label="{sound}" aria-pressed="false">🔕</button>
<button type="button" id="projector-full-screen">⛶ {full_screen}</button>
</div>
<script>
(() => {{
  const steps = {steps};
  const root = document.documentElement;
  const stored = parseFloat(localStorage.getItem("projector-zoom"));
  let index = steps.indexOf(steps.includes(stored) ? stored : 1);
  const apply = () => {{
    root.style.setProperty("--zoom", String(steps[index]));
    localStorage.setItem("projector-zoom", String(steps[index]));
  }};
  apply();
  document.getElementById("projector-smaller").onclick = () => {{ index = Math.max(0, index - 1); apply(); }};
  document.getElementById("projector-larger").onclick = () => {{
    index = Math.min(steps.length - 1, index + 1); apply();
  }};
  document.getElementById("projector-full-screen").onclick = () => {{
    if (document.fullscreenElement) {{ document.exitFullscreen(); }} else {{ root.requestFullscreen(); }}
  }};

  // The sound: one page-wide watcher (the controls are drawn again on every rerun, the watcher is not).
  const soundButton = document.getElementById("projector-sound");
  const showSound = () => {{
    const on = localStorage.getItem("projector-sound") === "on";
    soundButton.textContent = on ? "🔔" : "🔕";
    soundButton.setAttribute("aria-pressed", String(on));
  }};
  showSound();
  soundButton.onclick = () => {{
    const on = localStorage.getItem("projector-sound") !== "on";
    localStorage.setItem("projector-sound", on ? "on" : "off");
    if (on) {{ window.projectorAudio = window.projectorAudio || new AudioContext(); window.projectorAudio.resume(); }}
    showSound();
  }};
  if (!window.projectorTimeUpWatcher) {{
    let flashing = false;
    const tone = () => {{
      const audio = window.projectorAudio = window.projectorAudio || new AudioContext();
      const oscillator = audio.createOscillator();
      const volume = audio.createGain();
      oscillator.frequency.value = 880;
      volume.gain.setValueAtTime(0.25, audio.currentTime);
      volume.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.8);
      oscillator.connect(volume).connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.8);
      root.dataset.tones = String(Number(root.dataset.tones || 0) + 1);
    }};
    window.projectorTimeUpWatcher = new MutationObserver(() => {{
      const now = document.querySelector(".projector-time-up") !== null;
      if (now && !flashing && localStorage.getItem("projector-sound") === "on") {{ tone(); }}
      flashing = now;
    }});
    window.projectorTimeUpWatcher.observe(document.body, {{ subtree: true, childList: true, attributes: true }});
  }}
}})();
</script>
""",
        unsafe_allow_javascript=True,  # only our own markup and catalog texts, never what a person typed
    )


@st.fragment(run_every=safety_seconds())
def projection() -> None:
    """Read the session again the moment it changed (the change stream), and on a slow safety timer."""
    view = live.projector_view(database, token) if token else None
    if view is None:
        st.error(viewer.t("projector.invalid"))
        return
    session = view.session
    # The group's language, chosen for its sessions: a beamer's browser set to another language changes nothing.
    speaking = replace(viewer, language=session.group_language)
    st.html(PROJECTOR_CSS)
    with st.container(key="projector-controls"):
        controls(speaking)
        # In the fixed corner, so the listener takes no room on the beamer.
        listen_for_changes("projector", session.id, session.stamp, projector_token=token)
    if session.status is SessionStatus.CLOSED:
        st.title(speaking.t("projector.closed"))
        return
    main, side = st.columns([3, 2], gap="large")
    with side:
        # The way in for phones on top, where it stays put; the board, newest first, beneath it.
        with st.container(key="projector-join", horizontal=True, vertical_alignment="center"):
            st.image(qr_png(follow_url(app_origin(), session.join_code)))
            st.markdown(f"{speaking.t('projector.join')}  \n**{session.join_code}**")
        if session.status is not SessionStatus.CHECK_IN:
            board_list(view, speaking, projected=True)
    exercise = session_exercises.projected_exercise(database, token)
    if exercise is not None:
        # The exercise the facilitator put up takes the place of the check-in's or closing's prompt.
        with main:
            projected_exercise(exercise, session.group_language, speaking)
        return
    with main, st.container(key="projector-phase"):
        if session.status is SessionStatus.CHECK_IN:
            st.title(speaking.t("projector.check_in"))
            st.markdown(speaking.t("live.check_in_prompt"))
            return
        if session.status is SessionStatus.CLOSING:
            st.title(speaking.t("projector.closing"))
            st.markdown(speaking.t("live.closing_prompt"))
            return
        phase = view.phase
        st.title(escape_markdown(phase.name(speaking.language)))
        with st.container(key="projector-clock-box", gap=None):
            big_clock(view, speaking)
            tick_in_the_browser(view, "projector-clock-box")
        projected_round(database, speaking, view)
        with st.container(key="projector-who", gap=None):
            speakers = ", ".join(speaking.t(f"speaker.{speaker}") for speaker in phase.speakers)
            st.markdown(f"{speaking.t('live.speaks')}: {speakers}")
            if phase.listeners:
                listeners = ", ".join(speaking.t(f"speaker.{speaker}") for speaker in phase.listeners)
                st.markdown(f"{speaking.t('live.listens')}: {listeners}")
        for line in phase.prompts(speaking.language):
            st.markdown(escape_markdown(line))
        with st.container(key="projector-rules"):
            for line in phase.rules(speaking.language):
                st.markdown(f":material/block: {escape_markdown(line)}")


projection()
