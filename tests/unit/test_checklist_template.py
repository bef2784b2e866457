"""The plan template and the rule index that matches upstream events to entries."""

import copy

import pytest

from services.checklist import template as templates
from services.checklist.rules import EventRule, RuleIndex
from services.checklist.template import TemplateError
from services.common.registry import load


def entry(code="9.1.1", **overrides):
    data = {
        "code": code,
        "title_zh": "测试条目",
        "title_en": "A test entry",
        "owner_role": "project_lead",
        "due": {"milestone": "start", "offset_days": -30},
        "verification": {"evidence": ["document"]},
    }
    data.update(overrides)
    return data


def parse(*entries):
    return templates.parse({"name": "t", "entries": list(entries)}, "t.yaml")


def refusal(*entries) -> str:
    with pytest.raises(TemplateError) as raised:
        parse(*entries)
    return str(raised.value)


def test_the_starter_template_loads_with_the_venue_contract_rule():
    starter = templates.load("starter")

    assert starter.name == "starter"
    venue = starter.entry("1.3.5")
    assert venue.owner_role == "venue"
    assert venue.milestone == "start"
    assert venue.offset_days == -120
    assert venue.rule == EventRule(
        event="vendors.ContractSigned",
        where=(("category", "venue"),),
        compensated_by=("vendors.ContractCancelled",),
    )
    assert venue.verification()["rule"] == {
        "event": "vendors.ContractSigned",
        "where": {"category": "venue"},
        "compensated_by": ["vendors.ContractCancelled"],
    }
    codes = [e.code for e in starter.entries]
    assert len(codes) == len(set(codes))
    assert all(e.rule is not None or e.evidence for e in starter.entries)
    assert "1.3.5" in starter.rules.verified_by("vendors.ContractSigned", {"category": "venue"})
    assert "1.3.5" in starter.rules.reopened_by("vendors.ContractCancelled")


def test_an_unknown_entry_code_is_a_key_error():
    with pytest.raises(KeyError):
        templates.load("starter").entry("99.9.9")


def test_parse_keeps_entries_in_order():
    template = parse(entry("1.1.1"), entry("1.1.2"), entry("2.1.1"))

    assert [e.code for e in template.entries] == ["1.1.1", "1.1.2", "2.1.1"]
    assert template.entries[2].section == "2"
    assert template.entries[0].evidence == ("document",)
    assert template.entries[0].rule is None


def test_an_entry_with_neither_rule_nor_evidence_is_refused_naming_code_and_field():
    message = refusal(entry("1.1.1"), entry("4.2.7", verification={}))

    assert "t.yaml" in message
    assert "4.2.7" in message
    assert "verification" in message
    assert "rule or at least one kind of evidence" in message


def test_an_empty_evidence_list_without_a_rule_is_refused():
    message = refusal(entry("4.2.7", verification={"evidence": []}))

    assert "4.2.7" in message
    assert "verification" in message


def test_a_duplicate_code_is_refused_naming_the_code():
    message = refusal(entry("1.1.1"), entry("1.2.1"), entry("1.1.1"))

    assert "1.1.1" in message
    assert "code" in message
    assert "twice" in message


def test_an_unknown_evidence_kind_is_refused_naming_code_and_field():
    message = refusal(entry("3.1.2", verification={"evidence": ["document", "rumour"]}))

    assert "3.1.2" in message
    assert "evidence" in message


@pytest.mark.parametrize(
    "event", ["ContractSigned", "vendors.contractSigned", "Vendors.ContractSigned", "vendors."]
)
def test_a_bad_rule_event_name_is_refused_naming_code_and_field(event):
    message = refusal(entry("1.3.5", verification={"rule": {"event": event}}))

    assert "1.3.5" in message
    assert "event" in message


def test_a_bad_compensating_event_name_is_refused():
    rule = {"event": "vendors.ContractSigned", "compensated_by": ["cancelled"]}
    message = refusal(entry("1.3.5", verification={"rule": rule}))

    assert "1.3.5" in message
    assert "compensated_by" in message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", "1.3"),
        ("due", {"milestone": "middle", "offset_days": 0}),
        ("due", {"milestone": "start", "offset_days": "-30"}),
        ("owner_role", ""),
    ],
)
def test_a_bad_field_is_refused_naming_it(field, value):
    raw = entry("5.5.5")
    raw[field] = value
    message = refusal(raw)

    assert field in message


