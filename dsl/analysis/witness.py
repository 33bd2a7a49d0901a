"""Turn solver models into facts records, and search until the evaluator confirms one.

Stage: after dsl.analysis.solve, for `diff`. Input: an `Encoder`, a goal formula, the variables it uses,
and `verify` — a function the application passes in that evaluates both compiled policies on a
facts record (dsl never imports the interpreter). Output: `Found` — a witness (a facts record
`verify` accepted), `none` (the solver proved there is no such record within the bounds), or
`undecided` (candidates existed but none survived). Texts are built from one phrase per chosen
class, joined by a separator, padded to a required length with filler, and checked with the
oracle to contain exactly the classes the model chose; regex `matches` and `contains` that the
model wants true get a generated sample (a bounded search where the encoding does not reach).
The facts a real message derives from the ones the model chose (a link's address from its scheme
and host, an image's src, the count of unknown words) are filled in, and a record that still
breaks a relation between facts (dsl.analysis.relations.broken) is excluded like one `verify`
refuses. A candidate that fails is excluded and the solver asked again, a few times at most.
"""
from __future__ import annotations

import base64
import datetime as _dt
import re
from dataclasses import dataclass
from typing import Callable, Mapping

import z3

from dsl.analysis import relations as rel
from dsl.analysis.domains import abstract, field_spec, steps
from dsl.analysis.relations import IMAGES, LINKS, STYLING, broken, relations
from dsl.analysis.solve import EPOCH, Encoder
from dsl.analysis.texts import realise, requirement
from dsl.contract.schema import MISSING

TRIES = 6
REFINEMENTS = 24


@dataclass(frozen=True)
class Found:
    status: str                    # witness | none | undecided
    facts: Mapping | None = None
    tries: int = 0


def search(enc: Encoder, goal: z3.BoolRef, used: frozenset, verify: Callable[[dict], bool], tries: int = TRIES) -> Found:
    # The solver's model depends on the order its constraints are given in, and a set of keys
    # holding text iterates in an order that changes with PYTHONHASHSEED: in a fixed order, the
    # same diff shows the same witnesses in every run.
    used = tuple(sorted(used, key=repr))
    opt = z3.Optimize()
    opt.set(timeout=20_000)
    for k in used:
        for c in enc.constraints.get(k, ()):
            opt.add(c)
    opt.add(goal)
    for relation in relations(enc, used):       # a witness is a message that could be sent
        opt.add(relation)
    lengths = []
    for k in used:
        v = enc.vars[k]
        usual = _usual(enc, k)
        if usual is not None:
            opt.add_soft(v.expr == usual)
        if v.kind == "len":
            for i in range(enc.bounds.max_items):
                opt.add_soft(v.expr <= i)
        elif v.kind == "on":
            opt.add_soft(z3.Not(v.expr))
        elif v.kind == "one":
            # A text of one sentence: the encoding is exact there. Weighed above the wish for short,
            # sparse texts, which an absent text meets best: otherwise the solver leaves every
            # sentence rule free and proposes empty messages the evaluator never confirms.
            opt.add_soft(v.expr, weight=10)
        elif v.kind == "present" and _optional(enc, k):
            opt.add_soft(z3.Not(v.expr))
        elif v.kind == "num":
            opt.add_soft(z3.IsInt(v.expr))
        elif v.kind == "date":
            opt.add_soft(z3.And(v.expr >= -90, v.expr <= 90))
        elif v.kind == "tlen":
            lengths.append(v.expr)
    if lengths:
        opt.minimize(z3.Sum(lengths))
    first = opt.check()
    if first != z3.sat:
        return Found("none" if first == z3.unsat else "undecided")
    for hint in _length_hints(enc, used):
        opt.add(hint)
    for attempt in range(tries):
        model = _refined(opt, enc, used)
        if model is None:
            return Found("undecided", tries=attempt)
        record, learned = build(enc, model, used)
        if record is not None and verify(record):
            return Found("witness", record, attempt + 1)
        opt.add(learned if learned is not None else _block(enc, model, used))
    return Found("undecided", tries=tries)


