"""The fast loader gives exactly what PyYAML's CSafeLoader gives, and survives hostile input."""

from __future__ import annotations

import pytest
import yaml

from generator import yamlfast
from generator.load import parse_file, parse_text

DOCUMENTS = [
    "name: x\nversion: 3\nratio: 1.5\nyes_no: yes\nnothing: ~\nempty:\n",
    "date: 2021-11-17\nquoted: '2021-11-17'\nwhen: 2001-12-14t21:59:43.10-05:00\n",
    "octal: 010\nhex: 0x1F\nsexagesimal: 1:20\nunderscore: 1_000\nnegative: -5\nplus: +5\nzero: 0\n",
    "inf: .inf\nnan_like: .NaN\nbig: 123456789012345678901234567890\n",
    "anchor: &a {k: [1, 2]}\nalias: *a\nmerged:\n  <<: *a\n  extra: true\n",
    "list:\n- a\n- [b, c]\n- {d: e}\n- []\n- {}\n",
    "text: |\n  line one\n  line two\nfolded: >\n  one\n  two\n",
    "? complex key\n: value\n1: integer key\n",
    "binary: !!binary aGVsbG8=\nset: !!set {a, b}\nstr: !!str 123\n",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_same_values_as_pyyaml(text):
    assert yamlfast.load(text) == yaml.load(text, Loader=yaml.CSafeLoader)


def test_aliases_share_one_object_so_an_alias_bomb_stays_small():
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, 10)]
    data = yamlfast.load("\n".join(levels) + "\n")  # 10**10 leaves if expanded

    assert data["a9"][0] is data["a9"][1] is data["a8"]


def test_errors_are_pyyaml_errors_with_a_line(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("a: 1\nb: 2 3: 4\n")
    text, data, (line, message) = parse_file(path)
    assert data is None and line == 2 and message == (
        "invalid YAML: mapping values are not allowed in this context (a value that holds ': ' must be quoted; or "
        "this line is indented deeper than the key before it)")

    path.write_text("a: 1\n---\nb: 2\n")
    _, _, (line, message) = parse_file(path)
    assert "expected a single document" in message


@pytest.mark.parametrize("text, expected", [
    ("a: 1\ntype: [TTP\nb: 2\n",
     (2, "invalid YAML: while parsing a flow sequence that starts on this line: did not find expected ',' or ']' (line 3)")),
    ("a: {x: 1\nb: 2\n",
     (1, "invalid YAML: while parsing a flow mapping that starts on this line: did not find expected ',' or '}' (line 2)")),
    ("a: 1\nb: \"abc\nc: 2\n",
     (2, "invalid YAML: while scanning a quoted scalar that starts on this line: found unexpected end of stream (line 4)")),
    ("a: 1\nfoo bar\nc: 2\n",
     (2, "invalid YAML: while scanning a simple key that starts on this line: could not find expected ':' (line 3)")),
    # A block mapping starts far from the mistake: the line where the parser noticed it is the one to show.
    ("a:\n  - 1\n - 2\n", (3, "invalid YAML: while parsing a block mapping did not find expected key (this list "
                           "item is indented 1 space and the one above it 2: the items of a list start in one column)")),
])
def test_something_opened_and_never_closed_is_located_where_it_opens(tmp_path, text, expected):
    path = tmp_path / "x.yml"
    path.write_text(text)
    assert parse_file(path)[2] == expected


@pytest.mark.parametrize("text, hint", [
    ("name: x\ntags:\n\tasset_type: Endpoint\n", "(a tab: YAML is indented with spaces only)"),
    ("name: x\nsearch: `sysmon` | stats count\n", "(a value that starts with ` must be quoted)"),
    ("name: @admin\n", "(a value that starts with @ must be quoted)"),
    ("name: x\ndescription: Note: this\n", "(a value that holds ': ' must be quoted; or this line is indented "
                                            "deeper than the key before it)"),
    ("name: x\nsearch: '| a'\nrefs: [x]\n  type: TTP\n", "(is this line indented like the other keys of its block?)"),
    # A list item indented less than the item above it (a comment between them is passed over).
    ("name: x\nmitre_attack_id:\n    - T1070.001\n    # and\n   - T1562\ntype: TTP\n",
     "(this list item is indented 3 spaces and the one above it 4: the items of a list start in one column)"),
    # A search written a stage a line, one stage indented less than the others.
    ("name: x\nsearch: |\n    | tstats count\n  | rex field=a \"b\"\n    | stats\n",
     "(this line is indented less than the block above it, which ends the block, and its '|' starts another: "
     "indent it like the block's other lines)"),
])
def test_a_yaml_error_says_what_usually_causes_it(text, hint):
    assert parse_text(text)[2][1].endswith(" " + hint)


def test_unhashable_keys_and_bad_bytes_are_reported_not_raised(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("? [a, b]\n: c\n")
    assert parse_file(path)[2][1].startswith("invalid YAML: while constructing a mapping")

    path.write_bytes(b"name: \xff\xfe\n")
    assert parse_file(path)[2] == (None, "not UTF-8 text (invalid start byte at byte 6)")
