"""How searches are read for the macros and lookups they use."""

from __future__ import annotations

import pytest

from generator.enrich import _closest, called_lookups, called_macros


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