def _refined(opt: z3.Optimize, enc: Encoder, used) -> z3.ModelRef | None:
    """The solver's next model whose numbers a message can have (None: no such model found). The
    relations learned one value at a time (relations.refine) are not candidates that failed: the
    solver tries values near each other, and a few tries would be spent on one relation."""
    for _ in range(REFINEMENTS):
        if opt.check() != z3.sat:
            return None
        learned = rel.refine(enc, used, opt.model())
        if learned is None:
            return opt.model()
        opt.add(learned)
    return None


def _length_hints(enc: Encoder, used) -> list:
    """A text holding a phrase class is at least as long as its shortest phrase. Added only after
    the solver has said a difference exists (folding can make a match shorter than its phrase, so
    this is a guide for building texts, not part of the proof)."""
    out = []
    for k in used:
        if k[0] == "tlen":
            space = enc.texts.get(abstract(k[1]))
            for c, phrases in enumerate(space.realisers if space else ()):
                if phrases and ("on", k[1], c) in enc.vars:
                    out.append(z3.Implies(enc.vars[("on", k[1], c)].expr, enc.vars[k].expr >= min(map(len, phrases))))
    return out


def _optional(enc: Encoder, k: tuple) -> bool:
    """A presence flag of a naturally absent fact (a link's anchor text), left absent when it can be."""
    spec = _spec_of(enc, _where(enc, k[1:]))
    return spec is not None and spec.absent == "optional"


def _usual(enc: Encoder, k: tuple):
    """The solver value of a fact's schema default, so witnesses leave facts at their defaults
    unless the difference needs them changed; None when the fact has no default."""
    if k[0] != "val" or k[1][0] != "f":
        return None
    spec = _spec_of(enc, (k[1][1], k[1][2:]))
    if spec is None or spec.default is MISSING or isinstance(spec.default, (list, dict)):
        return None
    v = enc.vars[k]
    if v.kind == "str":
        domain = enc.domain(v.info)
        return domain.index(spec.default) if spec.default in domain else None
    return spec.default


def _block(enc: Encoder, model: z3.ModelRef, used) -> z3.BoolRef:
    same = [v.expr == model.eval(v.expr, model_completion=True) for k in used
            if (v := enc.vars[k]).kind in ("bool", "str", "len", "on", "present", "tlen", "free", "one")]
    return z3.Not(z3.And(same)) if same else z3.BoolVal(False)


# ---- model -> facts record ---------------------------------------------------------------------

def _py(value: z3.ExprRef, kind: str):
    if z3.is_true(value) or z3.is_false(value):
        return z3.is_true(value)
    if z3.is_int_value(value):
        return value.as_long()
    if z3.is_rational_value(value):
        frac = value.as_fraction()
        number = int(frac) if frac.denominator == 1 else float(frac)
        return (EPOCH + _dt.timedelta(days=int(number))).isoformat() if kind == "date" else number
    return None


class _Record:
    """A facts record under construction, addressed by the encoder's concrete keys."""

    def __init__(self, enc: Encoder, values: dict):
        self.enc, self.values = enc, values
        self.data: dict = {"message": {}, "order": {}, "history": {}}
        self.placed: set = set()

    def item_type(self, coll: tuple) -> str | None:
        return _item_type(self.enc, coll)

    def steps(self, k: tuple):
        return _where(self.enc, k)

    def present(self, k: tuple) -> bool:
        """Every prefix of the path that may be absent is present in the model."""
        where = self.steps(k)
        if where is None:
            return False
        obj, path = where
        found = list(steps(self.enc.schema, obj, path))
        return len(found) == len(path) and all(
            spec.absent == "present" or self.values.get(("present",) + k[:2] + path[:i + 1], False)
            for i, spec in found)

    def container(self, k: tuple):
        """The dict holding the last part of path key `k` (created on the way), or None when
        the key is inside a list item the model does not have."""
        if k[0] == "f":
            node, obj, path = self.data.setdefault(k[1], {}), k[1], k[2:]
        else:
            _, coll, index = k[1]
            items = self.list(coll)
            if items is None or index >= len(items):
                return None, None
            node, obj, path = items[index], self.item_type(coll), k[2:]
        for _, spec in steps(self.enc.schema, obj, path[:-1]):
            if spec.name not in node:
                node[spec.name] = self.skeleton(spec.type.name if spec.type.kind == "object" else None)
            node = node[spec.name]
        return node, path[-1] if path else None

    def list(self, coll: tuple):
        node, last = self.container(coll)
        if node is None or last is None:
            return None
        return node.get(last)

    def skeleton(self, obj: str | None) -> dict:
        """An object with every field that must be present and has no default, at a neutral value
        (fields with a default are filled in when the record is completed)."""
        out: dict = {}
        for name, spec in (self.enc.schema.fields(obj).items() if obj else ()):
            if spec.absent == "present" and spec.default is MISSING:
                out[name] = neutral(spec)
        return out

    def put(self, k: tuple, value) -> None:
        if not self.present(k):
            return
        spec = _spec_of(self.enc, self.steps(k))
        self.placed.add(k)
        if k[0] == "f" and spec is not None and spec.default is not MISSING and spec.default == value:
            return                  # the record is completed with defaults: say only what differs
        node, last = self.container(k)
        if node is not None and last is not None:
            node[last] = value


