/// Grouped bars: one group per category, one bar per series, with an optional dashed reference
/// mark per category (chance level). Standalone SVG.
public struct BarChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var values: [Double]
        public init(name: String, values: [Double]) { self.name = name; self.values = values }
    }

    public var title: String
    public var yLabel: String
    public var categories: [String]
    public var series: [Series]
    /// Per category, a dashed horizontal mark (nil: none).
    public var reference: [Double?] = []
    public var referenceName = "chance"
    public var width = 960.0
    public var height = 420.0

    public init(title: String, yLabel: String, categories: [String], series: [Series]) {
        self.title = title; self.yLabel = yLabel; self.categories = categories; self.series = series
    }

    public func svg() -> String {
        let left = 78.0, right = 24.0, top = 48.0, bottom = 70.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let all = (series.flatMap(\.values) + reference.compactMap { $0 }).filter(\.isFinite)
        let ticks = SVGText.niceTicks(min(0, all.min() ?? 0), max(all.max() ?? 1, 1e-12) * 1.05)
        let low = ticks.ticks.first ?? 0, high = ticks.ticks.last ?? 1
        func py(_ y: Double) -> Double { top + plotHeight - (y - low) / (high - low) * plotHeight }
        let n = SVGText.n
        let group = plotWidth / Double(max(categories.count, 1))
        let barWidth = group * 0.8 / Double(max(series.count, 1))
        var out: [String] = []
        out.append(##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(n(width)) \##(n(height))" width="\##(n(width))" height="\##(n(height))" font-family="Helvetica, Arial, sans-serif" font-size="13">"##)
        out.append(##"<rect x="0" y="0" width="\##(n(width))" height="\##(n(height))" fill="#FFFFFF"/>"##)
        out.append(##"<text x="\##(n(width / 2))" y="24" text-anchor="middle" font-size="16" font-weight="bold">\##(SVGText.escape(title))</text>"##)
        for t in ticks.ticks {
            out.append(##"<line x1="\##(n(left))" y1="\##(n(py(t)))" x2="\##(n(left + plotWidth))" y2="\##(n(py(t)))" stroke="#E5E5E5"/>"##)
            out.append(##"<text x="\##(n(left - 8))" y="\##(n(py(t) + 4))" text-anchor="end">\##(SVGText.tick(t, step: ticks.step))</text>"##)
        }
        for (c, category) in categories.enumerated() {
            let x0 = left + Double(c) * group + group * 0.1
            for (s, item) in series.enumerated() where c < item.values.count && item.values[c].isFinite {
                let v = item.values[c]
                let y = py(max(v, 0)), base = py(min(v, 0))
                out.append(##"<rect x="\##(n(x0 + Double(s) * barWidth))" y="\##(n(y))" width="\##(n(barWidth * 0.92))" height="\##(n(max(base - y, 0.5)))" fill="\##(SVGText.palette[s % SVGText.palette.count])"><title>\##(SVGText.escape("\(item.name) \(category): \(v)"))</title></rect>"##)
            }
            if c < reference.count, let r = reference[c] {
                out.append(##"<line x1="\##(n(x0 - group * 0.05))" y1="\##(n(py(r)))" x2="\##(n(x0 + group * 0.85))" y2="\##(n(py(r)))" stroke="#000000" stroke-width="1.5" stroke-dasharray="5 3"/>"##)
            }
            out.append(##"<text x="\##(n(left + (Double(c) + 0.5) * group))" y="\##(n(top + plotHeight + 20))" text-anchor="middle">\##(SVGText.escape(category))</text>"##)
        }
        out.append(##"<line x1="\##(n(left))" y1="\##(n(py(0)))" x2="\##(n(left + plotWidth))" y2="\##(n(py(0)))" stroke="#333333"/>"##)
        out.append(##"<rect x="\##(n(left))" y="\##(n(top))" width="\##(n(plotWidth))" height="\##(n(plotHeight))" fill="none" stroke="#333333"/>"##)
        out.append(##"<text transform="translate(18 \##(n(top + plotHeight / 2))) rotate(-90)" text-anchor="middle">\##(SVGText.escape(yLabel))</text>"##)
        var x = left
        for (s, item) in series.enumerated() {
            out.append(##"<rect x="\##(n(x))" y="\##(n(height - 24))" width="14" height="12" fill="\##(SVGText.palette[s % SVGText.palette.count])"/>"##)
            out.append(##"<text x="\##(n(x + 20))" y="\##(n(height - 14))">\##(SVGText.escape(item.name))</text>"##)
            x += Double(item.name.count) * 7.5 + 44
        }
        if !reference.isEmpty {
            out.append(##"<line x1="\##(n(x))" y1="\##(n(height - 18))" x2="\##(n(x + 22))" y2="\##(n(height - 18))" stroke="#000000" stroke-width="1.5" stroke-dasharray="5 3"/>"##)
            out.append(##"<text x="\##(n(x + 28))" y="\##(n(height - 14))">\##(SVGText.escape(referenceName))</text>"##)
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }
}
