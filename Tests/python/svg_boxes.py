"""Text boxes of a chart's SVG, computed from each <text>'s x, y, font size and anchor (or its
translate(X Y) rotate(-90)) with the charts' own width table (TextExtent.ascii): the same
extents the charts are laid out with, so overlaps are found without a browser."""
import html
import os
import re

from report_helpers import REPO

TEXT = re.compile(r"<text([^>]*)>([^<]*)</text>")
ROTATED = re.compile(r"translate\(([-0-9.]+) ([-0-9.]+)\) rotate\(-90\)")


def widths():
    """The charts' own width table (TextExtent.ascii, per 1000 units of font size)."""
    with open(os.path.join(REPO, "Sources", "FourierLens", "Charts", "TextExtent.swift")) as f:
        source = f.read()
    table = re.search(r"static let ascii: \[Double\] = \[([^\]]*)\]", source).group(1)
    values = [float(v) for v in table.replace("\n", " ").split(",") if v.strip()]
    assert len(values) == 95
    return values


WIDTHS = widths()


def attribute(name, attributes):
    match = re.search(rf'(?<![-\w]){name}="([^"]*)"', attributes)
    return match.group(1) if match else None


def text_width(text, size):
    return sum(WIDTHS[ord(c) - 32] if 32 <= ord(c) <= 126 else 1000 for c in text) / 1000 * size


def texts(svg, rotated=False):
    """Every <text> (with `rotated`, those turned by rotate(-90) too): dicts of text, x, y,
    anchor, class, rotated and box (x0, y0, x1, y1); glyphs rise 0.8 em and sink 0.25 em."""
    default_size = float(re.search(r'<svg[^>]*font-size="([0-9.]+)"', svg).group(1))
    found = []
    for attributes, body in TEXT.findall(svg):
        text = html.unescape(body)
        size = float(attribute("font-size", attributes) or default_size)
        anchor = attribute("text-anchor", attributes) or "start"
        width = text_width(text, size)
        transform = attribute("transform", attributes)
        if transform:
            turned = ROTATED.fullmatch(transform)
            if not rotated or not turned:
                continue
            x, y = float(turned.group(1)), float(turned.group(2))
            # rotate(-90): the text runs upward from (x, y); its glyphs rise towards -x.
            y0 = {"start": y - width, "middle": y - width / 2, "end": y}[anchor]
            box = (x - 0.8 * size, y0, x + 0.25 * size, y0 + width)
        else:
            x, y = float(attribute("x", attributes)), float(attribute("y", attributes))
            x0 = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
            box = (x0, y - 0.8 * size, x0 + width, y + 0.25 * size)
        found.append({"text": text, "x": x, "y": y, "anchor": anchor, "class": attribute("class", attributes) or "",
                      "rotated": bool(transform), "box": box})
    return found


def overlaps(a, b):
    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a, b
    return ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1


def collisions(svg):
    """Pairs of texts (rotated ones included) whose boxes overlap."""
    boxes = [t for t in texts(svg, rotated=True) if t["text"].strip()]
    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:] if overlaps(a["box"], b["box"])]
