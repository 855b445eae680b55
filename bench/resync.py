"""Unchanged re-sync: `notes-chat index` on 1,000 small files that are all
indexed already (goal ≤ 2 s, 0 chunks embedded).

Baseline: `notes-chat status` on the same index, in the same run: the same
process start, settings and index opening, without the sync. The difference
is what checking 1,000 files costs.

The files are built from sentences of ../shared/notes and indexed once with
the `hashing` embedder (an unchanged re-sync embeds nothing, so the embedder
makes no difference to it, and building with e5-small would take minutes).

    python bench/resync.py [--files 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import SHARED, median

NOTES_CHAT = Path(sys.executable).parent / "notes-chat"


def sentences(notes: Path) -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(notes.glob("*.txt")))
    return [s.strip() for s in re.split(r"(?<=[。！？!?])", text) if len(s.strip()) >= 8]


def make_files(folder: Path, count: int, pool: list[str]) -> None:
    rng = random.Random(7)
    for i in range(count):
        sub = folder / f"course-{i % 20:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        body = "\n".join(rng.sample(pool, 4))
        (sub / f"note-{i:04d}.md").write_text(f"# 笔记 {i}\n\n{body}\n", encoding="utf-8")


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(NOTES_CHAT), *args], env=env, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, done.stdout + done.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder, home = Path(tmp) / "notes", Path(tmp) / "home"
        make_files(folder, args.files, sentences(SHARED / "notes"))
        env = dict(
            os.environ,
            NOTES_CHAT_HOME=str(home),
            NOTES_CHAT_CONFIG=str(home / "none.toml"),
            NOTES_CHAT_EMBEDDER="hashing",
        )
        first, out = timed(["index", str(folder)], env)
        print(f"first index of {args.files} files: {first:.1f} s ({out.strip().splitlines()[-1]})")
        resync, status = [], []
        for _ in range(args.runs):
            seconds, out = timed(["index", str(folder)], env)
            resync.append(seconds)
            status.append(timed(["status"], env)[0])
        report = out.strip().splitlines()[-1]
        if " 0 chunks embedded" not in report:
            print(f"unexpected: the re-sync embedded chunks: {report}")
            return 1
        print(f"last re-sync said: {report}")
        print(f"baseline, notes-chat status: median {median(status):.2f} s")
        print(
            f"unchanged re-sync:          median {median(resync):.2f} s "
            f"(runs: {', '.join(f'{s:.2f}' for s in resync)}; goal <= 2 s)"
        )
        print(f"ratio re-sync / status:     {median(resync) / median(status):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
