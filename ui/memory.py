"""What the whole process shares, kept out of the garbage collector's full passes.

Python's cyclic collector now and then walks every object the process holds. After start-up that is a
quarter of a million objects (Streamlit, plotly's validators, pandas, pydantic's models), and a full pass
took 0.1–0.8 s on the bench machine, holding the interpreter lock: every session of the server stood
still, and the rerun it fell in was the slowest of the page (bench/PROFILES.md). Those objects live as
long as the process, so they are moved once into the collector's permanent generation (`gc.freeze`);
what a rerun makes is collected as before.
"""

from __future__ import annotations

import gc
import threading

_frozen = False
_freezing = threading.Lock()


def freeze_what_start_up_made() -> None:
    """Once per process: load the pages' heavy libraries, collect what is garbage, freeze the rest."""
    global _frozen
    if _frozen:
        return
    with _freezing:
        if _frozen:
            return
        # The charts' libraries, which the pages would otherwise import on their first run, after the freeze.
        import pandas  # noqa: F401
        import plotly.express  # noqa: F401
        import plotly.graph_objects  # noqa: F401

        gc.collect()
        gc.freeze()
        _frozen = True
