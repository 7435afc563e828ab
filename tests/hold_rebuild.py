"""An mkdocs hook for tests/test_preview_browser.py: each build waits before it writes anything while the file
that HOLD_REBUILD names exists (at most two minutes), so that a test sees the moment between the edited page
shown first and the rest of the rebuild, without timing anything."""

import os
import time
from pathlib import Path


def on_env(env, config, files):
    hold = os.environ.get("HOLD_REBUILD")
    give_up = time.monotonic() + 120
    while hold and Path(hold).exists() and time.monotonic() < give_up:
        time.sleep(0.05)
    return env
