"""Prints the advance widths (per 1000 units of font size) that Charts/TextExtent.swift uses to
size chart labels: for each printable ASCII character, the widest of DejaVu Sans and Liberation
Sans (metric-compatible with Helvetica and Arial), regular and bold. The charts ask for
Helvetica, Arial, sans-serif; on Linux these are what a browser or librsvg falls back to, so a
box computed from these widths holds the text in every font the charts are drawn with."""
from PIL import ImageFont

FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
]

fonts = [ImageFont.truetype(path, 1000) for path in FONTS]
widths = [max(round(font.getlength(chr(c))) for font in fonts) for c in range(32, 127)]
rows = [", ".join(str(w) for w in widths[i:i + 16]) for i in range(0, len(widths), 16)]
print("    static let ascii: [Double] = [\n        " + ",\n        ".join(rows) + ",\n    ]")
