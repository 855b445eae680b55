"""Study cards through the CLI against the fake Ollama: made from the notes
with their sources, kept in step with the notes, exported."""

from __future__ import annotations

import csv
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from assistant.study.cards import supported
from cli import app
from tests.fake_ollama import Script
from tests.study_cards import GOOD, INVENTED, RL, SAME, card_reply, make_cards, open_study, runner

pytestmark = pytest.mark.usefixtures("cli_indexed")


def test_supported_needs_the_answer_words_in_the_passage() -> None:
    passage = "GAN 由生成器和判别器组成。生成器负责生成以假乱真的样本。"
    assert supported("生成器和判别器", passage)
    assert not supported("Ian Goodfellow 在 2014 年提出", passage)
    assert not supported("编码器和解码器", passage)
    # the sentence check of answers (assistant.support), at the cards' stricter bar
    assert not supported("同步策略算法", "Q-Learning 属于异步策略算法。")
    # too short to score: it must be in the passage as written
    assert supported("Q、K、V", "多头注意力把 Q、K、V 投影到多个子空间")
    assert not supported("2014", passage)


def test_what_is_not_a_flashcard_is_dropped(notes: Path, script: Script) -> None:
    statement = {"question": "GAN 由生成器和判别器组成。", "answer": "是"}
    paragraph = {"question": "GAN 是什么？", "answer": "GAN 由生成器和判别器组成。" * 12}
    english = {"question": "What are the two parts of a GAN?", "answer": "生成器和判别器"}
    out = make_cards(script, notes / "dl" / "gan.md", statement, paragraph, english, GOOD)
    assert "1 cards made, 3 dropped" in out
    assert [c.question for c in open_study().store.cards()] == [GOOD["question"]]


def test_cards_are_made_with_their_source_and_unsupported_ones_dropped(
    notes: Path, script: Script
) -> None:
    out = make_cards(script, notes / "dl" / "gan.md", GOOD, INVENTED)
    assert "GAN 由哪两部分组成？" in out and "dl/gan.md:1-" in out
    assert "1 cards made, 1 dropped" in out
    assert "Goodfellow" not in out
    (card,) = open_study().store.cards()
    assert (card.path, card.answer, card.start_line) == ("dl/gan.md", "生成器和判别器", 1)
    assert card.chunk_id and len(card.text_hash) == 16 and "生成器和判别器" in card.passage
    prompt = script.requests[-1]["messages"][0]["content"]
    assert "GAN 由生成器和判别器组成" in prompt  # the passage was what the model was shown
    assert script.requests[-1]["format"] == "json"


def test_an_interrupted_make_keeps_the_cards_made_so_far(notes: Path, script: Script) -> None:
    study = open_study()
    chunks = study.chunks_for(path=notes)
    assert [c.path for c in chunks][:2] == ["attention.md", "dl/gan.md"]
    script.queued.append(
        card_reply({"question": "多头注意力把什么投影到多个子空间？", "answer": "Q、K、V"})
    )

    def stop(event: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        study.make(chunks, 10, progress=stop)
    (card,) = study.store.cards()
    assert card.path == "attention.md" and card.answer == "Q、K、V"
    assert len([r for r in script.requests if r["path"] == "/api/chat"]) == 1


def test_a_near_same_question_on_the_same_source_is_not_made_twice(
    notes: Path, script: Script
) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)
    out = make_cards(script, notes / "dl" / "gan.md", SAME)
    assert "0 cards made, 1 dropped" in out
    assert len(open_study().store.cards()) == 1


def test_a_path_outside_the_notes_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cards", "make", str(tmp_path / "elsewhere")])
    assert result.exit_code == 1
    assert "not an indexed notes file or folder" in result.stderr
    assert "Traceback" not in result.output


def test_index_flags_changed_sources_and_retires_gone_ones(notes: Path, script: Script) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)
    make_cards(script, notes / "rl.txt", RL)
    gan = notes / "dl" / "gan.md"
    gan.write_text(gan.read_text("utf-8").replace("以假乱真", "逼真"), "utf-8")
    (notes / "rl.txt").unlink()
    synced = runner.invoke(app, ["index"])
    assert "Study cards: 1 with a changed source" in synced.stdout and "1 retired" in synced.stdout
    store = open_study().store
    (changed,) = store.cards(("changed",))
    assert changed.question == GOOD["question"] and "逼真" in (changed.new_text or "")
    (retired,) = store.cards(("retired",))  # kept, not deleted
    assert retired.question == RL["question"]
    listing = runner.invoke(app, ["cards", "list", "--changed"]).stdout
    assert "source changed" in listing and "now:" in listing and "逼真" in listing
    assert runner.invoke(app, ["cards", "keep", str(changed.id)]).exit_code == 0
    kept = store.get(changed.id)
    assert kept.status == "active" and "逼真" in kept.passage and kept.new_text is None


