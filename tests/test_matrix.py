"""The ATT&CK matrix (/techniques/): what it places where, its shades, and its HTML after the sanitizer.

Its Markdown for the golden cases is in tests/golden/*/expected/mkdocs/techniques/index.md; what readers
see and the filters are in tests/test_browser.py.
"""

from __future__ import annotations

import re

from conftest import SHARED, needs_corpus
from generator.attack import load_attack
from generator.models import Technique
from generator.render import TEMPLATES, environment
from generator.site.layout import (HEAT_THRESHOLDS, TACTIC_ORDER, TechniqueEntry, heat, heat_legend, matrix,
                                   placed, unplaced)

ATTACK_15 = SHARED / "attack" / "enterprise-attack-15.1.json"


def technique(technique_id: str, name: str, *tactics: str, retired: bool = False) -> Technique:
    return Technique(technique_id, name, tactics, retired=retired)


def covering(t: Technique, detections: int = 1) -> TechniqueEntry:
    """An entry as if `detections` detections covered `t` (the matrix only counts them)."""
    return TechniqueEntry(t, tuple(object() for _ in range(detections)), ())  # type: ignore[arg-type]


BUNDLE = {t.id: t for t in [
    technique("T1059", "Command and Scripting Interpreter", "Execution"),
    technique("T1059.003", "Windows Command Shell", "Execution"),
    technique("T1059.001", "PowerShell", "Execution"),
    technique("T1078", "Valid Accounts", "Persistence", "Initial Access", "Persistence"),
    technique("T1078.004", "Cloud Accounts", "Initial Access", "Impact"),
    technique("T1003.001", "LSASS Memory", "Credential Access"),
    technique("T1064", "Scripting", "Execution", "Defense Evasion", retired=True),
    technique("T1099", "Timestomp", "Defense Evasion", retired=True),
]}


def test_columns_follow_mitre_order_with_sub_techniques_under_their_parent_and_no_retired_technique():
    entries = [covering(BUNDLE["T1059.001"], 3), covering(BUNDLE["T1064"])]
    columns = matrix(BUNDLE, entries)
    assert [c.tactic for c in columns] == ["Initial Access", "Execution", "Persistence", "Credential Access",
                                           "Impact"]
    execution = columns[1]
    assert [c.technique.id for c in execution.cells] == ["T1059"]  # Scripting is deprecated: left out
    parent = execution.cells[0]
    assert parent.entry is None and parent.heat == 0
    assert [(s.technique.name, s.count, s.heat) for s in parent.subtechniques] == [("PowerShell", 3, 2),
                                                                                  ("Windows Command Shell", 0, 0)]
    assert parent.covered_subtechniques == 1 and (execution.covered, execution.total) == (1, 3)
    initial_access = columns[0]  # names sort the column; a sub-technique sits under its parent's tactics only
    assert [(c.technique.id, [s.technique.id for s in c.subtechniques]) for c in initial_access.cells] == [
        ("T1078", ["T1078.004"])]
    impact = columns[4]  # a tactic its parent lacks: on its own there, as is one whose parent the bundle lacks
    assert [c.technique.id for c in impact.cells] == ["T1078.004"]
    assert [c.technique.id for c in columns[3].cells] == ["T1003.001"]
    assert [c.technique.id for c in columns[2].cells] == ["T1078"]  # a tactic named twice places it once
    assert placed(columns) == {"T1078": False, "T1078.004": False, "T1059": False, "T1059.001": True,
                               "T1059.003": False, "T1003.001": False}
    assert [e.technique.id for e in unplaced(columns, entries)] == ["T1064"]  # covered, but retired


