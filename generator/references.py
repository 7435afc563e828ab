"""Local reference files the pages draw on: Splunkbase add-ons and D3FEND techniques.

Both are JSON objects keyed by id, in the formats of the files the April-2024
published generator fetched (`splunk_apps.json`, `d3fend.json`). The generator
never asks the web services themselves while building.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .exceptions import ConfigurationError
from .slug import name_problem


@dataclass(frozen=True)
class SplunkApp:
    """A Splunk add-on named by a detection's `supported_tas`."""

    id: str
    name: str
    url: str
    """"" when unknown: the page then shows the id alone."""


@dataclass(frozen=True)
class D3fendTechnique:
    id: str
    technique: str
    definition: str
    category: str

    @property
    def url(self) -> str:
        return "https://d3fend.mitre.org/technique/d3f:" + self.technique.replace(" ", "")


def read_json_object(path: Path, what: str) -> dict:
    """A JSON object from `path`; anything else stops the run with a message naming the file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: {what} not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"{path}: not a readable {what} ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}: the {what} must be a JSON object")
    return data


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    return value if isinstance(value, str) else ""


def load_splunk_apps(path: Path | None) -> dict[str, SplunkApp] | None:
    """`{"Splunk_TA_x": {"name": ..., "url": ...}}`; None when no file is given."""
    if path is None:
        return None
    data = read_json_object(path, "Splunk apps file")
    return {key: SplunkApp(key, _text(record, "name"), _text(record, "url"))
            for key, record in data.items() if isinstance(record, dict)}


def load_d3fend(path: Path | None) -> dict[str, D3fendTechnique] | None:
    """`{"D3-AL": {"technique": ..., "definition": ..., "category": ...}}`; None when no file is given."""
    if path is None:
        return None
    data = read_json_object(path, "D3FEND file")
    return {key: D3fendTechnique(key, _text(record, "technique"), _text(record, "definition"),
                                 _page_name(_text(record, "category")))
            for key, record in data.items() if isinstance(record, dict)}


def _page_name(name: str) -> str:
    """A name that will name a listing page, or "" (listed nowhere) when it cannot be a file name."""
    return "" if name and name_problem(name) else name
