"""CITATION.cff is valid Citation File Format 1.2 and agrees with the package.

The schema in tests/data is the official CFF 1.2.0 JSON schema (CC-BY-4.0, from the
citation-file-format project, as shipped in cffconvert 2.0.0). cffconvert itself is
not a dependency: it pins jsonschema < 4, which the book's Jupyter stack cannot use.
"""

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

import xentropy

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "citation-file-format-1.2.0.schema.json").read_text()
)


@pytest.fixture
def citation() -> dict:
    # BaseLoader keeps every scalar a string, as CFF's schema expects of dates and versions.
    return yaml.load((ROOT / "CITATION.cff").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def test_citation_file_is_valid_cff_1_2(citation: dict) -> None:
    jsonschema.Draft7Validator(SCHEMA).validate(citation)


def test_citation_names_the_package_version(citation: dict) -> None:
    assert citation["version"] == xentropy.__version__


def test_validation_rejects_a_broken_citation(citation: dict) -> None:
    broken = copy.deepcopy(citation)
    del broken["authors"]
    with pytest.raises(jsonschema.ValidationError, match="authors"):
        jsonschema.Draft7Validator(SCHEMA).validate(broken)
