"""`make test-ckan`'s list of intended differences stays readable: every entry names tests, its rule, why and the
error it expects (the run itself is not part of `make test`)."""
from ckanext.satudata_blitar.ckan_suite.plugin import load_differences


def test_every_intended_difference_names_its_rule_and_reason():
    entries = load_differences()

    assert entries
    for entry in entries:
        assert entry["tests"] and all("::" in pattern for pattern in entry["tests"]), entry
        assert len(entry["rule"]) > 20 and len(entry["why"]) > 20, entry
        assert entry["match_re"].pattern, entry
