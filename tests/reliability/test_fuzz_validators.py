"""Property-based fuzzing (hypothesis) of every check of what people type or hand-edit:
tui/validators.py (bundle ids, GUIDs, domains, display names), tui/discovery/domains.py,
tui/discovery/well_known.py (tenant ids, the file's text) and the guide's settings (names,
domain, contact, URL, output folder path).

Properties: a check never raises on any text; it returns "" (or the normalised value)
for exactly the documented grammar, and otherwise a message naming the field. The
grammar is written here independently of the code under test (ASCII-only patterns
matched against the WHOLE text, `re.fullmatch`).

More examples: ADUE_FUZZ_EXAMPLES=20000 (what `make soak` uses).
"""

from __future__ import annotations

import json
import os
import re
import string

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tui import validators
from tui.discovery import domains as discovery_domains
from tui.discovery import well_known as discovery_file
from tui.guide.errors import GuideSettingsError
from tui.guide.settings import GuideSettings

EXAMPLES = int(os.environ.get("ADUE_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- the documented grammars ------------------------------------------------------------
BUNDLE = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", re.ASCII)
GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", re.ASCII)
LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)", re.ASCII)
MICROSOFT = ("com.microsoft.", "com.skype.", "com.yammer.", "com.linkedin.")

# Text that stresses the edges: ASCII punctuation, whitespace of every kind, control and
# line-separator characters, non-ASCII letters and digits, and surrogates-free unicode.
EDGES = st.sampled_from(list(".-_@:/ \t\n\r\x0b\x0c\x00\x7f\x85\u00a0\u2028\u2029\u200b\ufeffİıß٣"))
ANY_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.one_of(st.sampled_from(string.ascii_letters + string.digits), EDGES)),
)
label = st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?\Z")
domain = st.lists(label, min_size=2, max_size=4).map(".".join)
bundle = st.lists(st.from_regex(r"\A[A-Za-z0-9-]{1,12}\Z"), min_size=2, max_size=5).map(".".join)
guid = st.from_regex(GUID.pattern.join((r"\A", r"\Z")))


def _insert(parts: tuple[str, int, str]) -> str:
    text, at, char = parts
    at %= len(text) + 1
    return text[:at] + char + text[at:]


# A well-formed value with one edge character slipped in somewhere: where checks break.
broken_domain = st.tuples(domain, st.integers(0, 99), EDGES).map(_insert)
broken_bundle = st.tuples(bundle, st.integers(0, 99), EDGES).map(_insert)
broken_guid = st.tuples(guid, st.integers(0, 99), EDGES).map(_insert)


def _domain_ok(value: str) -> bool:
    text = value.strip().rstrip(".").lower()
    labels = text.split(".")
    return len(labels) >= 2 and all(LABEL.fullmatch(x) for x in labels) and len(text) <= 253


# -- tui/validators.py ------------------------------------------------------------------


@FUZZ
@given(st.one_of(ANY_TEXT, broken_bundle))
@example("com.contoso.app\n")
@example("com.con\u00a0toso")
def test_bundle_id_problem_accepts_exactly_reverse_dns_non_microsoft(value: str) -> None:
    problem = validators.bundle_id_problem(value)
    text = value.strip()
    grammar = bool(BUNDLE.fullmatch(text)) and not text.lower().startswith(MICROSOFT)
    grammar = grammar and text.lower() != validators.AUTHENTICATOR_BUNDLE_ID
    assert (problem == "") == grammar, (value, problem)
    if problem:
        assert "bundle id" in problem


@FUZZ
@given(bundle)
def test_every_well_formed_bundle_id_is_accepted_unless_microsoft(value: str) -> None:
    problem = validators.bundle_id_problem(value)
    if value.lower().startswith(MICROSOFT):
        assert "Microsoft" in problem
    else:
        assert problem == ""


@FUZZ
@given(st.lists(st.one_of(bundle, ANY_TEXT), max_size=8))
def test_bundle_id_lists_flag_each_bad_entry_and_each_duplicate(values: list[str]) -> None:
    problems = validators.bundle_ids_problems(values)
    bad = sum(1 for v in values if validators.bundle_id_problem(v))
    keys = [v.strip().lower() for v in values if v.strip()]
    duplicates = len(keys) - len(set(keys))
    assert len(problems) == bad + duplicates
    assert all("bundle id" in p for p in problems)


@FUZZ
@given(
    st.one_of(ANY_TEXT, guid, broken_guid, guid.map(lambda g: f" {g.upper()} ")),
    st.sampled_from(["id", "tenant id"]),
)
def test_guid_problem_accepts_exactly_8_4_4_4_12_hex(value: str, what: str) -> None:
    problem = validators.guid_problem(value, what)
    ok = bool(GUID.fullmatch(value.strip()))
    assert (problem == "") == ok, (value, problem)
    assert validators.is_guid(value) == ok
    if problem:
        assert problem.startswith(what)


