"""What every real message's facts satisfy beyond their schema: the relations a witness must keep.

Stage: part of the diff's witness search (dsl.analysis.witness). Input: the encoder and the keys a
goal uses (`relations`, `refine`), or a finished facts record (`broken`). Output: z3 constraints
over those keys' variables; the relations a record breaks. Errors: none.

The facts schema types each fact on its own; a message's facts are also bound to each other by
what they describe, and by the normaliser (interpreter.facts) reading some from others. A witness
that breaks one of these relations (an order delivered before it was bought, a link whose host is
not the one its address names) could never be a real message, so the search keeps to them, and a
difference found only outside them is no difference:

- an order is bought, then completed (shipped or fulfilled), then delivered; and every order date
  the sender knows is on or before the day the message is sent;
- a status says how far the order got: a pending or unshipped order has no completion or
  delivery date; a shipped, partially shipped, cancelled or unfulfillable one no delivery date;
- spelling that was not checked has no counts; 0 ≤ unknown ≤ words; unknown_percent is
  100·unknown/words rounded to hundredths (0 for no words); samples are at most ten different
  words, no more than `unknown` and at least one when there is an unknown word;
- a link's scheme and host are what its url says (lower case; no host for mailto and tel, or for
  an address without one), and it is Amazon's exactly when its host is listed in
  policies/amazon-hosts.json or is under one; an HTML anchor has anchor text, a bare URL none;
  anchor text that shows an address explains the link, anchor text without a word does not;
- an image's scheme is what its src says; it links outside Amazon exactly when it has a link
  host that is not Amazon's; an image not given as data: is animated exactly when its src ends
  in .gif and it is no tracking pixel; one whose file name or alt text says logo is a logo;
- an HTML anchor or an image makes the message HTML.

Each relation binds only facts the witness names: an unknown date is unknown, not out of order.
Relations that depend on a policy's words (which anchor text is vague, which addresses opt out)
or on where things stand in the text (spans) are not kept.

They are kept in three ways. `relations` gives the solver those that are linear over the facts a
goal reads. `refine` adds the share of unknown words, one count of words at a time: over two
counts it is a product, which the solver cannot take (see there). The facts a message derives
from the ones the model chose (an address from a scheme and host, a src from a scheme) are filled
in when the witness is built (dsl.analysis.witness), and `broken` checks the finished record.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from fractions import Fraction
from urllib.parse import urlsplit

import z3

from dsl.analysis.domains import FRESH
from dsl.analysis.solve import Encoder
from dsl.contract.resources import policies_dir
from dsl.contract.schema import load_schema

# (earlier, later): when both dates are known, the first is on or before the second.
DATE_ORDER: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("order", "purchased_at"), ("order", "completed_at")),
    (("order", "completed_at"), ("order", "delivered_at")),
    (("order", "purchased_at"), ("order", "delivered_at")),
    (("order", "purchased_at"), ("message", "sent_at")),
    (("order", "completed_at"), ("message", "sent_at")),
    (("order", "delivered_at"), ("message", "sent_at")),
)
_SHARES = 2_000                       # see refine
MAX_SAMPLES = 10                      # spelling.samples lists at most this many unknown words
# order.status -> the order dates it cannot have.
STATUS_WITHOUT: dict[str, tuple[str, ...]] = {
    "pending": ("completed_at", "delivered_at"),
    "unshipped": ("completed_at", "delivered_at"),
    "partially_shipped": ("delivered_at",),
    "shipped": ("delivered_at",),
    "cancelled": ("delivered_at",),
    "unfulfillable": ("delivered_at",),
}


def _known(enc: Encoder, path: tuple[str, ...]) -> z3.BoolRef:
    """The fact is there: its presence flag, or true for a fact that is always there."""
    flag = enc.vars.get(("present", "f") + path)
    return flag.expr if flag is not None else z3.BoolVal(True)


def relations(enc: Encoder, used) -> list[z3.BoolRef]:
    """The relations above, over the variables of the keys in `used`."""
    used = set(used)
    out = []
    for earlier, later in DATE_ORDER:
        a, b = ("val", ("f",) + earlier), ("val", ("f",) + later)
        if a in used and b in used:
            out.append(z3.Implies(z3.And(_known(enc, earlier), _known(enc, later)),
                                  enc.vars[a].expr <= enc.vars[b].expr))
    status = ("val", ("f", "order", "status"))
    if status in used:
        domain = enc.domain(enc.vars[status].info)
        for value, dates in STATUS_WITHOUT.items():
            if value not in domain:
                continue
            for date in dates:
                if ("present", "f", "order", date) in used:
                    out.append(z3.Implies(z3.And(_known(enc, ("order", "status")),
                                                 enc.vars[status].expr == domain.index(value)),
                                          z3.Not(_known(enc, ("order", date)))))
    for more in (_spelling, _links, _images, _styling, _html):
        out += more(enc, used)
    return out


SPELLING = ("f", "message", "spelling")
STYLING = ("f", "message", "styling")
LINKS = ("f", "message", "links")
IMAGES = ("f", "message", "images")
_NO_HOST_SCHEMES = ("mailto", "tel")


def _there(enc: Encoder, head: tuple, path: tuple[str, ...]) -> z3.BoolRef:
    """Every prefix of the path that may be absent is present (a fact under an absent object is absent)."""
    flags = [enc.vars[k].expr for i in range(len(path)) if (k := ("present",) + head + path[:i + 1]) in enc.vars]
    return z3.And(flags) if flags else z3.BoolVal(True)


def _spelling(enc: Encoder, used: set) -> list[z3.BoolRef]:
    def val(name):
        k = ("val", SPELLING + (name,))
        return enc.vars[k].expr if k in used else None

    def there(*names):
        return z3.And([_there(enc, ("f",), ("message", "spelling", n)) for n in names])

    out = []
    checked, words, unknown, share = val("checked"), val("words"), val("unknown"), val("unknown_percent")
    samples = ("len", SPELLING + ("samples",))
    if checked is not None:
        for name in ("words", "unknown", "unknown_percent", "samples"):
            if ("present",) + SPELLING + (name,) in used:
                out.append(z3.Implies(z3.And(there("checked"), z3.Not(checked)), z3.Not(there(name))))
    if words is not None and unknown is not None:
        out.append(z3.Implies(there("words", "unknown"), z3.And(unknown >= 0, unknown <= words)))
    if share is not None:
        out.append(z3.Implies(there("unknown_percent"), z3.And(share >= 0, share <= 100)))
    if share is not None and words is not None:
        out.append(z3.Implies(z3.And(there("words", "unknown_percent"), words == 0), share == 0))
    if share is not None and unknown is not None:
        out.append(z3.Implies(z3.And(there("unknown_percent", "unknown"), unknown == 0), share == 0))
    if samples in used:
        n = enc.vars[samples].expr
        out.append(n <= MAX_SAMPLES)
        if unknown is not None:
            out.append(z3.Implies(there("unknown", "samples"),
                                  z3.And(n <= unknown, z3.Implies(unknown >= 1, n >= 1))))
    return out


def refine(enc: Encoder, used, model: z3.ModelRef) -> z3.BoolRef | None:
    """When the model's spelling counts are no real message's, a constraint that keeps the search
    to real ones near them; None when they are. `unknown_percent` is a rounded quotient of two
    counts: over variables that is a product, which makes the solver's arithmetic nonlinear (slow,
    and often without an answer), and even its being a whole number of hundredths stalls the
    solver. With one side fixed at the model's value it is linear: for the count of words chosen,
    one of its few shares; for the share chosen, a count of words it is an exact share of. So the
    search learns the relation for the values it tries. Added after the solver has said a
    difference exists, it need not be complete, only real."""
    keys = {name: ("val", SPELLING + (name,)) for name in ("words", "unknown", "unknown_percent")}
    got = {}
    for name, k in keys.items():
        if k in used and _chosen(enc, model, name):
            value = model.eval(enc.vars[k].expr, model_completion=True)
            got[name] = Fraction(value.as_fraction()) if z3.is_rational_value(value) else Fraction(value.as_long())
    share, words, unknown = got.get("unknown_percent"), got.get("words"), got.get("unknown")
    if share is None or (words is None and unknown is None) or _share_fits(
            float(share), *(int(v) if v is not None else None for v in (words, unknown))):
        return None
    there = z3.And([_there(enc, ("f",), ("message", "spelling", n)) for n in got])
    p = enc.vars[keys["unknown_percent"]].expr
    w = enc.vars[keys["words"]].expr if words is not None else None
    u = enc.vars[keys["unknown"]].expr if unknown is not None else None
    if (share * 100).denominator != 1:
        return z3.Implies(there, p != _real(share))          # the normaliser rounds to hundredths
    out = []
    if words is not None:
        n_words = int(words)
        counts = (range(n_words + 1) if n_words <= _SHARES
                  else _near(float(share) * n_words / 100, 0, n_words, _SHARES // 2))
        shares = [z3.And(p == percent(n, n_words), *([u == n] if u is not None else [])) for n in counts]
        out.append(z3.Implies(w == n_words, z3.Or(shares)))
    # the share is exact for a whole multiple of the denominator of share/100 words
    step = (share / 100).denominator
    k = z3.Int(f"spelling_words_per_{step}_{len(enc.vars)}")
    count = w if w is not None else z3.Real(f"spelling_words_for_{step}_{len(enc.vars)}")
    exact = [k >= 0, count == step * z3.ToReal(k)] + ([100 * u == _real(share) * count] if u is not None else [])
    out.append(z3.Implies(p == _real(share), z3.And(exact)))
    return z3.Implies(there, z3.And(out))


def _real(value: Fraction) -> z3.ArithRef:
    return z3.RealVal(f"{value.numerator}/{value.denominator}")


def _chosen(enc: Encoder, model: z3.ModelRef, name: str) -> bool:
    return z3.is_true(model.eval(_there(enc, ("f",), ("message", "spelling", name)), model_completion=True))


def _share_fits(share, words: int | None, unknown: int | None) -> bool:
    """Some real message has these spelling counts (None: not known)."""
    if words is not None and unknown is not None:
        return 0 <= unknown <= words and percent(unknown, words) == share
    if words is not None:
        return unknown_for(share, words) is not None
    return share == 0 or words_for(share, unknown) is not None


def unknown_for(share, words: int) -> int | None:
    """A count of unknown words that is `share` percent of `words` words, as the normaliser rounds it."""
    return next((u for u in _near(share * words / 100, 0, words) if percent(u, words) == share), None)


def words_for(share, unknown: int) -> int | None:
    """A count of words of which `unknown` are `share` percent (None for a share of 0: any count
    of enough words)."""
    if not 0 < share <= 100:
        return None
    counts = _near(100 * unknown / share, max(unknown, 1), None)
    return next((w for w in counts if percent(unknown, w) == share), None)


def _near(x: float, low: int, high: int | None, by: int = 2) -> range:
    """Whole numbers around x (within low..high), where a rounded quotient finds its count."""
    start = max(low, int(x) - by)
    return range(start, (int(x) + by + 1) if high is None else min(high, int(x) + by) + 1)


def _item_keys(enc: Encoder, used: set, coll: tuple):
    """Per item of a list the goal enumerates: (item, whether it is in the list, its field's value or None)."""
    length = ("len", coll)
    if length not in used:
        return
    for i in range(enc.bounds.max_items):
        item = ("e", coll, i)

        def val(*path, item=item):
            k = ("val", ("i", item) + path)
            return enc.vars[k] if k in used else None

        yield item, enc.vars[length].expr > i, val


def _is(enc: Encoder, var, values) -> z3.BoolRef:
    domain = enc.domain(var.info)
    return z3.Or([var.expr == domain.index(v) for v in values if v in domain] or [z3.BoolVal(False)])


def is_fresh(value: str) -> bool:
    """A value the solver adds to a string's domain: it stands for any string not listed."""
    return _FRESH.fullmatch(value) is not None


def _listed(enc: Encoder, var) -> list[str]:
    """The values a string is compared with (the fresh ones stand for any other string)."""
    return [v for v in enc.domain(var.info) if not is_fresh(v)]


def _links(enc: Encoder, used: set) -> list[z3.BoolRef]:
    """A link's facts that are its address's, as far as the solver's string domains tell them:
    mailto and tel have no host, so no Amazon one; a listed host is Amazon's or not."""
    out = []
    for item, active, val in _item_keys(enc, used, LINKS):
        scheme, amazon, host = val("scheme"), val("is_amazon"), val("host")
        host_of = enc.vars.get(("val", ("c", "host_of", ("i", item, "url"))))
        host_of = host_of if host_of is not None and host_of.key in used else None
        no_host = _is(enc, scheme, _NO_HOST_SCHEMES) if scheme is not None else z3.BoolVal(False)
        if amazon is not None:
            if scheme is not None:
                out.append(z3.Implies(z3.And(active, no_host), z3.Not(amazon.expr)))
            # a listed host is Amazon's or not (host_of drops a leading www., which does not change
            # that); a fresh one may be either, and the witness is built to fit
            for var in (host, host_of):
                for value in (_listed(enc, var) if var is not None else ()):
                    out.append(z3.Implies(z3.And(active, z3.Not(no_host), _is(enc, var, [value])),
                                          amazon.expr == (bool(value) and is_amazon_host(value))))
        if host is not None and scheme is not None:
            out.append(z3.Implies(z3.And(active, no_host),
                                  z3.Not(_is(enc, host, [v for v in _listed(enc, host) if v]))))
        source, anchor = val("source"), ("present", "i", item, "anchor_text")
        if source is not None and anchor in used:
            out.append(z3.Implies(active, enc.vars[anchor].expr == _is(enc, source, ["html"])))
    return out


def _images(enc: Encoder, used: set) -> list[z3.BoolRef]:
    """An animated tracking pixel is a data: GIF (the rest of an image's facts are built from its src)."""
    out = []
    for item, active, val in _item_keys(enc, used, IMAGES):
        scheme, animated, pixel = val("scheme"), val("animated"), val("tracking_pixel")
        if scheme is not None and animated is not None and pixel is not None:
            # a hidden image's address is not presumed animated for ending in .gif: only a data:
            # GIF's frames are counted
            out.append(z3.Implies(z3.And(active, animated.expr, pixel.expr), _is(enc, scheme, ["data"])))
    return out


def _styling(enc: Encoder, used: set) -> list[z3.BoolRef]:
    """At least one font size; the widest image's width is that of the widest image with one."""
    out = []
    sizes, widest = ("val", STYLING + ("font_sizes",)), ("val", STYLING + ("max_image_width_percent",))
    if sizes in used:
        out.append(enc.vars[sizes].expr >= 1)             # 1 when the text sets no size
    if widest not in used:
        return out
    m = enc.vars[widest].expr
    out.append(m >= 0)
    if ("len", IMAGES) not in used:
        return out                                         # the witness gets an image that wide
    out.append(z3.Implies(enc.vars[("len", IMAGES)].expr == 0, m == 0))
    widths = []
    for item, active, val in _item_keys(enc, used, IMAGES):
        width, flag = val("width_percent"), enc.vars.get(("present", "i", item, "width_percent"))
        if width is None or flag is None or flag.key not in used:
            return out                                     # an image of unread width is built that wide
        sized = z3.And(active, flag.expr)
        out.append(z3.Implies(sized, width.expr <= m))
        widths.append(z3.And(sized, width.expr == m))
    out.append(z3.Or([m == 0] + widths))
    return out


def _html(enc: Encoder, used: set) -> list[z3.BoolRef]:
    """Only HTML has anchors, images and styling (plain text keeps every default but line breaks)."""
    key = ("val", ("f", "message", "is_html"))
    if key not in used:
        return []
    html = enc.vars[key].expr
    out = []
    for name, spec in load_schema().fields("styling").items():
        var = enc.vars.get(("val", STYLING + (name,)))
        if name == "max_line_breaks" or var is None or var.key not in used:
            continue
        plain = _is(enc, var, [spec.default]) if var.kind == "str" else var.expr == spec.default
        out.append(z3.Or(html, plain))
    if ("len", IMAGES) in used:
        out.append(z3.Implies(enc.vars[("len", IMAGES)].expr > 0, html))
    for item, active, val in _item_keys(enc, used, LINKS):
        if val("source") is not None:
            out.append(z3.Implies(z3.And(active, _is(enc, val("source"), ["html"])), html))
    return out


# ---- facts read from a URL -----------------------------------------------------------------------
# The normaliser (interpreter.facts.links, .hosts, .html) reads a link's scheme, host and whether
# it is Amazon's from its address, and an image's scheme from its src. dsl never imports the
# interpreter, so the same reading is written here; tests/test_witness_relations.py holds the two
# to the same answers.

LINK_SCHEMES = ("https", "http", "mailto", "tel", "ftp")
IMAGE_SCHEMES = ("https", "http", "data", "cid")
ADDRESS = re.compile(r"\s*(https?://|www\.)\S", re.IGNORECASE)       # anchor text that shows an address
_FRESH = re.compile(re.escape(FRESH) + r"[0-9]+")
_IMAGE_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.-]*):")