def test_an_unknown_field_is_refused():
    message = refusal(entry("5.5.5", priority="high"))

    assert "5.5.5" in message
    assert "priority" in message


@pytest.mark.parametrize("data", [None, [], {"entries": "none"}, {"name": "x"}])
def test_a_template_must_be_a_mapping_with_a_list_of_entries(data):
    with pytest.raises(TemplateError, match="entries"):
        templates.parse(data, "broken.yaml")


def test_an_entry_that_is_not_a_mapping_is_refused_by_position():
    message = refusal(entry("1.1.1"), "just a string")

    assert "#2" in message


def test_the_starter_file_is_not_changed_by_parsing():
    raw = {"name": "t", "entries": [entry("1.1.1")]}
    before = copy.deepcopy(raw)
    templates.parse(raw, "t.yaml")

    assert raw == before


# -- the rule index -------------------------------------------------------------------
VENUE = EventRule.from_dict(
    {
        "event": "vendors.ContractSigned",
        "where": {"category": "venue"},
        "compensated_by": ["vendors.ContractCancelled"],
    }
)
ANY_CONTRACT = EventRule.from_dict({"event": "vendors.ContractSigned"})
AV = EventRule.from_dict(
    {
        "event": "vendors.ContractSigned",
        "where": {"category": "av", "currency": "CNY"},
        "compensated_by": ["vendors.ContractCancelled", "vendors.ContractVoided"],
    }
)


def test_verified_by_only_when_where_matches():
    index = RuleIndex([("1.3.5", VENUE), ("8.1.1", ANY_CONTRACT), ("12.1.1", AV)])

    assert index.verified_by("vendors.ContractSigned", {"category": "venue"}) == [
        "1.3.5",
        "8.1.1",
    ]
    assert index.verified_by("vendors.ContractSigned", {"category": "catering"}) == ["8.1.1"]
    assert index.verified_by("vendors.ContractSigned", {"category": "av", "currency": "CNY"}) == [
        "8.1.1",
        "12.1.1",
    ]
    assert index.verified_by("vendors.ContractSigned", {"category": "av", "currency": "USD"}) == [
        "8.1.1"
    ]
    assert index.verified_by("vendors.ContractSigned", {}) == ["8.1.1"]
    assert index.verified_by("vendors.ContractCancelled", {"category": "venue"}) == []


def test_reopened_by_lists_the_compensating_codes():
    index = RuleIndex([("1.3.5", VENUE), ("8.1.1", ANY_CONTRACT), ("12.1.1", AV)])

    assert index.reopened_by("vendors.ContractCancelled") == ["1.3.5", "12.1.1"]
    assert index.reopened_by("vendors.ContractVoided") == ["12.1.1"]
    assert index.reopened_by("vendors.ContractSigned") == []
    assert index.event_keys == {
        "vendors.ContractSigned",
        "vendors.ContractCancelled",
        "vendors.ContractVoided",
    }


def test_lookups_do_not_grow_the_index():
    index = RuleIndex([("1.3.5", VENUE)])
    index.verified_by("budget.Nothing", {})
    index.reopened_by("budget.Nothing")

    assert index.event_keys == {"vendors.ContractSigned", "vendors.ContractCancelled"}


class CountingRule(EventRule):
    """A rule that counts how often it is asked to match."""

    calls = 0

    def matches(self, payload):
        CountingRule.calls += 1
        return super().matches(payload)


def test_index_lookups_do_not_scan_unrelated_rules():
    unrelated = [
        (f"50.{n // 100}.{n % 100}", CountingRule(event=f"registration.Event{n}"))
        for n in range(1000)
    ]
    matching = [
        ("1.3.5", CountingRule(event="vendors.ContractSigned", where=(("category", "venue"),))),
        ("1.3.6", CountingRule(event="vendors.ContractSigned")),
        ("1.3.7", CountingRule(event="vendors.ContractSigned", where=(("category", "av"),))),
    ]
    index = RuleIndex(unrelated[:500] + matching + unrelated[500:])
    CountingRule.calls = 0

    assert index.verified_by("budget.LedgerPosted", {"category": "venue"}) == []
    assert CountingRule.calls == 0
    assert index.verified_by("vendors.ContractSigned", {"category": "venue"}) == [
        "1.3.5",
        "1.3.6",
    ]
    assert CountingRule.calls == len(matching)
    assert index.verified_by("registration.Event999", {}) == ["50.9.99"]
    assert CountingRule.calls == len(matching) + 1


