"""How searches are read for the macros and lookups they use, names are matched and ordered."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import GOLDEN_BASIC, TESTS
from generator.enrich import _closest, called_lookups, called_macros
from generator.pipeline import Inputs, generate
from generator.slug import numbered_order


def test_macros_are_named_once_without_arguments_and_without_the_implicit_ones():
    search = ("`sysmon` EventCode=1 | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)`"
              " | `drop_dm_object_name(Processes)` | `x_filter`")
    assert called_macros(search) == ["sysmon", "security_content_ctime"]


def test_backticks_that_are_not_a_macro_call_are_ignored():
    assert called_macros('| eval quoted="```" | `wineventlog_security`') == ["wineventlog_security"]


def test_lookups_include_input_and_output_lookups_in_order():
    search = "| lookup update=true a src | inputlookup b.csv | outputlookup append=t c | lookup  d x"
    assert called_lookups(search) == ["a", "b.csv", "c", "d"]


STORIES = ("Living Off The Land", "IcedID", "Credential Dumping", "China-Nexus Threat Activity",
           "Suspicious AWS S3 Activities", "JetBrains TeamCity Vulnerabilities", "Active Directory Lateral Movement")
DATA_SOURCES = ("Sysmon EventID 1", "Sysmon EventID 6", "Sysmon EventID 11", "Windows Event Log Security 4798",
                "Windows Event Log Security 5136")


@pytest.mark.parametrize("name, candidates, meant", [
    ("Living Off The Lnad", STORIES, "Living Off The Land"),  # a misspelt word
    ("Icedid", STORIES, "IcedID"),
    ("Lateral Movement", STORIES, "Active Directory Lateral Movement"),  # every word is in it
    ("Sysmon Event ID 11", DATA_SOURCES, "Sysmon EventID 11"),
    ("Windows Security 5136", DATA_SOURCES, "Windows Event Log Security 5136"),
    # Close as strings, but not what anyone misspells: one shared word, or other numbers.
    ("Suspicious Okta Activity", STORIES, None),
    ("Spectre And Meltdown Vulnerabilities", STORIES, None),
    ("Suspicious AWS EC2 Activities", STORIES, None),
    ("Sysmon EventID 26", DATA_SOURCES, None),
    ("Sysmon EventID 14", DATA_SOURCES, None),
    ("Windows Event Log Security 4728", DATA_SOURCES, None),
])
def test_did_you_mean_suggests_what_the_name_could_misspell(name, candidates, meant):
    assert _closest(name, candidates) == meant


def test_data_sources_are_listed_in_the_order_of_the_numbers_in_their_names(tmp_path):
    """A story's data sources and the data sources index: "Sysmon EventID 3" before "Sysmon EventID 11" (as text,
    "11" came first)."""
    case = TESTS / "golden" / "escu_2025"
    content = tmp_path / "content"
    shutil.copytree(case / "content", content)
    sysmon = (content / "data_sources" / "sysmon_eventid_1.yml").read_text(encoding="utf-8")
    for number in (11, 3):
        (content / "data_sources" / f"sysmon_eventid_{number}.yml").write_text(
            sysmon.replace("EventID 1", f"EventID {number}").replace("000000000001", f"0000000000{number:02}"),
            encoding="utf-8")
    hunt = content / "detections" / "network" / "dns_beaconing_hunt.yml"
    hunt.write_text(hunt.read_text(encoding="utf-8").replace(
        "data_source:\n- DNS Query Logs\n", "data_source:\n- Sysmon EventID 11\n- DNS Query Logs\n- Sysmon EventID 3\n"
                                           "- Sysmon EventID 1\n"), encoding="utf-8")
    site = generate(content, Inputs(case / "attack.json"), layout="mkdocs").site
    sysmon_names = ["Sysmon EventID 1", "Sysmon EventID 3", "Sysmon EventID 11"]
    assert [page.name for page in site.data_sources if page.name.startswith("Sysmon")] == sysmon_names
    story = next(page for page in site.stories if page.name == "Command And Control")
    assert [ref.name for ref in story.data_sources] == ["DNS Query Logs", *sysmon_names]


@pytest.mark.parametrize("names", [["a10", "A2", "a2", "b", "a"], ["x 1 y 20", "x 1 y 3", "x 01 y 3", "x"]])
def test_numbered_order_compares_any_two_names(names):
    ordered = sorted(names, key=numbered_order)
    assert ordered == sorted(reversed(names), key=numbered_order)  # a total order: the input's order is not kept
    assert ordered.index("a2" if "a2" in names else "x 1 y 3") < ordered.index("a10" if "a10" in names else "x 1 y 20")


def test_a_detection_whose_list_of_macros_is_empty_names_what_its_search_calls(tmp_path):
    """The published Macros list leaves out `drop_dm_object_name`, a Splunk app's macros and the filter macro: the
    site's note under an empty list names them rather than say the search calls none."""
    content = tmp_path / "content"
    shutil.copytree(GOLDEN_BASIC / "content", content)
    source = content / "detections" / "web" / "exploit_of_example_portal.yml"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "  | `exploit_of_example_portal_filter`'",
        "  | `drop_dm_object_name(Web)` | `get_asset(src)` | `get_asset(dest)` | `exploit_of_example_portal_filter`'"),
        encoding="utf-8")
    generated = generate(content, Inputs(GOLDEN_BASIC / "attack.json", GOLDEN_BASIC / "cves.json"), layout="mkdocs")
    page = next(page for page in generated.site.detections if page.name == "Exploit of Example Portal")
    assert page.macros == () and page.filter_macro == "exploit_of_example_portal_filter"
    assert page.unlisted_macros == ("drop_dm_object_name", "get_asset")
    text = next(p.text for p in generated.pages if p.source is not None and p.source.path == page.detection.source.path)
    assert "None listed; besides its filter macro, the search calls `drop_dm_object_name`, `get_asset`." in text