@functools.lru_cache(maxsize=1)
def amazon_hosts() -> frozenset[str]:
    data = json.loads((policies_dir() / "amazon-hosts.json").read_text(encoding="utf-8"))
    return frozenset(h.lower() for h in data["hosts"])


def is_amazon_host(host: str) -> bool:
    """The host is a listed Amazon host or a subdomain of one (never a host of one label)."""
    parts = host.lower().rstrip(".").split(".")
    return any(".".join(parts[i:]) in amazon_hosts() for i in range(len(parts) - 1))


def address(url: str) -> tuple[str, str]:
    """(scheme, host) of a link's address, as the normaliser records them."""
    url = url.strip()
    written = url.split(":", 1)[0].lower() if ":" in url else ""
    full = url if "://" in url or written in LINK_SCHEMES else "https://" + url
    try:
        parts = urlsplit(full)
        host = (parts.hostname or "").lower().rstrip(".")
        found = parts.scheme.lower()
    except ValueError:
        host, found = "", full.split(":", 1)[0].lower()
    scheme = found if found in LINK_SCHEMES and full is url else "other"
    return scheme, "" if scheme in ("mailto", "tel") else host


def image_scheme(src: str) -> str:
    m = _IMAGE_SCHEME.match(src)
    scheme = m.group(1).lower() if m else ""
    return scheme if scheme in IMAGE_SCHEMES else "other"