# -- the full template ---------------------------------------------------------------


def full():
    return templates.load("conference")


def test_the_full_template_has_24_sections_96_items_and_389_entries_with_unique_codes():
    template = full()

    assert len(template.sections) == 24
    assert len(template.items) == 96  # the source's 95, plus 19.1 (section 19 had none)
    assert [i.code for i in template.items if i.see] == ["3.3", "3.4", "3.5"]
    assert len(template.entries) == 389
    codes = [e.code for e in template.entries]
    assert len(set(codes)) == 389
    assert "8.4.4" in codes and "10.1.6" in codes  # the source's two duplicate codes, fixed
    assert all(e.code.startswith(e.item + ".") for e in template.entries)


def test_cross_references_point_to_sections_instead_of_copying_them():
    items = {i.code: i for i in full().items}

    assert items["3.3"].see == ("2",)
    assert items["3.5"].see == ("24",)
    assert not [e for e in full().entries if e.item in ("3.3", "3.4", "3.5")]


def test_every_entry_can_be_verified_and_is_titled_in_both_languages():
    for entry in full().entries:
        assert entry.rule is not None or entry.evidence, entry.code
        assert entry.title_zh and entry.title_en, entry.code
        assert entry.phase in ("before", "onsite", "after"), entry.code


def test_every_entry_names_its_proofs_in_both_languages():
    for entry in full().entries:
        assert 1 <= len(entry.evidence) <= 3, entry.code
        for proof in entry.evidence:
            assert isinstance(proof, dict), f"{entry.code}: {proof} is a kind, not a proof"
            assert proof["zh"].strip() and proof["en"].strip(), entry.code
            assert proof["en"][0].islower() or proof["en"][0].isdigit(), entry.code


def test_entries_of_different_items_never_share_a_proof_text():
    items_of: dict[tuple[str, str], set[str]] = {}
    for entry in full().entries:
        for proof in entry.evidence:
            for lang in ("zh", "en"):
                items_of.setdefault((lang, proof[lang]), set()).add(entry.item)
    shared = {text: sorted(items) for text, items in items_of.items() if len(items) > 1}
    assert shared == {}


def test_at_least_80_entries_are_verified_by_rules_whose_events_are_declared():
    rules = [e for e in full().entries if e.rule]
    assert len(rules) >= 75  # only where an event proves what the source asks
    declared = {f"{c.service}.{t}" for c in load().catalogs() for t in c.event_types}
    used = {key for e in rules for key in e.rule.event_keys()}
    assert used <= declared, sorted(used - declared)
    kinds = {e.rule.kind for e in rules}
    assert kinds == {"event", "count", "for_all"}


def test_rule_conditions_name_fields_their_event_schemas_declare():
    catalogs = load().catalogs()
    for entry in full().entries:
        if entry.rule is None:
            continue
        service, event_type = entry.rule.event.split(".")
        schema_fields = set(catalogs[service].schema(event_type).fields)
        assert {k for k, _ in entry.rule.where} <= schema_fields | {"categories"}, entry.code
        if entry.rule.kind == "for_all":
            service, event_type = entry.rule.require.split(".")
            required_fields = set(catalogs[service].schema(event_type).fields)
            assert {k for k, _ in entry.rule.require_where} <= required_fields, entry.code
            assert entry.rule.pair_by in required_fields | {None}, entry.code


def test_profiles_select_the_sections_that_fit():
    template = full()
    academic = {e.code for e in template.select("academic")}
    business = {e.code for e in template.select("business")}
    annual = {e.code for e in template.select("corporate_annual")}

    assert len(academic) == 389
    assert {"1.6.4", "5.2.4"} <= academic - business  # call for papers
    assert not {c for c in annual if c.split(".")[0] in ("7", "16")}  # sponsorship, interpreting
    assert {c for c in business if c.startswith("7.")}
    assert {c for c in business if c.startswith("16.")}
    assert {c for c in annual if c.startswith("4.")}  # the annual meeting keeps its dinner
    assert not {"10.1.4", "10.1.6"} & annual  # no registration fees


