"""Policy regular expressions, run in linear time (contract module).

Stage: the check stage validates every `/…/` literal (`unsupported`, `compile_policy_regex`); the
interpreter compiles each once when it lowers a policy. Input: a pattern as written in a policy and
its flags (`i`, `m`, `s`, `x`). Output: a `PolicyRegex`, run by RE2 (google-re2), whose time is
linear in the length of the text whatever the pattern: a policy comes from a colleague or a pull
request, and `/(a+)+$/` must not hang on a buyer's message of 50,000 characters.

Authors write Python's dialect, and RE2 runs it but for the constructs that need backtracking:
backreferences, lookahead and lookbehind, atomic groups, possessive repeats, conditionals. Those
are compile errors (P506) with a help line. What a lookbehind or lookahead checked can be matched
instead, with the part to report in a group named `hit`: the evidence of a match is that group
(`/(?:^|\\W)(?P<hit>coupon)/` finds "coupon" as a whole word and reports only the word).

Where RE2 reads a construct more narrowly than Python, the pattern is translated so that it means
what it meant under Python's `re`: `\\d` is any decimal digit (Arabic-Indic too), `\\w` a letter or
digit of any script or `_`, `\\s` any Unicode white space, `\\Z` the end of the text; `\\u`, `\\U`,
`\\N{…}` and octal escapes name characters; `x` drops white space and comments. Two differences
remain (README): `\\b` and `\\B` are word boundaries between ASCII letters and digits only, and
`$` without `m` matches before a final line break by taking it into the match.

Match positions are offsets into the text as a Python str (characters, not UTF-8 bytes). Errors:
`unsupported` returns the problems; `compile_policy_regex` raises `Refused` for them and for
anything else RE2 refuses (a repeat over 1000, a program too large).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import re2

# Python's \s: white space as str.isspace() sees it.
_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_WORD = r"\p{L}\p{N}_"
_OUTSIDE = {"d": r"\p{Nd}", "D": r"\P{Nd}", "w": f"[{_WORD}]", "W": f"[^{_WORD}]", "s": f"[{_SPACE}]",
            "S": f"[^{_SPACE}]", "Z": r"\z"}
_INSIDE = {"d": r"\p{Nd}", "D": r"\P{Nd}", "w": _WORD, "s": _SPACE, "b": r"\x08"}
# The pieces of Python's syntax the walker reads, matched where it stands (never on a copy of the rest).
_REPEAT = re.compile(r"\{(\d*)(,?)(\d*)\}")
_OCTAL = re.compile(r"[0-7]{1,3}")
_GROUP_NUMBER = re.compile(r"\d{1,2}")
_PLAIN_GROUP = re.compile(r"\(\?(P<\w+>|:)")
_FLAG_GROUP = re.compile(r"\(\?([aiLmsux]*)(?:-([imsx]*))?([:)])")
_HELP_LOOKAROUND = ("RE2 runs in linear time and has no lookaround: match the text around what you want "
                    "and put the part to report in a group named `hit`, e.g. /(?:^|\\W)(?P<hit>coupon)/")


@dataclass(frozen=True)
class Unsupported:
    """A construct RE2 cannot run, at pattern[start:end]."""

    start: int
    end: int
    message: str
    help: str


@dataclass(frozen=True)
class Translation:
    pattern: str                                   # in RE2's syntax
    problems: tuple[Unsupported, ...] = ()


def _char(code: int) -> str:
    return f"\\x{{{code:x}}}"


class _Walker:
    """One pass over a pattern: copies it in RE2's syntax and notes what RE2 cannot run."""

    def __init__(self, pattern: str, verbose: bool, multiline: bool):
        self.p, self.verbose, self.multiline = pattern, verbose, multiline
        self.i, self.out, self.problems = 0, [], []
        self.after_repeat = False          # the last thing copied was a repeat (`*`, `+`, `?`, `{m,n}`)

    def problem(self, start: int, end: int, message: str, help: str) -> None:
        self.problems.append(Unsupported(start, end, message, help))

    def run(self) -> Translation:
        p = self.p
        while self.i < len(p):
            ch = p[self.i]
            repeat = False
            if ch == "\\":
                self.escape(_OUTSIDE)
            elif ch == "[":
                self.bracket()
            elif ch == "(":
                self.group()
            elif ch in "*+?":
                if self.after_repeat and ch == "+":
                    self.problem(self.i - 1, self.i + 1, "possessive repeat", _HELP_LOOKAROUND)
                self.out.append(ch)
                self.i += 1
                repeat = ch != "?" or not self.after_repeat       # `x+?` is lazy, then nothing may follow
            elif ch == "{" and (m := _REPEAT.match(p, self.i)) and (m.group(1) or m.group(3)):
                low = m.group(1) or "0"                             # Python reads {,n} as {0,n}
                self.out.append("{" + low + m.group(2) + m.group(3) + "}")
                self.i = m.end()
                repeat = True
            elif ch == "$":
                self.out.append("$" if self.multiline else r"(?:\n?\z)")
                self.i += 1
            elif ch in "{}":
                self.out.append("\\" + ch)     # not a repeat: a brace, which Python reads as itself
                self.i += 1
            elif self.verbose and ch in " \t\n\r\f\v":
                self.i += 1
                continue
            elif self.verbose and ch == "#":
                end = p.find("\n", self.i)
                self.i = len(p) if end < 0 else end + 1
                continue
            else:
                self.out.append(ch)
                self.i += 1
            self.after_repeat = repeat
        return Translation("".join(self.out), tuple(self.problems))

    def escape(self, table: dict[str, str]) -> None:
        p, start = self.p, self.i
        c = p[start + 1:start + 2]
        self.i = start + 2
        if c in table:
            self.out.append(table[c])
        elif c == "0" or (c and c in "1234567" and _OCTAL.fullmatch(p, start + 2, start + 4)):
            digits = _OCTAL.match(p, start + 1).group()                  # an octal escape
            self.out.append(_char(int(digits, 8)))
            self.i = start + 1 + len(digits)
        elif c.isdigit():
            number = _GROUP_NUMBER.match(p, start + 1).group()
            self.problem(start, start + 1 + len(number), f"backreference `\\{number}`",
                         "RE2 runs in linear time and cannot match the same text twice: repeat the pattern instead")
            self.i = start + 1 + len(number)
        elif c in "uU":
            width = 4 if c == "u" else 8
            self.out.append(_char(int(p[start + 2:start + 2 + width], 16)))
            self.i = start + 2 + width
        elif c == "N":
            close = p.index("}", start)
            self.out.append(_char(ord(unicodedata.lookup(p[start + 3:close]))))
            self.i = close + 1
        elif c == "x":
            digits = p[start + 2:start + 4]
            self.out.append(_char(int(digits, 16)))
            self.i = start + 4
        elif c.isascii() and not c.isalnum() and not c.isspace():
            self.out.append("\\" + c)         # escaped punctuation, as both dialects write it
        elif c.isalpha() and c.isascii():
            self.out.append("\\" + c)         # \n, \t, \A, \b, \B …: the same in both
        else:
            self.out.append(_char(ord(c)))    # any other character escaped: itself

    def bracket(self) -> None:
        p = self.p
        self.out.append("[")
        self.i += 1
        if p[self.i:self.i + 1] == "^":
            self.out.append("^")
            self.i += 1
        first = True
        while self.i < len(p):
            ch = p[self.i]
            if ch == "]" and not first:
                self.out.append("]")
                self.i += 1
                return
            if ch == "\\":
                c = p[self.i + 1:self.i + 2]
                if c in ("W", "S"):
                    self.problem(self.i, self.i + 2, f"`\\{c}` inside [...]",
                                 f"RE2 cannot take the complement of a class inside a set: write (?:[...]|\\{c})")
                    self.i += 2
                else:
                    self.escape(_INSIDE)
            elif ch == "[":
                self.out.append(r"\[")         # Python reads it as itself; RE2 as the start of [:alpha:]
                self.i += 1
            else:
                self.out.append(ch)
                self.i += 1
            first = False

    def group(self) -> None:
        p, start = self.p, self.i
        if not p.startswith("(?", start):
            self.out.append("(")
            self.i += 1
            return
        if p.startswith(("(?=", "(?!", "(?<=", "(?<!"), start):
            kind = {"(?=": "lookahead", "(?!": "negative lookahead"}.get(p[start:start + 3]) or \
                {"(?<=": "lookbehind", "(?<!": "negative lookbehind"}[p[start:start + 4]]
            self.problem(start, start + (4 if "<" in p[start + 2:start + 3] else 3), kind, _HELP_LOOKAROUND)
        elif p.startswith("(?P=", start):
            self.problem(start, p.find(")", start) + 1, "backreference to a named group",
                         "RE2 runs in linear time and cannot match the same text twice: repeat the pattern instead")
        elif p.startswith("(?(", start):
            self.problem(start, start + 3, "conditional group", "write the alternatives out with `|`")
        elif p.startswith("(?>", start):
            self.problem(start, start + 3, "atomic group", "RE2 never backtracks: write the group as (?:...)")
        elif p.startswith("(?#", start):
            close = p.find(")", start)
            self.i = close + 1               # a comment: RE2 has none
            return
        elif (m := _PLAIN_GROUP.match(p, start)):
            self.out.append(m.group())         # a named or a non-capturing group: the same in both
            self.i = m.end()
            return
        elif (m := _FLAG_GROUP.match(p, start)):
            on, off, scoped = m.group(1), m.group(2) or "", m.group(3) == ":"
            if "a" in on or "L" in on:
                self.problem(start, m.end(), "ASCII or locale flag",
                             "policy patterns read Unicode text: leave the flag out")
            if "x" in on + off:
                self.problem(start, m.end(), "inline `x` flag",
                             "write the x flag after the closing `/`: /pattern/x")
            if "m" in on and not scoped:
                self.multiline = True
            kept = "".join(f for f in on if f in "ims")
            off = "".join(f for f in off if f in "ims")
            if scoped:
                self.out.append(f"(?{kept}{'-' + off if off else ''}:")
            elif kept:
                self.out.append(f"(?{kept})")
            self.i = m.end()
            return
        self.out.append("(")
        self.i += 1


