"""The HTML reader: visible text, anchors as links, images, and styling, from HTML as sellers write it."""
from __future__ import annotations

import base64
import json
import struct

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter.facts.css import MESSAGE_WIDTH_PX
from interpreter.facts.html import HtmlFacts, gif_frames, read_html
from interpreter.facts.lexicon import Lexicon
from interpreter.facts.record import build_facts

from .conftest import ROOT, examples
from .policytext import bundled_policy

SCHEMA = json.loads((ROOT / "policies" / "facts.schema.json").read_text(encoding="utf-8"))
STYLING_KEYS = set(SCHEMA["$defs"]["styling"]["required"])
STYLING_TYPES = {name: {"number": (int, float), "integer": int, "boolean": bool, "string": str}[spec["type"]]
                 for name, spec in SCHEMA["$defs"]["styling"]["properties"].items()}


def validator(name: str):
    return jsonschema.Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{name}"})


LINK, IMAGE, STYLING = validator("link"), validator("image"), validator("styling")


def gif(frames: int) -> bytes:
    """A valid 1x1 GIF89a with `frames` images, each after a graphic control extension."""
    screen = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    frame = (b"\x21\xf9\x04\x00\x0a\x00\x00\x00"
             + b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00")
    return screen + loop + frame * frames + b"\x3b"


def data_gif(frames: int) -> str:
    return "data:image/gif;base64," + base64.b64encode(gif(frames)).decode()


def check_contract(facts: HtmlFacts) -> None:
    """What every result promises, whatever the input."""
    text = facts.text
    assert isinstance(facts.links, tuple) and isinstance(facts.images, tuple)
    assert text == text.strip() and all(line == line.strip() for line in text.split("\n"))
    for link in facts.links:
        assert not list(LINK.iter_errors(link)), link
        assert link["source"] == "html"
        assert 0 <= link["start"] <= link["end"] <= len(text)
        if link["end"] > link["start"]:
            assert text[link["start"]:link["end"]] == link["anchor_text"]
    for image in facts.images:
        assert not list(IMAGE.iter_errors(image)), image
        assert 0 <= image["start"] == image["end"] <= len(text)
    assert set(facts.styling) == STYLING_KEYS
    for name, value in facts.styling.items():
        assert isinstance(value, STYLING_TYPES[name]), (name, value)
    assert not list(STYLING.iter_errors(facts.styling))


# --------------------------------------------------------------------------------------------
# Visible text
# --------------------------------------------------------------------------------------------

TEXT = [
    ("", ""),
    ("   \n\t ", ""),
    ("<p>Hello   <b>world</b>\n</p>", "Hello world"),
    ("<p>One</p><p>Two</p>", "One\nTwo"),
    ("A<br>B", "A\nB"),
    ("A<br><br>B", "A\n\nB"),
    ("<p>A<br></p><p>B</p>", "A\nB"),                                   # a <br> ending a block adds no line
    ("<div>A</div><br><div>B</div>", "A\n\nB"),
    ("<p>A</p><p></p><p>B</p>", "A\n\nB"),                              # the empty paragraph is a blank line
    ("<p>A</p><p><br></p><p>B</p>", "A\n\nB"),                          # ... counted once, not twice
    ("<br><br>Hi<br><br><br>", "Hi"),                                   # nothing before or after: dropped
    ("Tom&nbsp;&amp;&nbsp;Jerry &lt;3 &#x263A;", "Tom & Jerry <3 \u263a"),
    ("caf&eacute; cafe\u0301", "café café"),                           # NFC
    ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
    ("<table><tr><td>Qty</td><td>2</td></tr><tr><td>Total</td><td>&pound;5</td></tr></table>", "Qty 2\nTotal £5"),
    ("<table><tr><td>a</td><td>b<table><tr><td>c</td><td>d</td></tr></table></td></tr><tr><td>e</td></tr></table>",
     "a b\nc d\ne"),                                                    # nested tables
    ("<script>var x = 1;</script><style>p{color:red}</style><noscript>n</noscript><template>t</template>Hi",
     "Hi"),
    ("<html><head><title>Subject</title></head><body>Body</body></html>", "Body"),
    ("<p>a</p><!-- a comment --><p>b</p>", "a\nb"),
    ('<p>shown</p><p style="display:none">preheader</p><p hidden>h</p><div style="visibility:hidden">v</div>',
     "shown"),
    ('<div style="visibility:hidden">gone <span style="visibility:visible">back</span></div>', "back"),
    ('<style>.hide{display:none}</style><p class="hide">x</p><p>y</p>', "y"),
    ('<span style="font-size:0">zero</span>seen', "seen"),
    ('<span style="opacity:0">ghost</span>seen', "seen"),
    ("<pre>a\n\n\n  b   c</pre>d", "a\n\n\nb c\nd"),
    ('<span style="display:block">a</span><div style="display:inline">b</div><div style="display:inline">c</div>',
     "a\nbc"),
    ("x <img src='https://a.co/x.png'> y", "x y"),
    ('<p dir="rtl">شكراً لطلبك رقم <b>123-1234567-1234567</b></p>', "شكراً لطلبك رقم 123-1234567-1234567"),
    ("<p>\u0627\u0654</p>", "\u0623"),                                  # Arabic hamza composed by NFC
]


@pytest.mark.parametrize("html,expected", TEXT, ids=[repr(c[0][:40]) for c in TEXT])
def test_visible_text(html, expected):
    facts = read_html(html)
    assert facts.text == expected
    check_contract(facts)


MALFORMED = [
    "<p>unclosed <b>bold <i>italic",
    "</div></div>text</p></span>",
    "<table><tr><td>a<table><td>b</table>c</td>",
    "\x00\x01\x02\xff\xfe binary \x1b[0m junk \x7f",
    "lone \ud800 surrogate",
    "<<<>>> <a href=",
    '<img src="data:image/gif;base64,R0lGOD',
    '<img src="data:image/gif;base64,!!!notbase64">',
    "<style>p{color:",
    "<p style='font: /; margin: ; width:'>x</p>",
    "<a href='https://[::1'>broken host</a>",
    "<font size=99 face>x</font><font size='+9'>y</font><font size='-9'>z</font>",
    "<div>" * 5000 + "deep" + "</div>" * 10,
    "https://www.example.com",
]


@pytest.mark.parametrize("html", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_html_never_raises(html):
    check_contract(read_html(html))


def test_deep_nesting_keeps_the_text():
    assert read_html("<div>" * 3000 + "<b>" * 3000 + "deep").text == "deep"


# --------------------------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------------------------

LINKS = [
    # html, [(url, anchor_text, host, is_amazon)]
    ('<p>See <a href="https://www.amazon.co.uk/gp/css/order-history">your <b>orders</b></a> now.</p>',
     [("https://www.amazon.co.uk/gp/css/order-history", "your orders", "www.amazon.co.uk", True)]),
    ('<a href="#top">top</a><a href="javascript:alert(1)">js</a><a href=" JavaScript:x">js2</a><a href="">e</a>'
     '<a name="n">named</a>', []),
    ('<a href="http://shop.example.com"><img src="http://shop.example.com/logo.png" alt="Example Shop logo"></a>',
     [("http://shop.example.com", "Example Shop logo", "shop.example.com", False)]),
    ('<a href="https://x.example"><img src="https://x.example/a.png"></a>', [("https://x.example", "", "x.example", False)]),
    ('<a href="https://x.example/?a=1&amp;b=2">Warranty terms</a>',
     [("https://x.example/?a=1&b=2", "Warranty terms", "x.example", False)]),
    ('<a href="mailto:help@example.com">write to us</a>', [("mailto:help@example.com", "write to us", "", False)]),
    ('<a href="https://a.example">one<br>two</a>', [("https://a.example", "one\ntwo", "a.example", False)]),
    ('<div style="display:none"><a href="https://track.example/o">hidden</a></div>Hi',
     [("https://track.example/o", "", "track.example", False)]),
    ('<table><tr><td><table><tr><td>Track: <a href="https://www.amazon.com/progress-tracker">parcel status</a>'
     '</td></tr></table></td></tr></table>',
     [("https://www.amazon.com/progress-tracker", "parcel status", "www.amazon.com", True)]),
    ('<p dir="rtl">تتبع <a href="https://www.amazon.sa/gp/your-account">طلبك</a> رقم 123-1234567-1234567</p>',
     [("https://www.amazon.sa/gp/your-account", "طلبك", "www.amazon.sa", True)]),
    ('cafe\u0301 <a href="https://a.example">cre\u0300me br\u00fbl\u00e9e</a>',
     [("https://a.example", "crème brûlée", "a.example", False)]),
]


@pytest.mark.parametrize("html,expected", LINKS, ids=[repr(c[0][:40]) for c in LINKS])
def test_links(html, expected):
    facts = read_html(html)
    assert [(l["url"], l["anchor_text"], l["host"], l["is_amazon"]) for l in facts.links] == expected
    check_contract(facts)


def test_anchor_spans_are_exact_and_know_the_words_before_them():
    html = ('<p>Dear buyer,</p><p>Your order 123-1234567-1234567 &amp; <a href="https://www.amazon.com/a">'
            'its tracking page</a> are ready. <a href="https://x.example/unsubscribe">Click here</a></p>')
    facts = read_html(html, Lexicon.of(bundled_policy()))
    amazon, vague = facts.links
    assert facts.text[amazon["start"]:amazon["end"]] == "its tracking page"
    assert facts.text[vague["start"]:vague["end"]] == "Click here"
    assert amazon["explains"] and not vague["explains"] and vague["is_opt_out"]
    assert facts.text.split("\n")[1].startswith("Your order 123-1234567-1234567 & its tracking page")


@pytest.mark.parametrize("anchor,explains", [
    ("Click here", False),
    ("here", False),
    ("", False),
    ("https://www.amazon.com/gp/css/order-history", True),      # the reader sees the address itself
    ("www.example.com/care", True),
    ("Track your parcel", True),
])
def test_anchor_text_explains_the_link_unless_it_says_nothing(anchor, explains):
    facts = read_html(f'<p>Your order: <a href="https://www.amazon.com/x">{anchor}</a></p>', Lexicon.of(bundled_policy()))
    assert facts.links[0]["explains"] is explains


def test_link_span_inside_arabic_text_with_a_latin_order_id():
    facts = read_html('<p dir="rtl" style="text-align:right">رقم الطلب 123-1234567-1234567 '
                      '<a href="https://www.amazon.sa/x">تفاصيل الطلب</a></p>')
    (link,) = facts.links
    assert facts.text[link["start"]:link["end"]] == "تفاصيل الطلب" == link["anchor_text"]
    start = facts.text.index("123-1234567-1234567")
    assert facts.text[start:start + 19] == "123-1234567-1234567"
    assert facts.styling["text_align"] == "right"


# --------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------

IMAGES = [
    # html, expected fields of the one image ("-alt": the key is absent)
    ('<a href="http://www.example-shop.com"><img src="http://cdn.example-shop.com/logo.png" alt="Our shop"></a>',
     {"scheme": "http", "alt": "Our shop", "is_logo": True, "link_host": "www.example-shop.com",
      "links_outside_amazon": True, "tracking_pixel": False, "animated": False}),
    ('<a href="https://www.amazon.de/shops/x"><img src="https://a.example/b.png" alt=""></a>',
     {"alt": "", "link_host": "www.amazon.de", "links_outside_amazon": False, "is_logo": False}),
    ('<img src="https://a.example/p.png">', {"-alt": None, "-link_host": None, "-width_percent": None}),
    ('<img src="https://a.example/p.png" width="300">', {"width_percent": 50.0}),
    ('<img src="https://a.example/p.png" width="90%">', {"width_percent": 90.0}),
    ('<img src="https://a.example/p.png" width="100" style="width:480px">', {"width_percent": 80.0}),
    ('<img src="https://a.example/p.png" width="120" style="width:auto">', {"width_percent": 20.0}),
    ('<img src="https://t.example/o.png" width="1" height="1">', {"tracking_pixel": True}),
    ('<img src="https://t.example/o.png" style="width:1px;height:1px">', {"tracking_pixel": True}),
    ('<img src="https://t.example/o.png" width="0">', {"tracking_pixel": True}),
    ('<img src="https://t.example/o.png" style="display:none">', {"tracking_pixel": True}),
    ('<div style="display:none"><img src="https://t.example/o.png" width="200" height="50"></div>',
     {"tracking_pixel": True}),
    ('<img src="https://t.example/o.png" style="opacity:0">', {"tracking_pixel": True}),
    ('<img src="https://t.example/o.png" hidden>', {"tracking_pixel": True}),
    ('<img src="https://t.example/o.png" style="visibility:hidden">', {"tracking_pixel": True}),
    ('<style>img.px { width: 1px; height: 1px }</style><img class="px" src="https://t.example/o.png">',
     {"tracking_pixel": True}),
    ('<img src="https://t.example/o.png" width="1">', {"tracking_pixel": False}),   # height unknown
    (f'<img src="{data_gif(2)}" alt="spinner">', {"scheme": "data", "animated": True}),
    (f'<img src="{data_gif(1)}" alt="still">', {"scheme": "data", "animated": False}),
    ('<img src="https://a.example/banner.GIF?v=2">', {"animated": True}),        # remote: assumed animated
    ('<img src="https://t.example/open.gif" width="1" height="1" alt="">',          # a pixel: not assumed
     {"tracking_pixel": True, "animated": False}),
    ('<img src="https://t.example/open.gif" style="display:none">', {"tracking_pixel": True, "animated": False}),
    (f'<img src="{data_gif(2)}" width="1" height="1">', {"tracking_pixel": True, "animated": True}),   # counted
    ('<img src="data:image/png;base64,iVBORw0KGgo=">', {"animated": False}),
    ('<img src="cid:part1.logo@mail">', {"scheme": "cid", "is_logo": True}),
    ('<img src="//cdn.example/x.png">', {"scheme": "other"}),
    ('<img src="images/x.png" class="brand-Logo">', {"scheme": "other", "is_logo": True}),
    ('<img src="x.png" id="logo">', {"is_logo": True}),
    ('<img src="https://a.example/Logo_2024.png">', {"is_logo": True}),
    ('<img src="x.png" alt="  Company   LOGO ">', {"alt": "Company LOGO", "is_logo": True}),
    ('<div style="background-image:url(\'http://a.example/bg.jpg\')">x</div>',
     {"src": "http://a.example/bg.jpg", "scheme": "http", "-alt": None, "-width_percent": None}),
    ('<table><tr><td background="https://a.example/bg.gif">x</td></tr></table>',
     {"src": "https://a.example/bg.gif", "animated": True}),
]


@pytest.mark.parametrize("html,expected", IMAGES, ids=[repr(c[0][:50]) for c in IMAGES])
def test_images(html, expected):
    facts = read_html(html)
    (image,) = facts.images
    for key, value in expected.items():
        if key.startswith("-"):
            assert key[1:] not in image, (key, image)
        else:
            assert image[key] == value, (key, image)
    check_contract(facts)


def test_images_stand_where_they_are_in_the_text():
    facts = read_html('<p>Hi <img src="a.png"> there</p><p><img src="b.png"></p><p>Bye</p>')
    first, second = facts.images
    assert facts.text == "Hi there\n\nBye"
    assert first["start"] == first["end"] == 2
    assert second["start"] == second["end"] == len("Hi there\n")


def test_gif_frames_are_counted_from_the_bytes():
    assert [gif_frames(gif(n)) for n in (0, 1, 2, 5)] == [0, 1, 2, 5]
    assert gif_frames(gif(3)[:-3]) == 3                   # cut inside the last frame's data
    assert gif_frames(gif(3)[:-12]) == 2                  # cut inside the last frame's descriptor
    assert gif_frames(b"GIF89a") == 0 and gif_frames(b"\x89PNG\r\n\x1a\n" + bytes(20)) == 0
    assert gif_frames(b"GIF87a" + bytes(7) + b"\x2c\x00") == 0


def test_url_encoded_data_gif_is_inspected_too():
    from urllib.parse import quote_from_bytes
    facts = read_html(f'<img src="data:image/gif,{quote_from_bytes(gif(2))}" alt="x">')
    assert facts.images[0]["animated"] is True


# --------------------------------------------------------------------------------------------
# Styling
# --------------------------------------------------------------------------------------------

BASE_STYLING = {"max_margin_percent": 0, "max_image_width_percent": 0, "overrides_line_height": False,
                "overrides_font_family": False, "overrides_color": False, "font_sizes": 1,
                "text_align": "default", "max_line_breaks": 0}

STYLING_CASES = [
    # html, expected fields (the rest as in BASE_STYLING)
    ("", {}),
    ("<p>Plain text only.</p>", {}),
    # margins
    ('<div style="margin: 0 25%">x</div>', {"max_margin_percent": 25.0}),
    ('<div style="margin-left:150px">x</div>', {"max_margin_percent": 25.0}),
    ('<td style="padding:10px 60px">x</td>', {"max_margin_percent": 10.0}),
    ('<div style="margin:0 auto; padding: 0 2%">x</div>', {"max_margin_percent": 2.0}),
    ('<p style="margin-left:10%; padding-left:15%">x</p>', {"max_margin_percent": 25.0}),   # the gap a reader sees
    ('<div style="margin: 1px 2px 3px 30%">x</div>', {"max_margin_percent": 30.0}),
    ("<style>body { margin: 0 20% }</style><body><p>x</p></body>", {"max_margin_percent": 20.0}),
    ('<div style="display:none; margin: 0 40%">x</div>y', {}),                              # hidden
    # image widths
    ('<img src="a.png" width="540"><img src="b.png" width="30%">', {"max_image_width_percent": 90.0}),
    # overrides
    ('<p style="line-height:1.8">x</p>', {"overrides_line_height": True}),
    ('<p style="line-height:normal">x</p>', {}),
    ('<p style="font-family: Georgia, serif">x</p>', {"overrides_font_family": True}),
    ('<p style="font: 14px/1.6 Arial">x</p>',
     {"overrides_font_family": True, "overrides_line_height": True}),
    ('<font face="Comic Sans MS">x</font>', {"overrides_font_family": True}),
    ('<font color="#ff0000">x</font>', {"overrides_color": True}),
    ('<p style="color: #333">x</p>', {"overrides_color": True}),
    ('<p style="color: inherit">x</p>', {}),
    ('<style>p { color: navy }</style><p>x</p>', {"overrides_color": True}),
    ('<div style="color:red"></div>text', {}),                                  # colours no text
    # font sizes
    ('<p>a</p><p style="font-size:18px">b</p><p style="font-size:12pt">c</p>',
     {"font_sizes": 3, "max_line_breaks": 1}),
    ('<p>a</p><p style="font-size:18px">b</p><p style="font-size:12pt">c</p><h1>d</h1>',
     {"font_sizes": 4, "max_line_breaks": 1}),
    ('<span style="font-size:16px">a</span> <span style="font-size:12pt">b</span>', {}),   # one size, twice spelt
    ('<font size="2">a</font> <font size="3">b</font> <font size="5">c</font> d', {"font_sizes": 3}),
    ("<h1>a</h1><h2>b</h2><h3>c</h3><p>d</p>", {"font_sizes": 4, "max_line_breaks": 1}),
    ('<p style="font-size:20px"></p><p>x</p>', {}),                              # sizes no text
    ('<p style="font-size:14px">only</p>', {}),                                  # one size, explicit
    # alignment
    ("<center>Thank you</center>", {"text_align": "center"}),
    ('<p align="center">x</p>', {"text_align": "center"}),
    ('<p style="text-align:right">x</p><p style="text-align:center">y</p>',
     {"text_align": "center", "max_line_breaks": 1}),
    ('<p style="text-align:justify">x</p>', {"text_align": "justify"}),
    ('<p style="text-align:left">x</p>', {"text_align": "left"}),
    ('<td align="right">x</td>', {"text_align": "right"}),
    ('<table align="center"><tr><td>x</td></tr></table>', {}),                  # places the table only
    ('<div style="text-align:center"><img src="a.png"></div>text', {}),          # centres no text
    ('<style>.c { text-align: center }</style><p class="c">x</p>', {"text_align": "center"}),
    # line breaks
    ("<p>A</p><p>B</p>", {"max_line_breaks": 1}),
    ("A<br>B", {"max_line_breaks": 1}),
    ("A<br><br>B", {"max_line_breaks": 2}),
    ("A<br><br><br><br><br>B", {"max_line_breaks": 5}),
    ("<p>A</p><p></p><p>B</p>", {"max_line_breaks": 2}),
    ("<p>A</p><p>&nbsp;</p><p>&nbsp;</p><p>B</p>", {"max_line_breaks": 3}),
    ("<p>A</p><p><br></p><p>B</p>", {"max_line_breaks": 2}),
    ("<div>A</div><div><div></div></div><div>B</div>", {"max_line_breaks": 2}),
    ("<pre>A\n\n\n\nB</pre>", {"max_line_breaks": 4}),
    ("Bye<br><br><br><br>", {}),                                               # nothing follows
]


@pytest.mark.parametrize("html,expected", STYLING_CASES, ids=[repr(c[0][:50]) for c in STYLING_CASES])
def test_styling(html, expected):
    facts = read_html(html)
    assert facts.styling == {**BASE_STYLING, **expected}
    check_contract(facts)


def test_stylesheet_precedence():
    css = ("<style>p { text-align: left } .c { text-align: right } #x { text-align: justify }"
           " td a, a:hover { color: red } @media (max-width: 600px) { p { text-align: center } }</style>")
    assert read_html(css + '<p class="c" id="x">t</p>').styling["text_align"] == "justify"       # id > class
    assert read_html(css + '<p class="c" style="text-align:left">t</p>').styling["text_align"] == "left"
    assert read_html(css + '<p>t</p><a href="https://a.example">l</a>').styling["overrides_color"] is False
    important = '<style>p { line-height: 2 !important }</style><p style="line-height: normal">t</p>'
    assert read_html(important).styling["overrides_line_height"] is True


def test_message_width_is_the_reference_for_pixels():
    facts = read_html(f'<img src="a.png" width="{int(MESSAGE_WIDTH_PX)}">')
    assert facts.images[0]["width_percent"] == 100.0


def test_facts_from_html_validate_in_a_whole_record():
    facts = read_html('<center><font face="Arial" size="5">Hi</font></center><a href="http://x.example">'
                      f'<img src="{data_gif(2)}" width="700"></a><br><br><br>Bye')
    record = {"message": {"marketplace": "UK", "is_html": True, "text": facts.text, "links": list(facts.links),
                          "images": list(facts.images), "styling": facts.styling},
              "order": {}, "history": {}}
    assert build_facts(record).text == facts.text


# --------------------------------------------------------------------------------------------
# Any HTML-ish input
# --------------------------------------------------------------------------------------------

TAGS = ["a", "img", "p", "div", "br", "span", "b", "table", "tr", "td", "font", "center", "h1", "h4", "pre",
        "ul", "li", "hr", "style", "script", "head", "title"]
ATTRS = ["href", "src", "alt", "width", "height", "style", "class", "id", "hidden", "align", "size", "face",
         "color", "background", "dir"]
VALUES = ["https://www.amazon.com/x", "http://ex.example/logo.gif", "#top", "javascript:x", "mailto:a@b.c",
          data_gif(2), "data:image/gif;base64,R0lG", "cid:x", "1", "0", "50%", "700", "+2", "center", "logo",
          "display:none", "margin:0 25%", "font-size:12px", "font: 10px/2 Arial", "color:red", "opacity:0",
          "text-align:center", "visibility:hidden", "visibility:visible", "white-space:pre", "font-size:0",
          "width:1px;height:1px", "background-image:url(http://a.example/b.gif)", "display:block",
          "display:table-cell", "font-size:larger", "padding: 1em 3em", "line-height:2", "font-family:"]
SNIPPETS = ["&amp;", "&nbsp;", "&#x301;", "&lt;", "<!--", "-->", "<![CDATA[", "\n\n", "  ", "<", ">", "e\u0301",
            "123-1234567-1234567", "شكرا", "<style>p{color:red} .x{display:none} body{margin:0 40%}</style>"]

attribute = st.builds(lambda n, v: f' {n}="{v}"', st.sampled_from(ATTRS),
                      st.one_of(st.sampled_from(VALUES), st.text(max_size=8)))
open_tag = st.builds(lambda t, a: f"<{t}{''.join(a)}>", st.sampled_from(TAGS), st.lists(attribute, max_size=3))
close_tag = st.sampled_from(TAGS).map(lambda t: f"</{t}>")
piece = st.one_of(open_tag, open_tag, close_tag, st.text(max_size=12), st.sampled_from(SNIPPETS),
                  st.binary(max_size=8).map(lambda b: b.decode("latin-1")))
html_ish = st.lists(piece, max_size=40).map("".join)


@settings(deadline=None, max_examples=examples(250), suppress_health_check=[HealthCheck.too_slow])
@given(html_ish)
def test_any_html_ish_input_reads_without_error_and_keeps_its_promises(html):
    check_contract(read_html(html))
