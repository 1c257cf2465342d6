/// How much room a chart's text takes, so labels can be placed where they collide with nothing.
/// Widths are upper bounds: per character the widest of the fonts the charts fall back to
/// (scripts/make_text_widths.py); any other character counts as a full em.
public enum TextExtent {
    /// Advance widths of the printable ASCII characters (32…126), per 1000 units of font size.
    static let ascii: [Double] = [
        348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365,
        696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 611,
        1015, 774, 762, 734, 830, 683, 683, 821, 837, 372, 556, 775, 637, 995, 837, 850,
        733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 556,
        500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687,
        716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
    ]

    /// The width of `text` set at `fontSize`.
    public static func width(_ text: String, fontSize: Double) -> Double {
        var units = 0.0
        for scalar in text.unicodeScalars {
            let v = Int(scalar.value)
            units += (32...126).contains(v) ? ascii[v - 32] : 1000
        }
        return units / 1000 * fontSize
    }

    /// `text`, or its longest start followed by "…" that fits `width` at `fontSize` ("" when
    /// not even "…" does).
    public static func fitted(_ text: String, width limit: Double, fontSize: Double) -> String {
        if width(text, fontSize: fontSize) <= limit { return text }
        var kept = Substring(text)
        while !kept.isEmpty {
            kept = kept.dropLast()
            if width(String(kept) + "…", fontSize: fontSize) <= limit { return String(kept) + "…" }
        }
        return width("…", fontSize: fontSize) <= limit ? "…" : ""
    }

    /// The box of a text drawn at (x, baseline y) with this anchor: ascenders reach 0.8 of the
    /// font size above the baseline, descenders 0.25 below.
    public static func box(_ text: String, x: Double, y: Double, fontSize: Double, anchor: Anchor) -> Box {
        let w = width(text, fontSize: fontSize)
        let x0: Double
        switch anchor {
        case .start: x0 = x
        case .middle: x0 = x - w / 2
        case .end: x0 = x - w
        }
        return Box(x0: x0, y0: y - 0.8 * fontSize, x1: x0 + w, y1: y + 0.25 * fontSize)
    }

    public enum Anchor: String, Sendable { case start, middle, end }
}

/// An axis-aligned rectangle in SVG coordinates (y grows downwards).
public struct Box: Sendable, Equatable {
    public var x0, y0, x1, y1: Double
    public init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1
    }

    public func intersects(_ other: Box) -> Bool {
        x0 < other.x1 && other.x0 < x1 && y0 < other.y1 && other.y0 < y1
    }

    public func contains(_ other: Box) -> Bool {
        other.x0 >= x0 && other.x1 <= x1 && other.y0 >= y0 && other.y1 <= y1
    }

    /// Whether the segment from a to b passes through the box (Liang–Barsky clipping).
    public func crosses(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Bool {
        var t0 = 0.0, t1 = 1.0
        let dx = b.x - a.x, dy = b.y - a.y
        for (p, q) in [(-dx, a.x - x0), (dx, x1 - a.x), (-dy, a.y - y0), (dy, y1 - a.y)] {
            if p == 0 {
                if q < 0 { return false }
            } else {
                let r = q / p
                if p < 0 { t0 = max(t0, r) } else { t1 = min(t1, r) }
                if t0 > t1 { return false }
            }
        }
        return true
    }

    public func padded(_ margin: Double) -> Box {
        Box(x0: x0 - margin, y0: y0 - margin, x1: x1 + margin, y1: y1 + margin)
    }
}
