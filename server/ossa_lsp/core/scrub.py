"""The one scrubber every message passes before a front door shows it, and what counts as a secret.

Masking is a property of the output, not of a rule: a schema message may quote a pasted key whatever
rules run (`--select`, `--ignore`) and whatever else is broken in the document, so `analyze` scrubs
every finding (message, related messages, fix titles) with the secrets of its document, and reporters
scrub again by pattern. SEC001/SEC002 use the same recognisers, so the rules and the scrubber agree.

Scrubbing also shows invisible characters (`visible`): a message is one printable line in every door.
Every pattern here runs on user text and is linear-time (tests/unit/test_linear_patterns.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ossa_lsp.core.findings import Finding
    from ossa_lsp.core.text.source import Node

# --- visible characters --------------------------------------------------------------------------

# C0, DEL, C1 (with NEL), soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width and
# bidi marks, line/paragraph separators, bidi embeddings/overrides/isolates (Trojan Source), invisible
# operators, BOM, interlinear annotations, the noncharacters XML forbids, surrogates, tag characters
# ("ASCII smuggling"). One character class: a linear scan.
INVISIBLE_CLASS = (
    "\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
    "\ufffe\uffff\ud800-\udfff\U000e0000-\U000e007f"
)
_INVISIBLE = re.compile(f"[{INVISIBLE_CLASS}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_char(c: str) -> str:
    """One invisible character as a visible escape; a surrogateescape'd byte as the byte (`\\x80`)."""
    named = _NAMED.get(c)
    if named is not None:
        return named
    o = ord(c)
    if 0xDC80 <= o <= 0xDCFF:  # os.fsdecode's stand-in for a byte that was not UTF-8
        return f"\\x{o - 0xDC00:02x}"
    if o <= 0xFF:
        return f"\\x{o:02x}"
    if o <= 0xFFFF:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


_ESCAPED: dict[str, str] = {}


def _escape_match(m: re.Match[str]) -> str:
    c = m.group()
    hit = _ESCAPED.get(c)
    if hit is None:
        hit = _ESCAPED[c] = escape_char(c)
    return hit


def visible(value: str) -> str:
    """`value` as one printable line: control, format, line-separator and bidi characters escaped.
    Idempotent; safe on a terminal, in a CI log and in XML 1.0."""
    if _INVISIBLE.search(value) is None:
        return value
    return _INVISIBLE.sub(_escape_match, value)


# --- what a secret looks like --------------------------------------------------------------------

_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_WORD_DASH = _WORD | {"-"}

# (kind, literal prefixes, pattern, characters that may not precede it). Each prefix is found with
# `str.find` and the pattern tried there only; after a match the search goes on from its end. The
# "may not precede" set keeps a match from starting inside a run it could have started earlier in, so
# every run of text is scanned from one start only and the scan stays linear (with every `eyJ` a start,
# `eyJ-eyJ-eyJ-…` was quadratic).
_SECRET_PATTERNS: list[tuple[str, tuple[str, ...], str, frozenset[str]]] = [
    ("an Anthropic API key", ("sk-",), r"sk-ant-[A-Za-z0-9_\-]{20,}", _WORD),
    ("an OpenAI API key", ("sk-",), r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}", _WORD),
    ("an AWS access key id", ("AKIA", "ASIA"), r"(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Za-z])", _WORD),
    ("a GitHub token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
     r"(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,}", _WORD),
    ("a Slack token", ("xox",), r"xox[abposr]-[A-Za-z0-9\-]{10,}", _WORD),
    ("a Google API key", ("AIza",), r"AIza[0-9A-Za-z_\-]{35}", _WORD),
    # The whole PEM block when it is there: a quote cut short must not show the key's first lines.
    ("a private key", ("-----BEGIN ",), r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[A-Za-z0-9+/=\s\\]*"
                                        r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----)?", _WORD),
    ("a JSON Web Token", ("eyJ",), r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}", _WORD_DASH),
]
_COMPILED = [re.compile(p) for _k, _x, p, _b in _SECRET_PATTERNS]
URL_PASSWORD = "a password in a URL"  # found by `_url_passwords`, not by a regex (see there)
SECRET_KINDS = [k for k, _x, _p, _b in _SECRET_PATTERNS] + [URL_PASSWORD]
_REGEX_MARKERS = ("sk-", "AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "AIza",
                  "-----BEGIN ", "eyJ")
# Every secret contains one of these; `in` is far cheaper than a scan.
MARKERS = (*_REGEX_MARKERS, "://")
_GENERIC = {0, 1}  # sk- keys: also words like 'sk-assessment-framework', so they must look random