def test_export_apkg_reads_back_with_one_deck_per_folder(
    notes: Path, script: Script, tmp_path: Path
) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)
    make_cards(script, notes / "rl.txt", RL)
    target = tmp_path / "notes.apkg"
    result = runner.invoke(app, ["cards", "export", str(target)])
    assert result.exit_code == 0 and "2 cards written" in result.stdout
    with zipfile.ZipFile(target) as z:
        (tmp_path / "col.anki2").write_bytes(z.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "col.anki2")
    fields = sorted(r[0].split("\x1f") for r in db.execute("SELECT flds FROM notes"))
    assert [f[0] for f in fields] == [GOOD["question"], RL["question"]]
    assert fields[0][2].startswith("dl/gan.md:1-") and fields[1][2].startswith("rl.txt:")
    decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    names = {d["name"] for d in decks.values()}
    assert {"notes", "notes::dl"} <= names
    assert db.execute("SELECT count(*) FROM cards").fetchone()[0] == 2


def test_export_csv(notes: Path, script: Script, tmp_path: Path) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)
    target = tmp_path / "cards.csv"
    assert runner.invoke(app, ["cards", "export", str(target), "--csv"]).exit_code == 0
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[0] == ["question", "answer", "source", "deck"]
    assert rows[1][:2] == [GOOD["question"], GOOD["answer"]] and rows[1][3] == "notes::dl"


def test_export_with_no_cards_says_how_to_make_some(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cards", "export", str(tmp_path / "x.apkg")])
    assert result.exit_code == 1 and "notes-chat cards make" in result.stderr


def test_remake_replaces_the_card_with_one_from_the_new_text(notes: Path, script: Script) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)
    gan = notes / "dl" / "gan.md"
    gan.write_text(gan.read_text("utf-8").replace("博弈关系", "零和博弈"), "utf-8")
    assert runner.invoke(app, ["index"]).exit_code == 0
    script.queued.append(card_reply({"question": "两者是什么关系？", "answer": "零和博弈"}))
    result = runner.invoke(app, ["cards", "remake", "1"])
    assert result.exit_code == 0, result.output
    store = open_study().store
    assert store.get(1).status == "replaced"
    (new,) = store.cards()
    assert new.answer == "零和博弈" and "零和博弈" in new.passage


def test_remake_keeps_the_card_when_no_new_one_is_made(notes: Path, script: Script) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)
    gan = notes / "dl" / "gan.md"
    gan.write_text(gan.read_text("utf-8").replace("博弈关系", "零和博弈"), "utf-8")
    assert runner.invoke(app, ["index"]).exit_code == 0
    script.queued.append(card_reply(INVENTED))  # the passage does not hold it: dropped
    result = runner.invoke(app, ["cards", "remake", "1"])
    assert result.exit_code == 0, result.output
    assert "card 1 stays as it was, flagged" in result.stdout
    assert open_study().store.get(1).status == "changed"


def test_cards_make_with_no_path_uses_every_indexed_file(script: Script) -> None:
    chunks = open_study().chunks_for()
    assert {c.path for c in chunks} == {"attention.md", "dl/gan.md", "rl.txt"}


def test_a_damaged_card_store_is_a_clear_error(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "study.sqlite").write_bytes(b"not a database at all" * 100)
    result = runner.invoke(app, ["review", "--stats"])
    assert result.exit_code == 1
    assert "study.sqlite" in result.stderr and "Traceback" not in result.output


def test_a_damaged_card_store_does_not_undo_a_sync_and_doctor_names_it(
    isolated_home: Path, notes: Path
) -> None:
    (isolated_home / "study.sqlite").write_bytes(b"not a database at all" * 100)
    (notes / "new.md").write_text("# 新笔记\n\n批归一化让训练更稳定。\n", encoding="utf-8")
    synced = runner.invoke(app, ["index"])
    assert synced.exit_code == 0, synced.output
    assert "1 added" in synced.stdout  # the sync's summary, as always
    assert "study cards not checked" in synced.stderr and "mv " in synced.stderr
    doctor = runner.invoke(app, ["doctor"])
    assert "study.sqlite is damaged" in doctor.stdout and "study.sqlite.damaged" in doctor.stdout


