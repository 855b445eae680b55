"""Start-up time: `notes-chat --help` and the chat app's first paint.

Each is shown with a baseline measured in the same run (this machine is
shared and noisy): a bare `python -c pass` for --help, and a minimal Textual
app for the first paint, so the ratio is what notes-chat adds.

    python bench/startup.py [--runs 5]

First paint is timed in a real terminal (tmux): from starting the process to
the first screen that shows the app's footer. Needs tmux.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Footer, Static
class Minimal(App):
    BINDINGS = [("ctrl+q", "quit", "Quit")]
    def compose(self):
        yield Static("hello")
        yield Footer()
Minimal().run()
"""


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    return time.perf_counter() - started


def first_paint(command: str, marker: str, env: dict[str, str]) -> float:
    """Seconds until ``marker`` shows on a 100×30 tmux screen running ``command``."""
    session = f"bench{os.getpid()}"
    started = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command],
        env=env, check=True,
    )  # fmt: skip
    try:
        deadline = started + 30
        while time.perf_counter() < deadline:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            if marker in screen:
                return time.perf_counter() - started
            time.sleep(0.01)
        raise TimeoutError(f"{marker!r} did not appear within 30 s")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    python = sys.executable
    cli = str(Path(python).with_name("notes-chat"))
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, NOTES_CHAT_HOME=home, NOTES_CHAT_CONFIG=f"{home}/config.toml")
        rows = []
        bare = statistics.median(timed([python, "-c", "pass"], env) for _ in range(args.runs))
        help_ = statistics.median(timed([cli, "--help"], env) for _ in range(args.runs))
        rows.append(("notes-chat --help", help_, "python -c pass", bare))
        if shutil.which("tmux"):
            script = Path(home) / "minimal.py"
            script.write_text(MINIMAL_APP)
            base = statistics.median(
                first_paint(f"{python} {script}", "Quit", env) for _ in range(args.runs)
            )
            app = statistics.median(
                first_paint(f"{cli} chat", "Quit", env) for _ in range(args.runs)
            )
            rows.append(("chat app first paint", app, "minimal Textual app", base))
    print(f"{'what':<24}{'median s':>10}  {'baseline':<22}{'median s':>10}{'ratio':>8}")
    for what, seconds, baseline, base_seconds in rows:
        ratio = seconds / base_seconds
        print(f"{what:<24}{seconds:>10.3f}  {baseline:<22}{base_seconds:>10.3f}{ratio:>8.2f}")


if __name__ == "__main__":
    main()