def test_a_macro_s_page_names_the_detections_whose_drilldown_searches_alone_call_it(tmp_path):
    """`security_content_ctime` is called by some detections in their drilldown searches only: its page lists
    them apart from those whose search calls it, and each once."""
    case = TESTS / "golden" / "escu_2025"
    content = tmp_path / "content"
    shutil.copytree(case / "content", content)
    hunt = content / "detections" / "network" / "dns_beaconing_hunt.yml"
    drilldowns = ("drilldown_searches:\n"
                  + "".join(f"- name: Sessions of $src$ {n}\n  search: '| from datamodel Network_Resolution | search "
                            f"src=$src$ | `security_content_ctime(firstTime)`'\n  earliest_offset: -7d\n"
                            f"  latest_offset: now\n" for n in (1, 2)))
    hunt.write_text(hunt.read_text(encoding="utf-8").replace("how_to_implement:", drilldowns + "how_to_implement:"),
                    encoding="utf-8")
    generated = generate(content, Inputs(case / "attack.json"), layout="mkdocs")
    ctime = next(page for page in generated.site.macro_pages if page.macro.name == "security_content_ctime")
    assert [page.name for page in ctime.drilldown_detections] == ["DNS Beaconing Hunt"]
    assert "DNS Beaconing Hunt" not in [page.name for page in ctime.detections] and ctime.detections
    text = next(page.text for page in generated.pages if page.url == "/macros/security_content_ctime/")
    assert "the drilldown searches alone of 1 other do, listed after the table." in text
    assert "### In drilldown searches only\n\n[DNS Beaconing Hunt](" in text


def test_a_machine_learning_model_s_lookup_is_used_where_a_search_applies_or_fits_the_model(tmp_path):
    """Splunk's Machine Learning Toolkit keeps the model `x` as the lookup file `__mlspl_x.mlmodel`: `| apply x`
    reads it and `| fit ... into x` writes it."""
    case = TESTS / "golden" / "escu_2025"
    content = tmp_path / "content"
    shutil.copytree(case / "content", content)
    (content / "lookups" / "__mlspl_beacon_model.yml").write_text(
        "name: __mlspl_beacon_model\ndescription: A model of steady DNS queries.\n"
        "filename: __mlspl_beacon_model.mlmodel\n", encoding="utf-8")
    hunt = content / "detections" / "network" / "dns_beaconing_hunt.yml"
    hunt.write_text(hunt.read_text(encoding="utf-8").replace(
        "  | `dns_beaconing_hunt_filter`'", "  | apply beacon_model | `dns_beaconing_hunt_filter`'"), encoding="utf-8")
    baseline = content / "baselines" / "command_line_lengths.yml"
    text = baseline.read_text(encoding="utf-8")
    baseline.write_text(re.sub(r"(search: '[^']*)'", r"\1 | fit DensityFunction length into app:beacon_model'", text,
                               count=1), encoding="utf-8")
    site = generate(content, Inputs(case / "attack.json"), layout="mkdocs").site
    model = next(page for page in site.lookup_pages if page.lookup.name == "__mlspl_beacon_model")
    assert model.lookup.kind == "mlmodel"
    assert [page.name for page in model.detections] == ["DNS Beaconing Hunt"]
    assert [page.baseline.name for page in model.baselines] == ["Command Line Lengths"]