def translate(pattern: str, flags: str = "") -> Translation:
    """The pattern in RE2's syntax, with its flags inline, and the constructs RE2 cannot run.
    The pattern must already compile under Python's `re` (the check stage tries that first)."""
    done = _Walker(pattern, "x" in flags, "m" in flags).run()
    inline = "".join(f for f in flags if f in "ims")
    return Translation((f"(?{inline})" if inline else "") + done.pattern, done.problems)


def unsupported(pattern: str, flags: str = "") -> tuple[Unsupported, ...]:
    return translate(pattern, flags).problems


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False            # errors are reported as diagnostics, not on standard error
    return options


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, eq=False)
class PolicyRegex:
    """A policy's pattern, compiled for RE2: `finditer` and `search` as `re` has them, positions
    in characters. `pattern` is the pattern as the policy writes it (reports show it)."""

    pattern: str
    flags: str
    compiled: object = field(repr=False)
    hit: int | None = field(repr=False)         # the group whose span is a match's evidence

    def finditer(self, text: str):
        return self.compiled.finditer(_encodable(text))

    def search(self, text: str):
        return self.compiled.search(_encodable(text))

    def span(self, match) -> tuple[int, int]:
        """Where a match's evidence is: its `hit` group when the pattern has one and it took part."""
        if self.hit is not None:
            start, end = match.span(self.hit)
            if start >= 0:
                return start, end
        return match.span()


def _encodable(text: str) -> str:
    """`text`, with each lone surrogate (a JSON `\\ud800`) as U+FFFD: RE2 reads UTF-8, which cannot
    hold one, and one character for one keeps every offset."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)


class Refused(ValueError):
    """RE2 cannot run a pattern: the message says why."""


def compile_policy_regex(pattern: str, flags: str = "") -> PolicyRegex:
    """The RE2 program of a policy's pattern; `Refused` for a construct of `unsupported` or for
    anything else RE2 refuses (a repeat over 1000, a program over its memory bound)."""
    done = translate(pattern, flags)
    if done.problems:
        first = done.problems[0]
        raise Refused(f"{first.message} at position {first.start}")
    try:
        compiled = re2.compile(done.pattern, _options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        raise Refused(reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)) from None
    return PolicyRegex(pattern, flags, compiled, compiled.groupindex.get("hit"))