def percent(unknown: int, words: int) -> float:
    """spelling.unknown_percent as the normaliser rounds it."""
    return round(100 * unknown / words, 2) if words else 0


# ---- checking a finished record ------------------------------------------------------------------

def broken(record: Mapping) -> list[str]:
    """The relations a facts record breaks (each as a sentence naming the facts), empty when it
    could be the facts of a real message. Checks the record as written: a fact it leaves out is
    unknown (or at its schema default), and binds nothing."""
    message = record.get("message", {}) or {}
    order = record.get("order", {}) or {}
    out: list[str] = []
    known = {("order", k): v for k, v in order.items()}
    known.update({("message", k): v for k, v in message.items()})
    for earlier, later in DATE_ORDER:
        if earlier in known and later in known and str(known[earlier])[:10] > str(known[later])[:10]:
            out.append(f"{'.'.join(earlier)} {known[earlier]} is after {'.'.join(later)} {known[later]}")
    status = order.get("status")
    for date in STATUS_WITHOUT.get(status, ()):
        if date in order:
            out.append(f"an order {status} has no {date}")
    for i, link in enumerate(message.get("links", ()) or ()):
        out += [f"message.links[{i}]: {p}" for p in _link_broken(link)]
    for i, image in enumerate(message.get("images", ()) or ()):
        out += [f"message.images[{i}]: {p}" for p in _image_broken(image)]
    html = [f"{len(message['images'])} image(s)"] if message.get("images") else []
    html += [f"link {i}, found in html" for i, link in enumerate(message.get("links", ()) or ())
             if link.get("source") == "html"]
    if html and not message.get("is_html", False):
        out.append(f"message.is_html false, yet it has {' and '.join(html)}")
    if isinstance(message.get("spelling"), Mapping):
        out += [f"message.spelling: {p}" for p in _spelling_broken(message["spelling"])]
    styling = message.get("styling", {}) or {}
    out += [f"message.styling: {p}" for p in _styling_broken(styling, message.get("images", ()) or ())]
    if not message.get("is_html", False) and html_styling(styling):
        out.append(f"message.is_html false, yet it is styled: {', '.join(html_styling(styling))}")
    return out


