"""The writer stays inside --out, refuses what would leave it, and deletes only what it wrote."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import render_args, run_generator
from generator.exceptions import UnsafePathError
from generator.render import Page
from generator.write import MANIFEST, target_path, write_pages
from goldens import tree

DETECTION = "detections/endpoint/disable_defender_with_powershell.yml"


def rename_detection(content: Path, new_name: str) -> None:
    path = content / DETECTION
    path.write_text(path.read_text().replace("name: Disable Defender With PowerShell", f"name: {new_name}"))


@pytest.mark.parametrize("name, char", [("'../../escaped'", "/"), ("a/b", "/"), ("'..\\\\..\\\\x'", "\\")])
def test_a_name_cannot_lead_outside_the_output(content, tmp_path, name, char):
    rename_detection(content, name)
    out = tmp_path / "site" / "out"
    before = set(tmp_path.rglob("*"))

    result = run_generator(*render_args(content, out))

    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [f"{DETECTION}:1: error: field 'name' contains '{char}', which cannot be part of a file name "
                      "(write it as '-' or a word); the detection is left out"]
    assert result.returncode == 1
    created = {p for p in set(tmp_path.rglob("*")) - before if not p.is_relative_to(out)}
    assert created == {tmp_path / "site"}  # only the parent of --out itself
    assert (out / "_posts/2021-12-24-exploit_of_example_portal.md").is_file()


@pytest.mark.parametrize("parts", [("..", "x.md"), ("a/b.md",), ("",), (".",), ("/etc", "passwd"), ("x\0.md",), ()])
def test_unsafe_paths_are_refused(tmp_path, parts):
    with pytest.raises(UnsafePathError):
        target_path(tmp_path, parts)


def test_a_symlinked_directory_pointing_out_is_refused(tmp_path):
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "_posts").symlink_to(outside)

    issues = write_pages([Page(("_posts", "a.md"), "text"), Page(("b.md",), "text")], out)

    assert [i.message for i in issues] == ["page not written: _posts leads outside the output directory"]
    assert list(outside.iterdir()) == []
    assert (out / "b.md").read_text() == "text"


def test_a_symlinked_page_file_is_not_followed(tmp_path):
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("keep me")
    (out / "a.md").symlink_to(victim)

    issues = write_pages([Page(("a.md",), "new text")], out)

    assert len(issues) == 1 and "is not a regular file" in issues[0].message
    assert victim.read_text() == "keep me"


def test_files_it_did_not_write_are_never_overwritten_or_deleted(tmp_path):
    out = tmp_path / "out"
    (out / "_posts").mkdir(parents=True)
    (out / "_posts" / "a.md").write_text("mine, not the generator's")
    (out / "notes.txt").write_text("user notes")

    issues = write_pages([Page(("_posts", "a.md"), "generated"), Page(("_posts", "b.md"), "generated")], out)
    assert [i.message.split(": ")[0] for i in issues] == ["page not written"]
    assert (out / "_posts" / "a.md").read_text() == "mine, not the generator's"

    write_pages([], out)  # a later run that produces nothing
    assert (out / "_posts" / "a.md").read_text() == "mine, not the generator's"
    assert (out / "notes.txt").read_text() == "user notes"
    assert not (out / "_posts" / "b.md").exists()  # that one it had written


@pytest.mark.parametrize("where", ["README.md", "README.md/out"])
def test_an_output_that_is_a_file_or_under_one_is_refused_with_a_message(content, tmp_path, where):
    readme = tmp_path / "README.md"
    readme.write_text("my notes")

    result = run_generator(*render_args(content, tmp_path / where))

    assert result.returncode == 2
    # Refused before rendering: the only line printed.
    assert result.stderr == (
        f"error: the output {readme} is a file, not a folder: give a folder (it is made if missing)\n"
        if where == "README.md" else f"error: the output folder {tmp_path / where} cannot be made: {readme} is a file\n")
    assert readme.read_text() == "my notes"


def test_stale_pages_from_an_earlier_run_are_removed(content, tmp_path):
    out = tmp_path / "out"
    assert run_generator(*render_args(content, out)).returncode == 0
    page = out / "_posts/2021-06-30-cloud_login_from_new_country.md"
    assert page.is_file()
    (content / "detections/cloud/cloud_login_from_new_country.yml").unlink()
    (out / "keep.md").write_text("not generated")

    assert run_generator(*render_args(content, out)).returncode == 0

    assert not page.exists()
    assert (out / "keep.md").read_text() == "not generated"
    assert "_posts/2021-06-30-cloud_login_from_new_country.md" not in (out / MANIFEST).read_text()


def test_unchanged_pages_are_not_rewritten(content, tmp_path):
    out = tmp_path / "out"
    run_generator(*render_args(content, out))
    page = out / "_posts/2021-12-24-exploit_of_example_portal.md"
    os.utime(page, (1_000_000, 1_000_000))

    run_generator(*render_args(content, out))

    assert page.stat().st_mtime == 1_000_000


def test_output_does_not_depend_on_directory_listing_order(content, tmp_path):
    # The same sources, created in the opposite order, in a differently named folder.
    reversed_copy = tmp_path / "zz-copy"
    for source in sorted((p for p in content.rglob("*") if p.is_file()), reverse=True):
        target = reversed_copy / source.relative_to(content)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())

    run_generator(*render_args(content, tmp_path / "a"))
    run_generator(*render_args(reversed_copy, tmp_path / "b"))

    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_a_symlink_planted_at_the_manifest_or_its_temporary_name_is_not_followed(tmp_path):
    from generator.render import Page
    from generator.write import MANIFEST, write_pages

    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours")
    (out / (MANIFEST + ".tmp")).symlink_to(outside)
    (out / MANIFEST).symlink_to(tmp_path / "planted.json")
    (tmp_path / "planted.json").write_text('["keep.md"]')
    (out / "keep.md").write_text("a file the writer did not write")

    assert write_pages([Page(("page.md",), "text")], out) == []

    assert outside.read_text() == "not ours"
    assert (tmp_path / "planted.json").read_text() == '["keep.md"]'
    assert (out / "keep.md").read_text() == "a file the writer did not write"  # not deleted as "stale"
    assert not (out / MANIFEST).is_symlink() and (out / "page.md").read_text() == "text"