# How a credential is meant to be written: a reference the runtime resolves, never the secret itself.
REFERENCE = re.compile(
    r"""\A(?:
        [A-Z][A-Z0-9_]*                                   # API_KEY_SECRET: a secret or environment variable name
      | \$\{[^}]+\} | \$[A-Za-z_][A-Za-z0-9_]*            # ${VAR}, $VAR
      | \{\{.*\}\}                                        # a template placeholder
      | (?:secrets?|vault|env|file|k8s|kubernetes|secretref|ssm|arn|sops|op|awssm|aws-secretsmanager|gcpsm
          |gcp-secretmanager|azurekv|azure-keyvault|keyvault):\S+   # secret://name, vault:path, env:NAME, ...
      | (?:secrets?|vault|kv)/[\w./-]+                    # secret/ticket-api-token: a path in a secret store
    )\Z""", re.X)
# Keys that name a credential, and endings that make such a key name something else (tokenPath, secretRef).
# Plain substring tests on the lowercased key: C speed on any length.
_CRED_WORDS = ("secret", "token", "passw", "pwd", "apikey", "api-key", "api_key", "credential", "privatekey",
               "private-key", "private_key", "accesskey", "access-key", "access_key", "bearer")
_NOT_CRED_ENDINGS = ("path", "file", "ref", "name", "env", "id", "url", "uri", "endpoint", "type", "scope",
                     "scopes", "header", "limit", "ttl")
_SCHEME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-")
_AUTHORITY_END = re.compile(r"[/\s]")


class Hit(NamedTuple):
    kind: str
    secret: str  # the part to mask (for a URL, the password)
    start: int  # of `secret` in the scanned text
    end: int


def has_marker(text: str) -> bool:
    return any(m in text for m in MARKERS)


def has_template(text: str) -> bool:
    return "${" in text or "{{" in text or text.startswith("$")


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def looks_random(text: str) -> bool:
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text) and entropy(text) >= 3.0


def _url_passwords(text: str) -> Iterator[Hit]:
    """`scheme://user:password@host`: from each `://`, the scheme is read backwards and the userinfo
    forwards up to the first `/` or space. Each stretch of text is read at most twice, so this is
    linear where the regex `[a-z][a-z0-9+.-]*://…` was quadratic on `a.a.a.…` (every `a` a start)."""
    at = text.find("://")
    while at >= 0:
        begin = at
        while begin > 0 and text[begin - 1] in _SCHEME_CHARS:
            begin -= 1
        while begin < at and not text[begin].isalpha():  # a scheme starts with a letter
            begin += 1
        m = _AUTHORITY_END.search(text, at + 3)
        end = m.start() if m is not None else len(text)
        authority = text[at + 3:end]
        userinfo, sep, _host = authority.partition("@")
        user, colon, password = userinfo.partition(":")
        if begin < at and sep and colon and user and password and not (REFERENCE.match(password)
                                                                       or has_template(password)):
            start = at + 3 + len(user) + 1
            yield Hit(URL_PASSWORD, password, start, start + len(password))
        at = text.find("://", end if end > at + 3 else at + 3)


def find_secrets(text: str) -> Iterator[Hit]:
    """Every recognisable secret in `text`, in order of kind then position."""
    yield from _pattern_secrets(text)
    if "://" in text:
        yield from _url_passwords(text)


def _pattern_secrets(text: str) -> Iterator[Hit]:
    taken: set[int] = set()  # an Anthropic key is not an OpenAI key as well
    for i, (kind, prefixes, _p, before) in enumerate(_SECRET_PATTERNS):
        pattern = _COMPILED[i]
        for prefix in prefixes:
            at = text.find(prefix)
            while at >= 0:
                nxt = at + 1
                if (at == 0 or text[at - 1] not in before) and at not in taken:
                    m = pattern.match(text, at)
                    if m is not None:
                        nxt = m.end()
                        secret = m.group()
                        if i not in _GENERIC or looks_random(secret[3:]):
                            taken.add(at)
                            yield Hit(kind, secret, at, nxt)
                at = text.find(prefix, nxt)


@lru_cache(maxsize=4096)  # keys repeat across documents
def is_credential_key(key: str) -> bool:
    low = key.lower()
    return any(w in low for w in _CRED_WORDS) and not low.endswith(_NOT_CRED_ENDINGS)


def is_plain_credential(value: str) -> bool:
    """A value under a credential key that is not a reference, template, path or URL: the secret itself."""
    v = value.strip()
    return (len(v) >= 8 and not any(c.isspace() for c in v) and REFERENCE.match(v) is None
            and not has_template(v) and not v.startswith(("/", "./", "~", "../")) and "://" not in v)


def very_random(value: str) -> bool:
    """Random enough to be a key wherever it is (SEC002's bar outside credential keys)."""
    return (len(value) >= 32 and " " not in value and not any(c.isspace() for c in value)
            and any(c.isdigit() for c in value)
            and any(c.islower() for c in value) and any(c.isupper() for c in value) and entropy(value) >= 4.5)