def html_styling(styling: Mapping) -> list[str]:
    """The styling facts with other than their default values, which only HTML can set (plain
    text keeps every default but max_line_breaks)."""
    fields = load_schema().fields("styling")
    return [name for name, value in styling.items()
            if name != "max_line_breaks" and name in fields and value != fields[name].default]


def widest(images) -> float:
    """styling.max_image_width_percent as the normaliser takes it from the images."""
    return round(max((image.get("width_percent", 0) for image in images), default=0), 2)


def _styling_broken(styling: Mapping, images) -> list[str]:
    out = []
    if styling.get("font_sizes", 1) < 1:
        out.append(f"font_sizes {styling['font_sizes']}: a text uses at least one")
    if styling.get("max_image_width_percent", 0) != widest(images):
        out.append(f"max_image_width_percent {styling.get('max_image_width_percent', 0)}, "
                   f"but the widest image is {widest(images)}")
    return out


def _link_broken(link: Mapping) -> list[str]:
    out = []
    url = link.get("url")
    if url is not None:
        scheme, host = address(url)
        if "scheme" in link and link["scheme"] != scheme:
            out.append(f"scheme {link['scheme']!r} but the url {url!r} says {scheme!r}")
        if "host" in link and link["host"] != host:
            out.append(f"host {link['host']!r} but the url {url!r} says {host!r}")
    host = link.get("host")
    if host is not None and "is_amazon" in link and link["is_amazon"] != (bool(host) and is_amazon_host(host)):
        out.append(f"is_amazon {link['is_amazon']} for the host {host!r}")
    anchor = link.get("anchor_text")
    if anchor is not None and "explains" in link and ADDRESS.match(anchor) and not link["explains"]:
        out.append(f"the anchor text {anchor!r} shows the address, yet explains is false")
    if anchor is not None and "explains" in link and not ADDRESS.match(anchor) and not re.search(r"\w", anchor) \
            and link["explains"]:
        out.append(f"the anchor text {anchor!r} has no word, yet explains is true")
    if "source" in link and ("anchor_text" in link) != (link["source"] == "html"):
        out.append(f"a link found in {link['source']} {'has' if 'anchor_text' in link else 'lacks'} anchor text")
    if "start" in link and "end" in link and link["start"] > link["end"]:
        out.append("starts after it ends")
    return out