def neutral(spec):
    """A value of a field's type that says nothing: its default, the first enum value, empty, zero."""
    if spec.default is not MISSING:
        return spec.default
    kind = spec.type.kind
    if spec.type.enum:
        return spec.type.enum[0]
    return {"bool": False, "number": 0, "string": "", "list": [], "date": EPOCH.isoformat()}.get(kind, {})


def build(enc: Encoder, model: z3.ModelRef, used) -> tuple[dict | None, z3.BoolRef | None]:
    values = {k: _py(model.eval(enc.vars[k].expr, model_completion=True), enc.vars[k].kind) for k in used
              if enc.vars[k].kind != "group"}
    rec = _Record(enc, values)
    for k in sorted((k for k in used if k[0] == "len"), key=lambda k: len(repr(k))):
        node, last = rec.container(k[1])
        if node is not None and last is not None and values[k] > 0:
            node[last] = [rec.skeleton(enc.vars[k].info) for _ in range(values[k])]
    for k in sorted((k for k in used if k[0] == "present" and values[k]), key=len):
        path_key = k[1:]
        where = rec.steps(path_key)
        spec = _spec_of(enc, where)
        if spec is not None and rec.present(path_key):
            node, last = rec.container(path_key)
            if node is not None and last not in node:
                node[last] = rec.skeleton(spec.type.name) if spec.type.kind == "object" else neutral(spec)
    for k in used:
        v = enc.vars[k]
        if k[0] == "val" and k[1][0] in ("f", "i"):
            rec.put(k[1], enc.domain(v.info)[values[k]] if v.kind == "str" else values[k])
    for k in used:
        if k[0] == "val" and k[1][0] == "c" and k[1][2] not in rec.placed and k[1][2][0] in ("f", "i"):
            rec.put(k[1][2], _inverse(k[1][1], enc.domain(enc.vars[k].info)[values[k]]))
    texts = {k[1] for k in used if k[0] in ("on", "tlen")}
    for free in (k for k in used if k[0] == "free" and values.get(k) is True):
        target = requirement(enc.vars[free].info)
        if target is not None:
            texts.add(target[0])
    for text_key in sorted(texts, key=repr):
        if text_key in rec.placed or text_key[0] not in ("f", "i"):
            continue
        text, learned = realise(enc, text_key, values, used)
        if text is None:
            return None, learned
        rec.put(text_key, text)
    _complete(rec)
    record = _pruned(rec.data)
    # what the completion could not reconcile (a model's choices no message has together)
    return (None, None) if broken(record) else (record, None)


# ---- facts a message derives from the ones the model chose ---------------------------------------
# The model chooses only the facts its goal reads; a real message's other facts follow from those
# (a link's host from its address, an image's scheme from its src). They are filled in here, so the
# record is one message, before `verify` evaluates it; a choice they contradict is caught by
# relations.broken and the model is blocked.

