"""Playbook diagrams from the content (generator/site/pictures.py): checked, copied, shown with their size."""

from __future__ import annotations

import shutil

import pytest

from conftest import TESTS, mkdocs_build
from generator.site.pictures import MAX_BYTES, content_pictures, diagram_sources, picture_kind
from generator.site.sanitize import own_picture, sanitize
from generator.tree import DirectoryTree

CASE = TESTS / "golden" / "form_2024"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8cfc0"
                    "000003010100c9fe92ef0000000049454e44ae426082")
MODERN = "Contain_PowerShell_Download_Host"  # vpe_type Modern: the picture inside a link, with its size
CLASSIC = "block_dynamic_dns_domains"


@pytest.mark.parametrize("data, kind", [
    (PNG, "PNG"), (b"\xff\xd8\xff\xe0" + bytes(20), "JPEG"), (b"GIF89a" + bytes(10), "GIF"),
    (b"GIF87a" + bytes(10), "GIF"), (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "WebP"),
    (b"<svg onload=alert(1)>", None), (b"", None), (b"\x89PNG", None), (b"RIFF\x10\x00\x00\x00WAVE", None),
])
def test_a_picture_is_known_by_its_first_bytes(data, kind):
    assert picture_kind(data) == kind


def test_only_checked_pictures_are_served_and_the_others_are_warned_about(tmp_path):
    root = tmp_path / "content"
    (root / "playbooks").mkdir(parents=True)
    (root / "playbooks" / "good.png").write_bytes(PNG)
    (root / "playbooks" / "fake.png").write_text("<script>alert(1)</script>")
    with open(root / "playbooks" / "huge.png", "wb") as huge:  # a sparse file: its size is what is checked
        huge.truncate(MAX_BYTES + 1)
    (root / "playbooks" / "exact.png").write_bytes(PNG + bytes(MAX_BYTES - len(PNG)))
    (tmp_path / "outside.png").write_bytes(PNG)
    (root / "playbooks" / "out.png").symlink_to("../../outside.png")
    (root / "playbooks" / "Cased.png").write_bytes(PNG)  # beside Cased.yml, which names CASED
    sources = diagram_sources([(name, f"playbooks/{name}.yml") for name in ("good", "fake", "huge", "exact", "out",
                                                                             "missing")] + [("CASED", "playbooks/Cased.yml")])
    pictures, issues = content_pictures(DirectoryTree(root), sources)
    assert sorted(pictures) == ["playbooks/CASED.png", "playbooks/exact.png", "playbooks/good.png"]
    assert pictures["playbooks/good.png"].data == PNG and pictures["playbooks/good.png"].uri == "assets/playbooks/good.png"
    assert pictures["playbooks/CASED.png"].source == "playbooks/Cased.png"  # the file beside the playbook
    assert pictures["playbooks/CASED.png"].uri == "assets/playbooks/CASED.png"  # where the page asks for it
    assert [str(issue) for issue in issues] == [
        "playbooks/fake.png: warning: is not a PNG, JPEG, GIF or WebP picture (by its first bytes); "
        "the playbook's page links to it instead of showing it",
        "playbooks/huge.png: warning: is 5.0 MB, more than the 5 MB a picture may have; "
        "the playbook's page links to it instead of showing it",
        "playbooks/out.png: warning: is a symbolic link to a file outside the content directory; "
        "the playbook's page links to it instead of showing it",
    ]


def test_the_sanitizer_keeps_the_source_of_the_sites_own_pictures_only():
    assert own_picture("../../assets/playbooks/x.png") and own_picture("assets/playbooks/sub/x.png")
    for other in ("https://example.com/assets/playbooks/x.png", "//example.com/assets/playbooks/x.png",
                  "/assets/playbooks/x.png", "../../assets/playbooks/../../api/detections.json",
                  "../../assets/javascripts/x.js", "x.png", "../../assets/playbooks/x.png?x=1",
                  "javascript:alert(1)//assets/playbooks/x.png"):
        assert not own_picture(other), other
        assert "src" not in sanitize(f'<p><img alt="a" src="{other}"></p>')


def test_the_site_shows_the_diagrams_the_content_has(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CASE / "content", content)
    (content / "playbooks" / f"{MODERN}.png").write_bytes(PNG)
    (content / "playbooks" / f"{CLASSIC}.png").write_text("not a picture")
    out = tmp_path / "site"
    result = mkdocs_build(out, strict=False, CONTENT_DIR=str(content), ATTACK_BUNDLE=str(CASE / "attack.json"),
                          CVE_FILE=str(CASE / "cves.json"), SPLUNK_APPS_FILE=str(CASE / "splunk_apps.json"),
                          D3FEND_FILE=str(CASE / "d3fend.json"), CONTENT_FORM="")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "assets" / "playbooks" / f"{MODERN}.png").read_bytes() == PNG
    modern = (out / "playbooks" / "contain_powershell_download_host" / "index.html").read_text()
    assert (f'<img alt="explore" height="500px" src="../../assets/playbooks/{MODERN}.png" width="500px">'
            in modern)
    classic = (out / "playbooks" / "block_dynamic_dns_domains" / "index.html").read_text()
    assert "picture: explore (raw.githubusercontent.com)" in classic and "<img" not in classic.split("<article")[1]
    assert not (out / "assets" / "playbooks" / f"{CLASSIC}.png").exists()
    assert (f"playbooks/{CLASSIC}.png: warning: is not a PNG, JPEG, GIF or WebP picture (by its first bytes); "
            "the playbook's page links to it instead of showing it") in result.stderr
