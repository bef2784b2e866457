"""docs/events.md is what outside subscribers read; it must match the schemas in code."""

from pathlib import Path

from services.catalog_doc import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_docs_events_md_is_generated_from_the_current_schemas():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/events.md is stale: run `python -m services.catalog_doc > docs/events.md`"
    )


def test_the_catalogue_lists_the_slice_events_and_their_fields():
    text = render()
    assert "### ContractSigned (schema version 1)" in text
    assert "| `amount_minor` | Integer | yes |" in text
    assert "### EntryVerified" in text
    # a vocabulary's values are listed, in their order
    assert "| `category` | String: `venue`, `av`, `interpreting`," in text
