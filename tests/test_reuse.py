"""What `mkdocs serve` keeps between rebuilds (pipeline.Reuse): a page rendered again only when what it shows
changed, a reference file read again only when it changed."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass

import jinja2

from conftest import TESTS
from generator.pipeline import Inputs, ReadFiles, Reuse, generate
from generator.render import Page, Renderings
from generator.site.split import split_long_listings

FORM_2024 = TESTS / "golden" / "form_2024"


@dataclass(frozen=True)
class Row:
    name: str
    tags: tuple[str, ...]


def templates(text: str = "{% for row in rows %}{{ row.name }}: {{ row.tags | join(', ') }}\n{% endfor %}"):
    return jinja2.Environment(loader=jinja2.DictLoader({"listing.md.j2": text}))


def test_a_page_whose_context_is_equal_is_not_rendered_again():
    env, renderings = templates(), Renderings(remember=True)
    template = env.get_template("listing.md.j2")
    first = renderings.later(template, "/x/", rows=(Row("a", ("t1",)), Row("b", ())))()
    assert first == "a: t1\nb: \n" and renderings.rendered == 1

    renderings.next_build()  # equal models, made anew (as a rebuild makes them): the same text, not rendered
    again = renderings.later(template, "/x/", rows=(Row("a", ("t1",)), Row("b", ())))()
    assert again is first and renderings.rendered == 0

    renderings.next_build()  # one row changed: rendered
    changed = renderings.later(template, "/x/", rows=(Row("a", ("t1", "t2")), Row("b", ())))()
    assert changed == "a: t1, t2\nb: \n" and renderings.rendered == 1


def test_the_key_and_the_template_are_part_of_what_is_reused():
    env, renderings = templates(), Renderings(remember=True)
    rows = (Row("a", ()),)
    renderings.later(env.get_template("listing.md.j2"), "/x/", rows=rows)()
    renderings.next_build()
    renderings.later(env.get_template("listing.md.j2"), "/y/", rows=rows)()  # another page: its own render
    assert renderings.rendered == 1
    renderings.next_build()
    edited = templates("{% for row in rows %}- {{ row.name }}\n{% endfor %}").get_template("listing.md.j2")
    assert renderings.later(edited, "/y/", rows=rows)() == "- a\n"  # a template of the same name, edited
    assert renderings.rendered == 1


def test_what_a_build_did_not_render_is_forgotten():
    env, renderings = templates(), Renderings(remember=True)
    template = env.get_template("listing.md.j2")
    renderings.later(template, "/x/", rows=())()
    renderings.next_build()
    renderings.later(template, "/y/", rows=())()  # /x/ is not a page of this build
    renderings.next_build()
    renderings.later(template, "/x/", rows=())()
    assert renderings.rendered == 1


def test_a_single_run_remembers_nothing():
    env, renderings = templates(), Renderings()
    template = env.get_template("listing.md.j2")
    renderings.later(template, "/x/", rows=())()
    renderings.next_build()
    assert renderings.later(template, "/x/", rows=())() == "" and renderings.rendered == 0
    assert renderings._now == {} and renderings._earlier == {}


def test_a_reference_file_is_read_again_only_when_it_changed(tmp_path):
    path, reads = tmp_path / "cves.json", []

    def load(where):
        reads.append(where)
        return where.read_text()

    files = ReadFiles()
    path.write_text("one")
    past = time.time() - 60
    os.utime(path, (past, past))  # older than a moment ago: its stamp can be trusted
    assert files.read(load, path) == "one" and files.read(load, path) == "one"
    assert len(reads) == 1
    path.write_text("two, longer")  # changed now: read again, and again while its time may still change
    assert files.read(load, path) == "two, longer" and files.read(load, path) == "two, longer"
    assert len(reads) == 3
    os.utime(path, (past + 1, past + 1))
    files.read(load, path)
    files.read(load, path)
    assert len(reads) == 4


def _content(tmp_path):
    """The 2024 golden content, copied, its files' times an hour ago (so their stamps are trusted)."""
    content = tmp_path / "content"
    shutil.copytree(FORM_2024 / "content", content)
    past = time.time() - 3600
    for path in content.rglob("*"):
        os.utime(path, (past, past))
    return content