_HOST = "example.com"                 # a host no bundled policy lists
# A GIF of two 1x1 frames: the normaliser counts a data: GIF's frames to call it animated.
_ANIMATED_GIF = base64.b64encode(b"GIF89a\x01\x00\x01\x00\x00\x00\x00"
                                 + b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x4c\x01\x00" * 2
                                 + b"\x3b").decode()
_STILL_PNG = "iVBORw0KGgo="


def _complete(rec: _Record) -> None:
    message = rec.data["message"]
    _complete_widest(rec, message)
    for i, link in enumerate(message.get("links") or ()):
        _complete_link(rec, ("e", LINKS, i), link)
    for i, image in enumerate(message.get("images") or ()):
        _complete_image(rec, ("e", IMAGES, i), image)
    if isinstance(message.get("spelling"), dict):
        _complete_spelling(message["spelling"])
    html = message.get("images") or any(link.get("source") == "html" for link in message.get("links") or ()) \
        or rel.html_styling(message.get("styling") or {})
    if html and ("f", "message", "is_html") not in rec.placed:
        message["is_html"] = True


def _complete_widest(rec: _Record, message: dict) -> None:
    """styling.max_image_width_percent is the widest image's width: an image of the width the
    model chose is made that wide (or added, when the model left the images open), and a width
    the model left open follows the images."""
    key = STYLING + ("max_image_width_percent",)
    images = message.get("images") or []
    if key not in rec.placed:
        if rel.widest(images):
            message.setdefault("styling", {})["max_image_width_percent"] = rel.widest(images)
        return
    wanted = (message.get("styling") or {}).get("max_image_width_percent", 0)
    if not wanted or rel.widest(images) == wanted:
        return
    open_width = [image for i, image in enumerate(images)
                  if ("i", ("e", IMAGES, i), "width_percent") not in rec.placed and "width_percent" not in image]
    if open_width:
        open_width[0]["width_percent"] = wanted
    elif ("len", IMAGES) not in rec.values:
        image = rec.skeleton(_item_type(rec.enc, IMAGES) or "image")
        message["images"] = images + [{**image, "width_percent": wanted}]


def _chosen(rec: _Record, item: tuple) -> set[str]:
    return {k[2] for k in rec.placed if k[0] == "i" and k[1] == item and len(k) == 3}


def _complete_link(rec: _Record, item: tuple, link: dict) -> None:
    chosen = _chosen(rec, item)
    host_of = ("val", ("c", "host_of", ("i", item, "url")))
    named = rec.enc.domain(rec.enc.vars[host_of].info)[rec.values[host_of]] if host_of in rec.values else None
    amazon = link.get("is_amazon") if "is_amazon" in chosen else None
    if named is not None and rel.is_fresh(named) and amazon:
        # a fresh host stands for any host the policies do not list: here an Amazon one
        named = _amazon_host(rec.enc.domain(rec.enc.vars[host_of].info))
    url = link.get("url", "") if "url" in chosen and named is None else None
    if url is not None and rel.address(url) != ("other", ""):
        path = None                                   # a whole address: the facts follow from it
    else:
        path = "/" if not url else url if url.startswith("/") else "/" + url
    if path is not None:
        host = named if named is not None else link["host"] if "host" in chosen else \
            "www.amazon.com" if amazon else _HOST
        if path == "/" and link.get("is_opt_out") and "is_opt_out" in chosen:
            path = "/unsubscribe"                     # the word the policies' opt-out markers share
        scheme = link["scheme"] if "scheme" in chosen else "https"
        if scheme == "mailto":
            url = f"mailto:info@{host or _HOST}"
        elif scheme == "tel":
            url = "tel:+15555550123"
        elif scheme == "other":
            url = host + path
        else:
            url = f"{scheme}://{host}{path}"
    link["url"] = url
    scheme, host = rel.address(url)
    if "scheme" not in chosen:
        link["scheme"] = scheme
    if "host" not in chosen:
        link["host"] = host
    if "is_amazon" not in chosen:
        link["is_amazon"] = bool(host) and rel.is_amazon_host(host)
    if "source" not in chosen:
        unsaid = rec.values.get(("present", "i", item, "anchor_text")) is False
        link["source"] = "text" if unsaid and "anchor_text" not in link else "html"
    if link["source"] == "html" and "anchor_text" not in link:
        # text that says where the link goes, or none at all: either reads the same in every
        # policy's words for vague links
        link["anchor_text"] = "" if "explains" in chosen and not link["explains"] else url
    if "explains" not in chosen and "anchor_text" in link:
        link["explains"] = bool(rel.ADDRESS.match(link["anchor_text"])) or (
            link["explains"] and bool(re.search(r"\w", link["anchor_text"])))


