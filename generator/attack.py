"""Read MITRE ATT&CK techniques from a STIX 2.x bundle (MITRE's enterprise-attack.json)."""

from __future__ import annotations

from pathlib import Path

from .exceptions import ConfigurationError
from .models import Technique
from .references import read_json_object


def tactic_title(phase_name: str) -> str:
    """'command-and-control' -> 'Command And Control', the form the published pages use."""
    return phase_name.replace("-", " ").title()


def parse_bundle(bundle: dict) -> dict[str, Technique]:
    """Techniques by id. Revoked and deprecated objects only fill ids nothing else has."""
    current: dict[str, Technique] = {}
    retired: dict[str, Technique] = {}
    for obj in bundle.get("objects", ()):
        if not isinstance(obj, dict) or obj.get("type") != "attack-pattern":
            continue
        technique_id = next((ref.get("external_id") for ref in obj.get("external_references", ())
                             if isinstance(ref, dict) and ref.get("source_name") == "mitre-attack"), None)
        if not technique_id or not isinstance(obj.get("name"), str):
            continue
        tactics = tuple(tactic_title(phase["phase_name"]) for phase in obj.get("kill_chain_phases", ())
                        if isinstance(phase, dict) and phase.get("kill_chain_name") == "mitre-attack"
                        and isinstance(phase.get("phase_name"), str))
        technique = Technique(technique_id, obj["name"], tactics)
        bucket = retired if obj.get("revoked") or obj.get("x_mitre_deprecated") else current
        bucket.setdefault(technique_id, technique)
    return {**retired, **current}


def load_attack(path: Path) -> dict[str, Technique]:
    """Load a bundle file; a missing or unreadable bundle stops the run."""
    bundle = read_json_object(path, "ATT&CK bundle")
    if bundle.get("type") != "bundle":
        raise ConfigurationError(f"{path}: not a STIX bundle (no top-level \"type\": \"bundle\")")
    return parse_bundle(bundle)
