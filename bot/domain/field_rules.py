"""Rules on typed values shared by the form and its validation: addresses, links, phone
examples, and regular expressions put into words for hints and error messages. Pure."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import phonenumbers

DEFAULT_PHONE_EXAMPLE = "+385 91 123 4567"


def example_phone_number(country: str | None) -> str:
    """A mobile number of the country in international format, for placeholders and errors."""
    example = phonenumbers.example_number_for_type((country or "").upper(), phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return DEFAULT_PHONE_EXAMPLE
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}"
)


def is_valid_email(text: str) -> bool:
    """A plain address (name@example.com): what Infobip's reviewers can write to."""
    return len(text) <= 254 and _EMAIL.fullmatch(text) is not None


def is_valid_url(text: str) -> bool:
    """An http(s) address with a host name, as a browser would open it."""
    if not text or any(char.isspace() for char in text):
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and ("." in host.strip(".") or host == "localhost")


# Pattern descriptions: "^[A-Z]{2}[0-9]{8,12}$" → "2 capital letters followed by 8 to 12 digits".
_CLASS_NOUNS = {
    "A-Z": ("capital letter", "capital letters"),
    "a-z": ("lowercase letter", "lowercase letters"),
    "0-9": ("digit", "digits"),
}
_PATTERN_ATOM = re.compile(
    r"\[(?P<cls>[^\]^\\]+)\]"  # a character class, not negated
    r"|\\(?P<esc>[dDwWsS.\-+*?()\[\]{}|^$/\\])"  # \d or an escaped character
    r"|(?P<lit>[^\\\[\](){}|*+?.^$])"  # a plain character
)
_PATTERN_COUNT = re.compile(r"\{(\d+)(,(\d*))?\}\??|[+*?]\??")


def _class_parts(body: str) -> list[tuple[str, str]] | None:
    parts: list[tuple[str, str]] = []
    rest = body
    for name, nouns in _CLASS_NOUNS.items():
        if name in rest:
            parts.append(nouns)
            rest = rest.replace(name, "", 1)
    if "-" in rest.strip("-"):
        return None  # another range, e.g. A-F: too specific to put in words
    parts += [(f"“{char}”", f"“{char}”") for char in dict.fromkeys(rest)]
    if {"capital letters", "lowercase letters"} <= {plural for _, plural in parts}:
        parts = [("letter", "letters")] + [p for p in parts if p[1] not in ("capital letters", "lowercase letters")]
    return parts or None


def _count_phrase(token: str | None) -> tuple[str, bool]:
    """("2", plural?) for a quantifier; no quantifier means exactly one."""
    if not token:
        return "1", False
    token = token.rstrip("?") if len(token) > 1 else token
    simple = {"+": ("one or more", True), "*": ("any number of", True), "?": ("an optional", False)}
    if token in simple:
        return simple[token]
    low, _, high = token.strip("{}").partition(",")
    if not _:
        return low, low != "1"
    if not high:
        return f"at least {low}", True
    return (f"{low} to {high}" if low != "0" else f"up to {high}"), True


def describe_pattern(pattern: str) -> str | None:
    """Words for a simple regular expression, or None when it is too complex to describe."""
    body = pattern.removeprefix("^").removesuffix("$")
    atoms: list[tuple[list[tuple[str, str]], str | None]] = []
    position = 0
    while position < len(body):
        atom = _PATTERN_ATOM.match(body, position)
        if atom is None:
            return None
        if atom["cls"]:
            parts = _class_parts(atom["cls"])
        elif atom["esc"]:
            parts = (
                [("digit", "digits")]
                if atom["esc"] == "d"
                else ([(f"“{atom['esc']}”",) * 2] if atom["esc"] not in "DwWsS" else None)
            )
        else:
            parts = [(f"“{atom['lit']}”",) * 2]
        if parts is None:
            return None
        count = _PATTERN_COUNT.match(body, atom.end())
        position = count.end() if count else atom.end()
        atoms.append((parts, count.group(0) if count else None))
    return _atoms_in_words(atoms) if atoms else None


def _atoms_in_words(atoms: list[tuple[list[tuple[str, str]], str | None]]) -> str:
    words: list[str] = []
    literal = ""
    for parts, count in atoms:
        is_literal = len(parts) == 1 and parts[0][0].startswith("“") and count is None
        if is_literal:
            literal += parts[0][0][1:-1]
            continue
        if literal:
            words.append(f"“{literal}”")
            literal = ""
        amount, plural = _count_phrase(count)
        nouns = [plural_form if plural else singular for singular, plural_form in parts]
        noun = nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " or " + nouns[-1]
        words.append(f"{amount} {noun}")
    if literal:
        words.append(f"“{literal}”")
    return " followed by ".join(words)
