import Foundation

/// Small helpers shared by the SVG charts and the page: the one escaping rule, the charts'
/// common frame, fixed number formatting (so the same input gives the same bytes), nice axis
/// ticks, the colour-blind-safe palettes.
enum SVGText {
    /// The one escaping rule of every report: text put into HTML or SVG, as element content or
    /// as an attribute value, passes through here (& < > ").
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The start of every chart: the <svg> element (its size, the charts' font), a white
    /// background and the bold title centred on top. `end` closes it.
    static func start(width: Double, height: Double, title: String) -> [String] {
        [
            ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(n(width)) \##(n(height))" width="\##(n(width))" height="\##(n(height))" font-family="Helvetica, Arial, sans-serif" font-size="13">"##,
            ##"<rect x="0" y="0" width="\##(n(width))" height="\##(n(height))" fill="#FFFFFF"/>"##,
            ##"<text x="\##(n(width / 2))" y="24" text-anchor="middle" font-size="16" font-weight="bold">\##(escape(title))</text>"##,
        ]
    }

    /// A chart's lines as the SVG file's text.
    static func end(_ lines: [String]) -> String {
        (lines + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    /// A value at full precision for hover titles: the shortest text that reads back to the
    /// same double (as in the CSV files), whole numbers without a decimal point.
    static func exact(_ x: Double) -> String {
        if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return "\(x)"
    }

    /// A value for hover titles: whole numbers as they are, others to four significant digits
    /// (the CSV files hold every digit).
    static func short(_ x: Double) -> String {
        if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return format(x)
    }

    /// A coordinate with two decimals.
    static func n(_ x: Double) -> String {
        guard x.isFinite else { return "0" }  // a chart never places anything at ±inf
        let value = (x * 100).rounded() / 100
        guard abs(value) < 1e15 else { return String(format: "%.6g", value) }  // beyond Int's exact range
        return value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }

    /// A tick label with exactly the decimals the step needs (0.25 -> 2, 0.025 -> 3, 1.25 -> 2).
    static func tick(_ x: Double, step: Double) -> String {
        let decimals = decimalsNeeded(step)
        if abs(x) >= 1e5 || (abs(x) < 1e-3 && x != 0) { return String(format: "%.2g", x) }
        return String(format: "%.\(decimals)f", x)
    }

    /// The fewest decimals (at most 6) that write `step` exactly.
    static func decimalsNeeded(_ step: Double) -> Int {
        for d in 0...6 {
            let scaled = abs(step) * pow(10, Double(d))
            if abs(scaled - scaled.rounded()) < 1e-6 * max(1, scaled) { return d }
        }
        return 6
    }

    /// About `count` round-numbered ticks covering low...high; `integer` keeps the step a
    /// whole number (layer axes).
    static func niceTicks(_ low: Double, _ high: Double, count: Int = 6, integer: Bool = false) -> (ticks: [Double], step: Double) {
        guard high > low, low.isFinite, high.isFinite else { return ([low.isFinite ? low : 0], 1) }
        let spread = (high - low) / Double(max(count - 1, 1))
        let raw = integer ? max(1, spread) : spread
        guard raw.isFinite, raw > 0 else { return ([low, high], high - low) }
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }
            .first { $0 >= raw && (!integer || $0 == $0.rounded()) } ?? 10 * magnitude
        var ticks: [Double] = []
        var t = (low / step).rounded(.down) * step
        // Bounded: near 1e19 a step can fall below t's precision, and t += step would stall.
        while t < high + step * 0.999, ticks.count <= 4 * count {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            let next = t + step
            guard next > t else { break }
            t = next
        }
        return (ticks, step)
    }

    /// Okabe–Ito: distinguishable with every common colour-vision deficiency.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    /// Viridis stops: perceptually uniform and colour-blind safe, for heatmaps.
    static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
    ]

    static func viridisColor(_ t: Double) -> String {
        let clamped = t.isNaN ? 0 : min(max(t, 0), 1)
        let position = clamped * Double(viridis.count - 1)
        let i = min(Int(position), viridis.count - 2)
        let f = position - Double(i)
        let (a, b) = (viridis[i], viridis[i + 1])
        let r = Int((a.0 + (b.0 - a.0) * f).rounded()), g = Int((a.1 + (b.1 - a.1) * f).rounded()),
            bl = Int((a.2 + (b.2 - a.2) * f).rounded())
        return String(format: "#%02X%02X%02X", r, g, bl)
    }
}