def _edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    past = time.time() - 1800
    os.utime(path, (past, past))


def test_a_rebuild_links_again_only_the_detections_whose_file_changed(tmp_path):
    content, reuse = _content(tmp_path), Reuse()
    inputs = Inputs(FORM_2024 / "attack.json")  # no CVE file: its one warning counts every CVE shown by id
    first = generate(content, inputs, "mkdocs", reuse=reuse)
    again = generate(content, inputs, "mkdocs", reuse=reuse)
    assert [id(page) for page in again.site.detections] == [id(page) for page in first.site.detections]
    assert again.issues == first.issues and any("no CVE file was given" in issue.message for issue in first.issues)

    edited = content / "detections/endpoint/powershell_webclient_download.yml"
    _edit(edited, "description: ", "description: Edited. ")
    after_edit = generate(content, inputs, "mkdocs", reuse=reuse)
    changed = [page.detection.source.path for page, before in zip(after_edit.site.detections, first.site.detections)
               if page is not before]
    assert changed == ["detections/endpoint/powershell_webclient_download.yml"]
    assert after_edit.issues == first.issues

    _edit(content / "macros/security_content_ctime.yml", "definition: ", "definition: | eval edited=1 ")
    after_macro = generate(content, inputs, "mkdocs", reuse=reuse)  # every page linked again
    assert not {id(page) for page in after_macro.site.detections} & {id(page) for page in after_edit.site.detections}
    assert [page for page in after_macro.site.detections] == [
        page for page in generate(content, inputs, "mkdocs").site.detections]  # as a run without reuse links them


def test_a_listing_is_split_again_only_when_its_text_changed():
    renderings = Renderings(remember=True)
    rows = "".join(f"* [Detection {number}](/endpoint/d{number}/)\n" for number in range(1, 1202))
    listing = Page(("stories", "big.md"), "# Big\n\n" + rows, url="/stories/big/")
    first = split_long_listings([listing], frozenset(), renderings)
    assert [page.url for page in first] == ["/stories/big/", "/stories/big/page/2/", "/stories/big/page/3/"]

    renderings.next_build()  # the same text, in a page made anew: the same parts
    again = split_long_listings([Page(listing.path, "# Big\n\n" + rows, url="/stories/big/")], frozenset(),
                                renderings)
    assert [id(page) for page in again] == [id(page) for page in first] and renderings.rendered == 0

    renderings.next_build()  # one row more: split again
    longer = split_long_listings([Page(listing.path, "# Big\n\n" + rows + "* [New](/endpoint/new/)\n",
                                       url="/stories/big/")], frozenset(), renderings)
    assert renderings.rendered == 1 and "[New](/endpoint/new/)" in longer[-1].text


def test_a_macro_file_with_errors_added_is_named_by_the_detections_whose_macro_nothing_defines(tmp_path):
    content, reuse = _content(tmp_path), Reuse()
    inputs = Inputs(FORM_2024 / "attack.json")
    macro = content / "macros/is_rare_tool.yml"
    macro.unlink()
    first = generate(content, inputs, "mkdocs", reuse=reuse)
    missing = [issue.message for issue in first.issues if "`is_rare_tool`" in issue.message]
    assert missing and all(message.endswith("but no macro file defines it") for message in missing)

    # A macro file that does not parse is added: the macros that load are the same, yet the message must change.
    (content / "macros/new_macro.yml").write_text("name: new_macro\ndefinition: [\n")
    broken = generate(content, inputs, "mkdocs", reuse=reuse)
    assert broken.issues == generate(content, inputs, "mkdocs").issues  # as a run without reuse reports them
    assert [issue.message for issue in broken.issues if "`is_rare_tool`" in issue.message] == [
        message + " (unless macros/new_macro.yml does: that file has errors)"
        for message in missing]