def _amazon_host(listed) -> str:
    """An Amazon host not within any host the policies name (those are not fresh values' to take)."""
    named = [v for v in listed if not rel.is_fresh(v)]
    for host in ("amazon.com", *sorted(rel.amazon_hosts())):
        if not any(host == n or host.endswith("." + n) for n in named):
            return host
    return "amazon.com"


def _complete_image(rec: _Record, item: tuple, image: dict) -> None:
    chosen = _chosen(rec, item)
    if "tracking_pixel" not in chosen and image.get("width_percent") == 0:
        image["tracking_pixel"] = True                # a zero-wide image is not seen
    if "src" not in chosen:
        animated = bool(image.get("animated")) and "animated" in chosen
        pixel = bool(image.get("tracking_pixel"))
        scheme = image["scheme"] if "scheme" in chosen else "data" if animated and pixel else "https"
        name = "logo" if image.get("is_logo") and "is_logo" in chosen else "photo"
        name += ".gif" if animated else ".png"
        data = f"data:image/gif;base64,{_ANIMATED_GIF}" if animated else f"data:image/png;base64,{_STILL_PNG}"
        image["src"] = {"https": f"https://cdn.{_HOST}/{name}", "http": f"http://cdn.{_HOST}/{name}",
                        "cid": f"cid:{name}", "data": data}.get(scheme, f"images/{name}")
    src = image["src"]
    if "scheme" not in chosen:
        image["scheme"] = rel.image_scheme(src)
    if "animated" not in chosen:
        image["animated"] = (_ANIMATED_GIF in src if src[:5].lower() == "data:"
                             else not image.get("tracking_pixel") and src.split("?")[0].lower().endswith(".gif"))
    if "is_logo" not in chosen:
        image["is_logo"] = "logo" in src.rsplit("/", 1)[-1].lower() or "logo" in (image.get("alt") or "").lower()
    if "links_outside_amazon" in chosen and "link_host" not in image and image["links_outside_amazon"]:
        image["link_host"] = _HOST
    elif "links_outside_amazon" not in chosen:
        host = image.get("link_host")
        image["links_outside_amazon"] = bool(host) and not rel.is_amazon_host(host)


def _complete_spelling(spelling: dict) -> None:
    words, unknown, share = spelling.get("words"), spelling.get("unknown"), spelling.get("unknown_percent")
    if share is None or spelling.get("checked", True) is False:
        return
    if words is not None and unknown is None:
        found = rel.unknown_for(share, words)
        if found is not None:
            spelling["unknown"] = found
    elif unknown is not None and words is None:
        found = rel.words_for(share, unknown)
        if found is not None:
            spelling["words"] = found


def _pruned(data: dict) -> dict:
    """The record without objects left empty (their defaults are filled in when it is completed)."""
    return {root: {k: v for k, v in values.items() if v != {}} for root, values in data.items()}


def _item_type(enc: Encoder, coll: tuple) -> str | None:
    """The object type of a list's items (recorded with the list's length variable)."""
    v = enc.vars.get(("len", coll))
    return v.info if v else None


def _where(enc: Encoder, k: tuple):
    """(object name the path starts from, path) of a path key, or None for other keys."""
    if k[0] == "f":
        return k[1], k[2:]
    if k[0] == "i":
        return _item_type(enc, k[1][1]), k[2:]
    return None


def _spec_of(enc: Encoder, where):
    return None if where is None else field_spec(enc.schema, *where)


def _inverse(op: str, value: str) -> str:
    """A fact value that the operator maps to `value` (checked by the evaluator afterwards)."""
    return f"https://{value}/" if op == "host_of" else value