def test_a_custom_selection_adds_and_removes_sections_items_and_entries():
    template = full()

    chosen = {
        e.code
        for e in template.select("corporate_annual", include=["16"], exclude=["4.1", "1.1.1"])
    }

    assert {c for c in chosen if c.startswith("16.")}
    assert not {c for c in chosen if c.startswith("4.1.")}
    assert "1.1.1" not in chosen
    with pytest.raises(KeyError, match="99"):
        template.select("academic", include=["99"])


def test_due_dates_follow_milestones_and_other_entries():
    import datetime as dt

    template = full()
    start, end = dt.date(2027, 5, 12), dt.date(2027, 5, 14)
    chained = [e for e in template.entries if e.milestone == "entry"]

    assert len(chained) >= 5
    for entry in chained:
        assert template.due_on(entry.code, start, end) == template.due_on(
            entry.anchor, start, end
        ) + dt.timedelta(days=entry.offset_days)
    assert template.due_on("1.3.5", start, end) == start + dt.timedelta(days=-120)


def test_a_sectioned_template_error_names_the_entry_and_field():
    data = {
        "name": "t",
        "sections": [
            {
                "code": "1",
                "title_zh": "一",
                "title_en": "One",
                "items": [
                    {
                        "code": "1.1",
                        "title_zh": "一",
                        "title_en": "One",
                        "entries": [entry("1.1.1", owner_role="astronaut")],
                    }
                ],
            }
        ],
    }
    with pytest.raises(TemplateError, match=r"entry 1\.1\.1.*owner_role"):
        templates.parse(data, "t.yaml")
    data["sections"][0]["items"][0]["entries"] = [
        entry("1.1.1", due={"milestone": "entry", "entry": "1.1.2", "offset_days": 1}),
        entry("1.1.2", due={"milestone": "entry", "entry": "1.1.1", "offset_days": 1}),
    ]
    with pytest.raises(TemplateError, match="cycle"):
        templates.parse(data, "t.yaml")


# Entries found to differ from the source process (narrowed, given a threshold or a
# condition it does not state) and the source's own defects: each says in a note what
# was reverted, or what was kept and why.
DIFFERING = {
    "narrowed": ["1.7.8", "20.2.1", "21.1.3", "4.1.7", "5.2.4"],
    "threshold": [
        "1.3.1", "8.2.1", "8.2.4", "8.2.6", "8.3.3", "10.3.5", "15.3.1", "21.8.3", "22.2.2",
    ],
    "quoted": ["8.1.1", "8.1.3", "8.1.4", "8.1.5", "8.1.7"],
    "contracted": ["4.1.6", "12.1.3", "19.1.1"],
    "approved": ["2.2.1", "2.3.1", "7.1.2", "7.1.3"],
    "source defect": ["14.2.1", "12.1.2", "12.1.5", "21.4.2", "23.1.4", "24.4.2"],
}  # fmt: skip


def test_every_entry_that_differs_from_the_source_says_how_in_a_note():
    template = full()
    codes = [code for group in DIFFERING.values() for code in group]

    assert len(codes) == len(set(codes)) == 32
    assert [code for code in codes if not template.entry(code).note] == []


@pytest.mark.parametrize(
    ("group", "words"),
    [
        ("quoted", ("quoted", "报价")),
        ("contracted", ("contracted", "签约")),
        ("approved", ("approved", "批")),
        ("threshold", ("three or more", "80%", "20%", "half", "至少", "八成", "两成")),
    ],
)
def test_titles_ask_for_no_condition_or_number_the_source_does_not_state(group, words):
    template = full()
    for code in DIFFERING[group]:
        entry = template.entry(code)
        titles = f"{entry.title_zh} {entry.title_en}"
        assert not [w for w in words if w in titles], (code, titles)


def test_the_english_titles_say_what_the_chinese_ones_do():
    template = full()
    english = {code: template.entry(code).title_en for code in template._by_code}

    assert "speakers and VIPs" in english["9.4.1"]
    assert "ICP filing" in english["5.1.1"]
    assert "drawn in advance" in english["9.2.1"]
    assert "organizer-funded" in english["2.1.1"]
    assert "briefed" not in english["1.7.6"]
    assert english["24.2.2"] == "Conference report written"
    section_18_2 = [english[c] for c in english if c.startswith("18.2.")]
    assert all("host" not in title.lower() for title in section_18_2)
    assert template.entry("17.3.1").owner_role == "project_lead"