@FUZZ
@given(st.one_of(ANY_TEXT, domain, broken_domain, domain.map(lambda d: f" {d.upper()}. ")))
@example("a\n.com")  # a line break inside a label is not a domain (found by this test)
def test_domain_problem_accepts_exactly_dotted_labels(value: str) -> None:
    problem = validators.domain_problem(value)
    assert (problem == "") == _domain_ok(value), (value, problem)
    if problem:
        assert "domain" in problem


@FUZZ
@given(ANY_TEXT, st.sampled_from(["name", "policy name", "profile name"]))
def test_display_name_problem_names_the_field_and_refuses_empty_long_or_broken(
    value: str, what: str
) -> None:
    problem = validators.display_name_problem(value, what)
    text = value.strip()
    documented = 0 < len(text) <= validators.DISPLAY_NAME_MAX and all(ord(c) >= 32 for c in text)
    assert (problem == "") == documented, (value, problem)
    if problem:
        assert f"the {what} " in problem


# -- tui/discovery/domains.py -------------------------------------------------------------


@FUZZ
@given(st.one_of(ANY_TEXT, domain, broken_domain, domain.map(lambda d: f"https://{d.upper()}/x")))
@example("a\n.com")
def test_normalise_domain_returns_a_bare_ascii_name_or_names_the_field(value: str) -> None:
    try:
        name = discovery_domains.normalise_domain(value, field="sign-in domain")
    except ValueError as error:
        assert str(error).startswith("sign-in domain: ")
        return
    labels = name.split(".")
    assert len(labels) >= 2, repr(name)
    assert all(LABEL.fullmatch(x) for x in labels), repr(name)
    assert name == name.lower()


@FUZZ
@given(ANY_TEXT, domain)
def test_domain_of_splits_at_the_last_at(local: str, host: str) -> None:
    assert discovery_domains.domain_of(f"{local}@{host}") == host
    try:
        discovery_domains.domain_of(local)
    except ValueError as error:
        assert str(error).startswith("user: ")


@FUZZ
@given(
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "name": st.one_of(st.none(), ANY_TEXT, domain, st.integers()),
                "isDefault": st.one_of(st.booleans(), st.none(), st.integers()),
            },
        ),
        max_size=6,
    )
)
def test_sign_in_domains_never_raises_and_lists_hostable_domains_first(
    items: list[dict[str, object]],
) -> None:
    choices = discovery_domains.sign_in_domains(items)
    assert all(c.name == c.name.strip().lower() and c.name for c in choices)
    hostable = [c.can_host for c in choices]
    assert hostable == sorted(hostable, reverse=True)


# -- tui/discovery/well_known.py ------------------------------------------------------------------


@FUZZ
@given(st.one_of(ANY_TEXT, guid, broken_guid, guid.map(lambda g: "{" + g.upper() + "}")))
def test_tenant_id_is_a_lower_case_guid_or_an_error_naming_the_field(value: str) -> None:
    try:
        tenant = discovery_file.validate_tenant_id(value, field="--tenant-id")
    except ValueError as error:
        assert str(error).startswith("--tenant-id: ")
        assert not discovery_file.is_tenant_id(value.strip().strip("{}"))
        return
    assert GUID.fullmatch(tenant)
    assert tenant == tenant.lower()


@FUZZ
@given(guid, st.sampled_from(["global", "usgov", "usgov-dod", "china"]))
def test_generated_file_is_one_server_for_exactly_this_tenant(tenant: str, cloud: str) -> None:
    text = discovery_file.generate(tenant, cloud)
    servers = json.loads(text)["Servers"]
    assert len(servers) == 1
    assert servers[0]["Version"] == "mdm-byod"
    assert servers[0]["BaseURL"].endswith(f"?aadTenantId={tenant.lower()}")
    assert not text.endswith("\n")


# -- the guide's settings (names, domain, contact, link, output folder path) ---------------


@FUZZ
@given(
    organization=ANY_TEXT,
    sign_in_domain=st.one_of(ANY_TEXT, domain, broken_domain),
    support_contact=ANY_TEXT,
    link_url=st.one_of(ANY_TEXT, domain.map(lambda d: f"https://{d}/enroll")),
    output_dir=st.one_of(ANY_TEXT, st.just("guides/2026"), st.just("~/out")),
)
def test_guide_settings_never_raise_anything_but_problems_naming_a_session_key(
    organization: str, sign_in_domain: str, support_contact: str, link_url: str, output_dir: str
) -> None:
    raw = GuideSettings(
        organization=organization,
        sign_in_domain=sign_in_domain,
        support_contact=support_contact,
        link_url=link_url,
        output_dir=output_dir,
    )
    try:
        settings = raw.validated()
    except GuideSettingsError as error:
        assert error.problems
        for problem in error.problems:
            assert re.match(r"\[(guide|tenant|authenticator)\] [a-z_]+", problem.key)
            assert problem.message
            assert problem.fix
        return
    # Accepted: every line-like field is one line, the domain is a domain name.
    control = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
    for value in (settings.organization, settings.support_contact, settings.output_dir):
        assert not control.search(value)
    assert _domain_ok(settings.sign_in_domain.encode("idna").decode("ascii"))