def _image_broken(image: Mapping) -> list[str]:
    out = []
    src = image.get("src")
    if src is not None and "scheme" in image and image["scheme"] != image_scheme(src):
        out.append(f"scheme {image['scheme']!r} but the src {src!r} says {image_scheme(src)!r}")
    host = image.get("link_host")
    if host is not None and (host == "" or host != host.lower()):
        out.append(f"link_host {host!r} is no host name")
    outside = bool(host) and not is_amazon_host(host or "")
    if "links_outside_amazon" in image and image["links_outside_amazon"] != outside:
        out.append(f"links_outside_amazon {image['links_outside_amazon']} for the link host {host!r}")
    if src is not None and not src.lower().startswith("data:") and "animated" in image and "tracking_pixel" in image:
        gif = re.split(r"[?#]", src, maxsplit=1)[0].lower().endswith(".gif")
        if image["animated"] != (gif and not image["tracking_pixel"]):
            out.append(f"animated {image['animated']} for the src {src!r}")
    if image.get("width_percent") == 0 and image.get("tracking_pixel") is False:
        out.append("zero wide, yet no tracking pixel")
    if src is not None and image.get("is_logo") is False:
        name = "" if src[:5].lower() == "data:" else re.split(r"[?#]", src, maxsplit=1)[0].rsplit("/", 1)[-1]
        if "logo" in name.lower() or "logo" in (image.get("alt") or "").lower():
            out.append("is_logo false for an image whose file name or alt text says logo")
    return out