def mask(secret: str) -> str:
    """A secret as it may appear in output: at most 4 leading characters and the length, never the tail."""
    shown = min(4, max(0, len(secret) // 4))
    return f"{secret[:shown]}…({len(secret)} chars)"


# --- the scrubber --------------------------------------------------------------------------------


def _is_secret_value(value: str, under_credential_key: bool) -> bool:
    return (under_credential_key and is_plain_credential(value)) or (len(value) >= 32 and very_random(value))


def tree_secrets(roots: Iterable[Node | None]) -> list[str]:
    """Values under credential keys or random enough to be keys, whatever rules are enabled; and
    recognisable secrets written with escapes (only whole once decoded)."""
    from ossa_lsp.core.text.source import MAP, SCALAR, SEQ, key_text

    found: list[str] = []
    for root in roots:
        stack: list[tuple[bool, Node]] = [(False, root)] if root is not None else []
        while stack:
            under_cred, node = stack.pop()
            kind = node.kind
            if kind == SCALAR:  # aliases are skipped: the anchored value is scrubbed where it is defined
                value = node.value
                if isinstance(value, str) and len(value) >= 8:
                    if _is_secret_value(value, under_cred):
                        found.append(value.strip())
                    elif has_marker(value):
                        found.extend(h.secret for h in find_secrets(value))
            elif kind == MAP:
                for k, v in node.items:
                    stack.append((is_credential_key(k.value if isinstance(k.value, str) else key_text(k)), v))
            elif kind == SEQ:
                stack.extend((under_cred, v) for v in node.items)
    return found


def string_secrets(strings: Iterable[tuple[Any, Node]]) -> list[str]:
    """As `tree_secrets`, from the (trail, node) list of every text value that the rules already built
    (core/rules/context.py): no second walk of the tree."""
    found: list[str] = []
    for trail, node in strings:
        value = node.value
        if len(value) < 8:
            continue
        key, t = "", trail
        while t is not None:  # the nearest mapping key (list items inherit their list's key)
            t, part = t
            if isinstance(part, str):
                key = part
                break
        if _is_secret_value(value, is_credential_key(key)):
            found.append(value.strip())
        elif has_marker(value):
            found.extend(h.secret for h in find_secrets(value))
    return found


class Scrubber:
    """Masks the given secrets (also the prefix of one a shortened quote shows) and any recognisable
    secret, and shows invisible characters."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def __call__(self, message: str) -> str:
        return visible(self.mask(message))

    def mask(self, text: str) -> str:
        """`text` with the secrets masked; other characters untouched (for markdown, which has lines)."""
        for s in self.secrets:
            text = _mask_known(text, s)
        for hit in sorted(find_secrets(text), key=lambda h: h.start, reverse=True):
            if text[hit.start:hit.end] == hit.secret:  # an earlier replacement may have moved it
                text = text[:hit.start] + mask(hit.secret) + text[hit.end:]
        return text

    def finding(self, f: Finding) -> None:
        f.message = self(f.message)
        if f.related:
            f.related = tuple(replace(r, message=self(r.message)) for r in f.related)
        if f.fixes:
            f.fixes = tuple(replace(x, title=self(x.title)) for x in f.fixes)


def _mask_known(message: str, secret: str) -> str:
    """Mask `secret` wherever the message quotes it whole or cut short (at least its first 8 characters).
    One pass that copies each stretch once (replacing in place was quadratic in the number of quotes)."""
    head = secret[:8]
    at = message.find(head)
    if at < 0:
        return message
    out: list[str] = []
    done = 0
    shown = mask(secret)
    while at >= 0:
        n = 8
        while n < len(secret) and at + n < len(message) and message[at + n] == secret[n]:
            n += 1
        out += (message[done:at], shown)
        done = at + n
        at = message.find(head, done)
    out.append(message[done:])
    return "".join(out)


PATTERNS = Scrubber()  # for text with no document behind it (config files, errors): recognisable secrets


def scrub(message: str) -> str:
    """A message with recognisable secrets masked and invisible characters shown."""
    return PATTERNS(message)


def mask_secrets(text: str) -> str:
    """Recognisable secrets masked, nothing else changed (hover markdown)."""
    return PATTERNS.mask(text)


def scrub_findings(findings: Iterable[Finding], secrets: Iterable[str] = (), text: str | None = None) -> None:
    """Scrub every message of `findings` with the given secrets; with the file's `text`, also the
    recognisable secrets written anywhere in it (when a message might quote one: it has a marker)."""
    found = list(findings)
    known = list(secrets)
    if text is not None and any(has_marker(f.message) or any(has_marker(r.message) for r in f.related)
                                for f in found):
        known.extend(h.secret for h in find_secrets(text))
    clean = Scrubber(known)
    for f in found:
        clean.finding(f)