def test_a_store_from_a_newer_version_is_refused(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(isolated_home / "study.sqlite")
    db.execute("PRAGMA user_version = 99")
    db.close()
    result = runner.invoke(app, ["review"])
    assert result.exit_code == 1 and "newer notes-chat" in result.stderr


def test_a_renamed_note_keeps_its_cards_and_a_note_put_back_revives_them(
    notes: Path, script: Script
) -> None:
    make_cards(script, notes / "rl.txt", RL)
    (card,) = open_study().store.cards()
    (notes / "rl.txt").rename(notes / "强化学习.txt")
    synced = runner.invoke(app, ["index"])
    assert "1 followed their passage" in synced.stdout and "retired" not in synced.stdout
    moved = open_study().store.get(card.id)
    assert moved.status == "active" and moved.path == "强化学习.txt"
    assert moved.location.startswith("强化学习.txt:")
    # Gone, then back: retired in between, active again once it is back.
    (notes / "强化学习.txt").rename(notes.parent / "away.txt")
    assert "1 retired" in runner.invoke(app, ["index"]).stdout
    assert open_study().store.get(card.id).status == "retired"
    (notes.parent / "away.txt").rename(notes / "rl.txt")
    assert "1 followed" in runner.invoke(app, ["index"]).stdout
    back = open_study().store.get(card.id)
    assert back.status == "active" and back.path == "rl.txt"


def test_a_note_put_back_where_it_was_revives_its_cards(notes: Path, script: Script) -> None:
    make_cards(script, notes / "rl.txt", RL)
    (card,) = open_study().store.cards()
    (notes / "rl.txt").rename(notes.parent / "away.txt")
    assert "1 retired" in runner.invoke(app, ["index"]).stdout
    (notes.parent / "away.txt").rename(notes / "rl.txt")  # the same path, the same chunk
    runner.invoke(app, ["index"])
    assert open_study().store.get(card.id).status == "active"


def test_a_model_failing_midway_shows_the_cards_made_before_the_error(
    notes: Path, script: Script
) -> None:
    heads = {"question": "多头注意力把什么投影到多个子空间？", "answer": "Q、K、V"}
    # attention.md comes first, then the model fails on the next passage
    script.queued += [card_reply(heads), "llama runner process has terminated"]
    result = runner.invoke(app, ["cards", "make", str(notes), "-n", "5"])
    assert result.exit_code != 0
    assert heads["question"] in result.stdout and "1 cards made" in result.stdout
    assert "The cards above are kept." in result.stdout
    assert "llama runner process has terminated" in result.stderr
    assert len(open_study().store.cards()) == 1


def test_replies_that_are_not_json_are_counted_and_escape_codes_never_reach_a_card(
    notes: Path, script: Script
) -> None:
    script.queued.append(["Sure! Here are some cards: Q: GAN? A: yes"])
    out = runner.invoke(app, ["cards", "make", str(notes / "dl"), "-n", "5"]).stdout
    assert "1 of the model's replies were not the JSON asked for" in out
    colored = {"question": "\x1b[31mGAN 由哪两部分组成？\x1b[0m", "answer": "生成器和\x07判别器"}
    out = make_cards(script, notes / "dl" / "gan.md", colored)
    assert "\x1b" not in out and "not the JSON" not in out
    (card,) = open_study().store.cards()
    assert card.question == "GAN 由哪两部分组成？" and card.answer == "生成器和 判别器"


def test_keep_and_remake_of_a_card_whose_source_did_not_change_say_so(
    notes: Path, script: Script
) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)
    kept = runner.invoke(app, ["cards", "keep", "1"]).stdout
    assert "source has not changed; nothing to keep" in kept
    remade = runner.invoke(app, ["cards", "remake", "1"]).stdout
    assert "source has not changed; nothing to remake" in remade
    assert open_study().store.get(1).status == "active"


def test_export_to_a_name_anki_cannot_import_is_refused_and_csv_follows_the_name(
    notes: Path, script: Script, tmp_path: Path
) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)
    wrong = runner.invoke(app, ["cards", "export", str(tmp_path / "deck.zip")])
    assert wrong.exit_code == 1 and "FILE.apkg" in wrong.stderr
    assert not (tmp_path / "deck.zip").exists()
    csv_as_apkg = runner.invoke(app, ["cards", "export", str(tmp_path / "deck.apkg"), "--csv"])
    assert csv_as_apkg.exit_code == 1 and "FILE.csv" in csv_as_apkg.stderr
    assert not (tmp_path / "deck.apkg").exists()
    assert runner.invoke(app, ["cards", "export", str(tmp_path / "deck.csv")]).exit_code == 0
    with (tmp_path / "deck.csv").open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == ["question", "answer", "source", "deck"]


@pytest.mark.parametrize("command", [["quiz"], ["cards", "make"]])
def test_a_topic_longer_than_a_few_words_is_refused_naming_the_limit(
    command: list[str], script: Script
) -> None:
    result = runner.invoke(app, [*command, "--topic", "梯度下降" * 100])
    assert result.exit_code == 1
    assert "400 characters long" in result.stderr and "at most 200" in result.stderr
    assert not [r for r in script.requests if r["path"] == "/api/chat"]


@pytest.mark.parametrize("topic", ["", "   ", "？？", "😀"])
@pytest.mark.parametrize("command", [["quiz"], ["cards", "make"]])
def test_a_topic_with_no_word_in_it_is_refused(
    command: list[str], topic: str, script: Script
) -> None:
    result = runner.invoke(app, [*command, "--topic", topic])
    assert result.exit_code == 1 and "no word to search for" in result.stderr
    assert not [r for r in script.requests if r["path"] == "/api/chat"]


def test_cards_from_a_path_and_a_topic_at_once_are_refused(notes: Path, script: Script) -> None:
    result = runner.invoke(app, ["cards", "make", str(notes / "rl.txt"), "--topic", "GAN"])
    assert result.exit_code == 1 and "not both" in result.stderr
    assert not [r for r in script.requests if r["path"] == "/api/chat"]