def _spelling_broken(spelling: Mapping) -> list[str]:
    out = []
    counts = [k for k in ("words", "unknown", "unknown_percent", "samples") if k in spelling]
    if spelling.get("checked", True) is False and counts:
        out.append(f"not checked, yet it has {', '.join(counts)}")
    words, unknown, share = spelling.get("words"), spelling.get("unknown"), spelling.get("unknown_percent")
    samples = spelling.get("samples")
    if words is not None and unknown is not None and not 0 <= unknown <= words:
        out.append(f"unknown {unknown} of {words} words")
    if words is not None and unknown is not None and share is not None and share != percent(unknown, words):
        out.append(f"unknown_percent {share} but {unknown} of {words} words is {percent(unknown, words)}")
    if words is not None and unknown is None and share is not None and unknown_for(share, words) is None:
        out.append(f"unknown_percent {share} is no share of {words} words")
    if words is None and unknown is not None and share is not None and not _share_fits(share, None, unknown):
        out.append(f"unknown_percent {share} is no share that {unknown} unknown words can be")
    if samples is not None:
        if len(samples) > MAX_SAMPLES or len(set(samples)) != len(samples):
            out.append(f"samples {samples!r}: at most {MAX_SAMPLES}, each once")
        if unknown is not None and not (min(unknown, 1) <= len(samples) <= unknown):
            out.append(f"{len(samples)} samples of {unknown} unknown words")
    return out
