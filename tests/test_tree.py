"""The content tree (generator/tree.py): what is listed, what is read, and what is refused, races included.

The hostile suite runs the same cases through the command line and mkdocs; these tests reach what a run cannot
time: a file or folder changed between the listing and the reading.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import GOLDEN_BASIC, TESTS
from generator.forms import choose_form
from generator.issues import Issue, Severity
from generator.load import LoadCache, load_content, parse_text
from generator.tree import (
    DirectoryTree,
    FOLDER_LINK_OUTSIDE,
    LINK_NOT_A_FILE,
    LINK_NOWHERE,
    LINK_OUTSIDE,
    LINK_TO_FOLDER,
    NOT_A_FILE,
    SETTLING_NS,
    Unreadable,
    VANISHED,
)

SECRET = "name: SECRET\n"


@pytest.fixture
def layout(tmp_path) -> Path:
    """A content directory, with a secret file and folder beside it (outside it)."""
    root = tmp_path / "content"
    (root / "stories").mkdir(parents=True)
    (root / "stories" / "b.yml").write_text("name: B\n")
    (root / "stories" / "a.yml").write_text("name: A\n")
    (root / "stories" / "notes.txt").write_text("not a source\n")
    (root / "playbooks" / "sub" / "deeper").mkdir(parents=True)
    (root / "playbooks" / "top.yml").write_text("name: Top\n")
    (root / "playbooks" / "sub" / "deeper" / "low.yml").write_text("name: Low\n")
    (tmp_path / "secret.yml").write_text(SECRET)
    (tmp_path / "secret-folder").mkdir()
    (tmp_path / "secret-folder" / "x.yml").write_text(SECRET)
    return root


def issue_lines(issues) -> list[str]:
    return [str(issue) for issue in issues]


def test_lists_sorted_relative_paths_of_yml_files_only(layout):
    tree = DirectoryTree(layout)
    assert tree.yaml_files("stories").paths == ("stories/a.yml", "stories/b.yml")
    assert tree.yaml_files("playbooks").paths == ("playbooks/top.yml",)
    assert tree.yaml_files("playbooks", recursive=True).paths == ("playbooks/sub/deeper/low.yml", "playbooks/top.yml")
    assert tree.yaml_files("missing") == tree.yaml_files("stories/a.yml")  # no folder there: nothing, no issue
    assert tree.yaml_files("missing").paths == () and tree.yaml_files("missing").issues == ()
    assert tree.read_text("stories/a.yml") == "name: A\n"


def test_loops_at_any_depth_are_reported_and_never_walked(layout):
    (layout / "playbooks" / "sub" / "deeper" / "loop").symlink_to("../..")
    (layout / "playbooks" / "self").symlink_to("self")
    (layout / "stories" / "loop.yml").symlink_to("loop.yml")
    tree = DirectoryTree(layout)
    listing = tree.yaml_files("playbooks", recursive=True)
    assert listing.paths == ("playbooks/sub/deeper/low.yml", "playbooks/top.yml")
    assert issue_lines(listing.issues) == [
        f"playbooks/self: warning: {LINK_NOWHERE}",
        f"playbooks/sub/deeper/loop: warning: {LINK_TO_FOLDER}",
    ]
    assert issue_lines(tree.yaml_files("stories").issues) == [f"stories/loop.yml: error: {LINK_NOWHERE}"]


def test_links_to_files_inside_are_read_and_others_refused(layout):
    (layout / "stories" / "inside.yml").symlink_to("../playbooks/top.yml")
    (layout / "stories" / "outside.yml").symlink_to("../../secret.yml")
    (layout / "stories" / "folder.yml").symlink_to("../playbooks")
    (layout / "stories" / "gone.yml").symlink_to("missing.yml")
    tree = DirectoryTree(layout)
    listing = tree.yaml_files("stories")
    assert listing.paths == ("stories/a.yml", "stories/b.yml", "stories/inside.yml")
    assert issue_lines(listing.issues) == [
        f"stories/folder.yml: error: {LINK_NOT_A_FILE}",
        f"stories/gone.yml: error: {LINK_NOWHERE}",
        f"stories/outside.yml: error: {LINK_OUTSIDE}",
    ]
    assert tree.read_text("stories/inside.yml") == "name: Top\n"
    for path, message in (("stories/outside.yml", LINK_OUTSIDE), ("stories/folder.yml", LINK_NOT_A_FILE),
                          ("stories/gone.yml", LINK_NOWHERE)):
        with pytest.raises(Unreadable) as refused:
            tree.read_text(path)
        assert refused.value.message == message


def test_a_content_folder_linked_elsewhere_is_not_walked(layout):
    os.rename(layout / "stories", layout / "real-stories")
    (layout / "stories").symlink_to("real-stories")
    (layout / "macros").symlink_to("../secret-folder")
    tree = DirectoryTree(layout)
    assert issue_lines(tree.yaml_files("stories").issues) == [f"stories: warning: {LINK_TO_FOLDER}"]
    assert tree.yaml_files("stories").paths == ()
    assert issue_lines(tree.yaml_files("macros").issues) == [f"macros: error: {FOLDER_LINK_OUTSIDE}"]
    assert not tree.is_dir("stories") and tree.is_dir("real-stories")


def test_a_content_directory_that_is_a_link_is_where_it_leads(layout, tmp_path):
    (tmp_path / "checkout").symlink_to("content")
    (layout / "stories" / "inside.yml").symlink_to(tmp_path / "checkout" / "playbooks" / "top.yml")  # absolute
    tree = DirectoryTree(tmp_path / "checkout")
    assert tree.yaml_files("stories").paths == ("stories/a.yml", "stories/b.yml", "stories/inside.yml")
    assert tree.read_text("stories/inside.yml") == "name: Top\n"


def refused(tree: DirectoryTree, path: str) -> Unreadable:
    with pytest.raises(Unreadable) as caught:
        tree.read_text(path)
    return caught.value


def test_a_file_swapped_for_a_link_after_listing_is_not_followed(layout):
    tree = DirectoryTree(layout)
    assert "stories/a.yml" in tree.yaml_files("stories").paths
    (layout / "stories" / "a.yml").unlink()
    (layout / "stories" / "a.yml").symlink_to("../../secret.yml")
    assert refused(tree, "stories/a.yml").message == LINK_OUTSIDE


def test_a_folder_swapped_for_a_link_after_listing_is_not_followed(layout, tmp_path):
    tree = DirectoryTree(layout)
    assert "stories/a.yml" in tree.yaml_files("stories").paths
    os.rename(layout / "stories", tmp_path / "moved")
    (tmp_path / "secret-folder" / "a.yml").write_text(SECRET)
    (layout / "stories").symlink_to("../secret-folder")
    assert refused(tree, "stories/a.yml").message == FOLDER_LINK_OUTSIDE


def test_a_file_removed_after_listing_is_a_warning(layout):
    tree = DirectoryTree(layout)
    assert "stories/a.yml" in tree.yaml_files("stories").paths
    (layout / "stories" / "a.yml").unlink()
    problem = refused(tree, "stories/a.yml")
    assert (problem.message, problem.severity) == (VANISHED, Severity.WARNING)


def test_a_pipe_put_in_place_of_a_file_is_refused_without_waiting(layout):
    tree = DirectoryTree(layout)
    (layout / "stories" / "a.yml").unlink()
    os.mkfifo(layout / "stories" / "a.yml")
    assert issue_lines(tree.yaml_files("stories").issues) == [f"stories/a.yml: error: {NOT_A_FILE}"]
    outcome: list[str] = []
    reader = threading.Thread(target=lambda: outcome.append(refused(tree, "stories/a.yml").message), daemon=True)
    reader.start()
    reader.join(10)
    assert outcome == [NOT_A_FILE]  # a blocking open would have left the thread waiting for a writer


def test_text_is_read_as_text_mode_reads_it(layout):
    (layout / "stories" / "crlf.yml").write_bytes(b"name: A\r\ndescription: x\rz\r\n")
    (layout / "stories" / "latin.yml").write_bytes(b"name: \xe9t\xe9\n")
    tree = DirectoryTree(layout)
    assert tree.read_text("stories/crlf.yml") == "name: A\ndescription: x\nz\n"
    assert refused(tree, "stories/latin.yml").message == "not UTF-8 text (invalid continuation byte at byte 6)"


def test_a_stamp_is_given_only_once_a_file_has_settled(layout):
    tree = DirectoryTree(layout)
    source = layout / "stories" / "a.yml"
    assert tree.stamp("stories/a.yml") is None  # just written: it may change again within the same file time
    old = (source.stat().st_mtime_ns - 2 * SETTLING_NS,) * 2
    os.utime(source, ns=old)
    first = tree.stamp("stories/a.yml")
    assert first is not None and tree.stamp("stories/a.yml") == first
    source.write_text("name: Z\n")  # same size
    os.utime(source, ns=old)  # and the same time, as a coarse clock could give it
    assert tree.stamp("stories/a.yml") not in (None, first)  # the change time still tells
    assert tree.stamp("stories/missing.yml") is None


class RemovingTree(DirectoryTree):
    """A tree whose first listing of `folder` is followed by the removal of `victim` (a save in progress)."""

    def __init__(self, root: Path, folder: str, victim: Path):
        super().__init__(root)
        self.folder, self.victim = folder, victim

    def yaml_files(self, folder, recursive=False):
        listing = super().yaml_files(folder, recursive)
        if folder == self.folder and self.victim.exists():
            self.victim.unlink()
        return listing


def test_load_content_reports_a_file_removed_between_listing_and_reading(content):
    folders = choose_form(content).rules.DETECTION_FOLDERS
    victim = content / "stories" / "quiet_story.yml"
    assert victim.is_file()
    loaded, issues = load_content(RemovingTree(content, "stories", victim), folders, LoadCache())
    assert Issue("stories/quiet_story.yml", None, Severity.WARNING, VANISHED) in issues
    assert loaded.detections and loaded.stories  # the rest is built


def test_load_content_through_a_tree_equals_load_content_of_the_folder():
    folders = choose_form(GOLDEN_BASIC / "content").rules.DETECTION_FOLDERS
    assert load_content(DirectoryTree(GOLDEN_BASIC / "content"), folders) == \
        load_content(GOLDEN_BASIC / "content", folders)


def test_a_character_yaml_refuses_is_located_on_its_line():
    text = "name: ééé\ndescription: ééééé\nsearch: \x00\n"
    assert parse_text(text)[2] == (3, "invalid YAML: unacceptable character #x0000: control characters are not allowed")


def test_unreadable_files_and_folders_are_refused_even_as_root(layout):
    """Run unprivileged (tests/unprivileged.py): as root, permission bits alone would not stop a read."""
    (layout / "stories" / "a.yml").chmod(0)
    (layout / "playbooks" / "sub").chmod(0)
    script = (
        "import sys\n"
        "from generator.tree import DirectoryTree, Unreadable\n"
        "try:\n    open(sys.argv[1] + '/stories/a.yml').read(); print('READ')\n"
        "except PermissionError:\n    print('denied')\n"
        "tree = DirectoryTree(sys.argv[1])\n"
        "try:\n    tree.read_text('stories/a.yml')\nexcept Unreadable as exc:\n    print(exc.message)\n"
        "listing = tree.yaml_files('playbooks', recursive=True)\n"
        "print(listing.paths)\n"
        "print([str(issue) for issue in listing.issues])\n"
    )
    probe = layout.parent / "probe.py"
    probe.write_text(script)
    result = subprocess.run([sys.executable, str(TESTS / "unprivileged.py"), "probe", str(layout)],
                            cwd=layout.parent, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": f"{layout.parent}{os.pathsep}{TESTS.parent}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "denied",  # the probe really cannot read it: what follows is the tree's own handling
        "cannot be read: Permission denied",
        "('playbooks/top.yml',)",
        "['playbooks/sub: error: is a folder that cannot be read (Permission denied); nothing in it is read']",
    ]
