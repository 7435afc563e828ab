"""Read MITRE ATT&CK techniques from a STIX 2.x bundle (MITRE's enterprise-attack.json)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from .exceptions import ConfigurationError
from .issues import Issue, Severity
from .models import Technique
from .references import read_json_object
from .slug import name_problem

TECHNIQUE_ID = re.compile(r"T[0-9]{4}(\.[0-9]{3})?")
"""What an ATT&CK technique id looks like; it becomes a file name, so nothing else is taken."""


def tactic_title(phase_name: str) -> str:
    """'command-and-control' -> 'Command And Control', the form the published pages use."""
    return phase_name.replace("-", " ").title()


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _texts(value) -> tuple[str, ...]:
    return tuple(sorted({item for item in _list(value) if isinstance(item, str)}))


def parse_bundle(bundle: dict) -> tuple[dict[str, Technique], Counter]:
    """Techniques by id, and what was skipped: a count for each message ("{} ... skipped").

    Revoked and deprecated objects only fill ids nothing else has. Values of
    the wrong type are skipped, never trusted: a bundle is input like any other.
    """
    current: dict[str, Technique] = {}
    retired: dict[str, Technique] = {}
    skipped: Counter = Counter()
    for obj in _list(bundle.get("objects")):
        if not isinstance(obj, dict) or obj.get("type") != "attack-pattern":
            continue
        technique_id = next((ref.get("external_id") for ref in _list(obj.get("external_references"))
                             if isinstance(ref, dict) and ref.get("source_name") == "mitre-attack"), None)
        name = obj.get("name")
        if not isinstance(technique_id, str) or not TECHNIQUE_ID.fullmatch(technique_id):
            skipped["{} attack pattern(s) without a technique id of the form T1234 or T1234.567 skipped"] += 1
            continue
        if not isinstance(name, str) or not name.strip():
            skipped["{} attack pattern(s) without a name skipped"] += 1
            continue
        tactics = []
        for phase in _list(obj.get("kill_chain_phases")):
            if isinstance(phase, dict) and phase.get("kill_chain_name") == "mitre-attack":
                phase_name = phase.get("phase_name")
                if isinstance(phase_name, str) and not name_problem(tactic_title(phase_name)):
                    tactics.append(tactic_title(phase_name))
                else:
                    skipped["{} tactic name(s) that cannot name a page left out"] += 1
        description = obj.get("description")
        is_retired = bool(obj.get("revoked") or obj.get("x_mitre_deprecated"))
        technique = Technique(technique_id, name, tuple(tactics),
                              description if isinstance(description, str) else "",
                              _texts(obj.get("x_mitre_platforms")), _texts(obj.get("x_mitre_data_sources")),
                              is_retired)
        (retired if is_retired else current).setdefault(technique_id, technique)
    return {**retired, **current}, skipped


def attack_version(bundle: dict, path: Path) -> str:
    """The ATT&CK version of a bundle ("14.1"): its collection object's, else its file name's, else ""."""
    for obj in _list(bundle.get("objects")):
        if isinstance(obj, dict) and obj.get("type") == "x-mitre-collection":
            version = obj.get("x_mitre_version")
            if isinstance(version, str) and re.fullmatch(r"[0-9]+(\.[0-9]+)*", version):
                return version
    match = re.search(r"attack-v?([0-9]+(?:\.[0-9]+)*)\.json$", Path(path).name)
    return match.group(1) if match else ""


def load_attack(path: Path) -> tuple[dict[str, Technique], str, list[Issue]]:
    """Techniques, the ATT&CK version ("" if unknown) and what was odd in the bundle.

    A missing or unreadable bundle stops the run; odd objects in it are warnings."""
    bundle = read_json_object(path, "ATT&CK bundle")
    if bundle.get("type") != "bundle":
        raise ConfigurationError(f"{path}: not a STIX bundle (no top-level \"type\": \"bundle\")")
    if not isinstance(bundle.get("objects"), list):
        raise ConfigurationError(f"{path}: not a STIX bundle (its \"objects\" is not a list)")
    techniques, skipped = parse_bundle(bundle)
    issues = [Issue(str(path), None, Severity.WARNING, message.format(count))
              for message, count in sorted(skipped.items())]
    return techniques, attack_version(bundle, path), issues