def test_the_bundle_keeps_retired_techniques_for_detections_but_marks_them(tmp_path):
    bundle = tmp_path / "bundle.json"
    bundle.write_text('{"type": "bundle", "objects": ['
                      '{"type": "attack-pattern", "name": "Old", "revoked": true, "external_references": '
                      '[{"source_name": "mitre-attack", "external_id": "T1001"}]},'
                      '{"type": "attack-pattern", "name": "Older", "x_mitre_deprecated": true, "external_references": '
                      '[{"source_name": "mitre-attack", "external_id": "T1002"}]},'
                      '{"type": "attack-pattern", "name": "Old name", "revoked": true, "external_references": '
                      '[{"source_name": "mitre-attack", "external_id": "T1003"}]},'
                      '{"type": "attack-pattern", "name": "Current", "external_references": '
                      '[{"source_name": "mitre-attack", "external_id": "T1003"}]}]}')
    techniques, _, issues = load_attack(bundle)
    assert issues == []
    assert {t.id: (t.name, t.retired) for t in techniques.values()} == {
        "T1001": ("Old", True), "T1002": ("Older", True), "T1003": ("Current", False)}


def test_each_shade_is_what_the_legend_says():
    legend = heat_legend()
    assert [label for _, label in legend] == ["no detection", "1 detection", "2–4 detections", "5–9 detections",
                                              "10–24 detections", "25 or more detections"]
    assert [level for level, _ in legend] == list(range(len(HEAT_THRESHOLDS) + 1))
    for level, label in legend[1:]:  # matrix.js reads each shade's fewest detections from its label
        least = int(re.match(r"\d+", label)[0])
        assert heat(least) == level and heat(least - 1) == level - 1
    assert heat(0) == 0 and heat(1000) == len(HEAT_THRESHOLDS)


def test_the_whole_bundle_has_every_tactic_in_order_and_every_current_technique_once_per_tactic():
    needs_corpus(SHARED / "corpus" / "escu-2024-10", ATTACK_15)
    techniques, _, _ = load_attack(ATTACK_15)
    columns = matrix(techniques, [])
    assert tuple(c.tactic for c in columns) == TACTIC_ORDER
    current = {t.id: t for t in techniques.values() if not t.retired}
    assert len(current) == 637 and len(techniques) - len(current) == 143  # ATT&CK 15.1: 202 + 435 current
    assert placed(columns).keys() == current.keys()
    for column in columns:
        for cell in column.cells:
            assert column.tactic in cell.technique.tactics and not cell.technique.parent_id
            assert all(sub.technique.parent_id == cell.technique.id for sub in cell.subtechniques)
    assert sum(c.total for c in columns) == sum(len(t.tactics) for t in current.values())


def test_the_built_matrix_keeps_its_markup_and_escapes_names(golden_site):
    out, result = golden_site
    assert result.returncode == 0, result.stderr[-3000:]
    html = (out / "techniques" / "index.html").read_text(encoding="utf-8")
    assert '<div class="sc-matrix" data-search-exclude="">' in html
    assert '<div id="sc-matrix-filters" class="sc-filters sc-addition" data-fidelity-ignore=""></div>' in html
    assert re.search(r'<li class="heat-0" title="T1059">Command and Scripting Interpreter<details open="?"?>'
                     r'<summary><b>1</b>/1 sub-techniques</summary><ul>\s*'
                     r'<li class="heat-1" title="T1059.001"><a href="T1059.001/"[^>]*>PowerShell</a> '
                     r'<b><span class="sc-hidden">detections: </span>1</b></li>',
                     html)
    assert '<li class="heat-0" title="T1003">OS Credential Dumping<details><summary>' in html  # closed
    assert "Scripting<" not in html  # deprecated


def test_technique_names_from_the_bundle_are_text_in_the_matrix():
    hostile = technique("T1001", '<img src=x onerror="alert(1)">&amp;', "Execution")
    columns = matrix({"T1001": hostile}, [])
    text = environment((TEMPLATES / "site",)).get_template("techniques.md.j2").render(
        columns=columns, legend=heat_legend(), covered=0, total=1, unplaced=[], attack_version="")
    assert '<li class="heat-0" title="T1001">&lt;img src=x onerror=&#34;alert(1)&#34;&gt;&amp;amp;</li>' in text
