"""How searches are read for the macros and lookups they use."""

from __future__ import annotations

from generator.enrich import called_lookups, called_macros


def test_macros_are_named_once_without_arguments_and_without_the_implicit_ones():
    search = ("`sysmon` EventCode=1 | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)`"
              " | `drop_dm_object_name(Processes)` | `x_filter`")
    assert called_macros(search) == ["sysmon", "security_content_ctime"]


def test_backticks_that_are_not_a_macro_call_are_ignored():
    assert called_macros('| eval quoted="```" | `wineventlog_security`') == ["wineventlog_security"]


def test_lookups_include_input_and_output_lookups_in_order():
    search = "| lookup update=true a src | inputlookup b.csv | outputlookup append=t c | lookup  d x"
    assert called_lookups(search) == ["a", "b.csv", "c", "d"]
