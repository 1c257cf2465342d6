/// Grouped bars: one group per category, one bar per series, with an optional dashed reference
/// mark per category (chance level). Standalone SVG.
public struct BarChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var values: [Double]
        /// Each bar's other statistics for its hover text (aligned with values).
        public var notes: [String]? = nil
        /// Each bar's interval, drawn as a whisker (aligned with values).
        public var errors: [ClosedRange<Double>?]? = nil
        public init(name: String, values: [Double]) { self.name = name; self.values = values }
    }

    public var title: String
    public var yLabel: String
    public var categories: [String]
    public var series: [Series]
    /// Per category, a dashed horizontal mark (nil: none).
    public var reference: [Double?] = []
    public var referenceName = "chance"
    /// The axis stops here: a bar below it is drawn down to it and its value written under it.
    public var floor: Double? = nil
    public var width = 960.0
    public var height = 420.0

    public init(title: String, yLabel: String, categories: [String], series: [Series]) {
        self.title = title; self.yLabel = yLabel; self.categories = categories; self.series = series
    }

    static let left = 78.0, right = 24.0, top = 48.0

    public func svg() -> String {
        let (left, top) = (BarChart.left, BarChart.top)
        let plotWidth = width - left - BarChart.right
        let group = plotWidth / Double(max(categories.count, 1))
        let categoryLabels = CategoryLabels(categories, slot: group)
        let legend = legendEntries()
        // The plot keeps the height a 70 px footer left it; taller category labels and legends add below.
        let plotHeight = height - top - 70
        let footer = 10 + categoryLabels.height + 14 + legend.height(width: plotWidth)
        let fullHeight = top + plotHeight + footer + 8
        let whiskers = series.flatMap { ($0.errors ?? []).compactMap { $0 }.flatMap { [$0.lowerBound, $0.upperBound] } }
        let values = series.flatMap(\.values) + reference.compactMap { $0 } + whiskers
        let all = values.filter(\.isFinite).map { v in floor.map { max(v, $0) } ?? v }
        let ticks = SVGText.niceTicks(min(0, all.min() ?? 0), max(all.max() ?? 1, 1e-12) * 1.05)
        let low = ticks.ticks.first ?? 0, high = ticks.ticks.last ?? 1
        func py(_ y: Double) -> Double { top + plotHeight - (y - low) / (high - low) * plotHeight }
        let n = SVGText.n
        let barWidth = group * 0.8 / Double(max(series.count, 1))
        var out = SVGText.start(width: width, height: fullHeight, title: title)
        for t in ticks.ticks {
            out.append(##"<line x1="\##(n(left))" y1="\##(n(py(t)))" x2="\##(n(left + plotWidth))" y2="\##(n(py(t)))" stroke="#E5E5E5"/>"##)
            out.append(##"<text x="\##(n(left - 8))" y="\##(n(py(t) + 4))" text-anchor="end">\##(SVGText.tick(t, step: ticks.step))</text>"##)
        }
        for c in categories.indices {
            let category = categories[c]
            let x0 = left + Double(c) * group + group * 0.1
            for (s, item) in series.enumerated() where c < item.values.count && item.values[c].isFinite {
                let v = item.values[c]
                let clipped = floor.map { v < $0 } ?? false
                let shown = clipped ? floor! : v
                let y = py(max(shown, 0)), base = py(min(shown, 0))
                let x = x0 + Double(s) * barWidth
                out.append(##"<rect class="bar" data-series="\##(s)" x="\##(n(x))" y="\##(n(y))" width="\##(n(barWidth * 0.92))" height="\##(n(max(base - y, 0.5)))" fill="\##(SVGText.palette[s % SVGText.palette.count])"><title>\##(SVGText.escape("\(item.name), \(category): \(SVGText.short(v))\(note(item, c))"))</title></rect>"##)
                if let interval = item.errors?[safe: c] ?? nil, interval.lowerBound.isFinite, interval.upperBound.isFinite {
                    let cut = { (y: Double) in py(min(max(y, low), high)) }
                    let mid = x + barWidth * 0.46, (y0, y1) = (cut(interval.lowerBound), cut(interval.upperBound))
                    out.append(##"<path class="error-bar" data-series="\##(s)" d="M\##(n(mid)) \##(n(y0))V\##(n(y1))M\##(n(mid - 4)) \##(n(y0))H\##(n(mid + 4))M\##(n(mid - 4)) \##(n(y1))H\##(n(mid + 4))" stroke="#000000" stroke-width="1.2" fill="none"/>"##)
                }
                if clipped {
                    // The bar runs past the axis: its true value is written inside its end.
                    out.append(##"<text class="clipped-value" x="\##(n(x + barWidth * 0.46))" y="\##(n(base - 4))" text-anchor="middle" font-size="10" fill="#FFFFFF">\##(SVGText.escape(format(v)))</text>"##)
                }
            }
            if c < reference.count, let r = reference[c] {
                out.append(##"<line data-series="reference" x1="\##(n(x0 - group * 0.05))" y1="\##(n(py(r)))" x2="\##(n(x0 + group * 0.85))" y2="\##(n(py(r)))" stroke="#000000" stroke-width="1.5" stroke-dasharray="5 3"><title>\##(SVGText.escape("\(referenceName), \(category): \(SVGText.short(r))"))</title></line>"##)
            }
            out += categoryLabels.elements(c, x: left + (Double(c) + 0.5) * group, y: top + plotHeight + 10)
        }
        out.append(##"<line x1="\##(n(left))" y1="\##(n(py(0)))" x2="\##(n(left + plotWidth))" y2="\##(n(py(0)))" stroke="#333333"/>"##)
        out.append(##"<rect x="\##(n(left))" y="\##(n(top))" width="\##(n(plotWidth))" height="\##(n(plotHeight))" fill="none" stroke="#333333"/>"##)
        out.append(##"<text transform="translate(18 \##(n(top + plotHeight / 2))) rotate(-90)" text-anchor="middle">\##(SVGText.escape(yLabel))</text>"##)
        out += legend.elements(x: left, y: top + plotHeight + 10 + categoryLabels.height + 14 + 6, width: plotWidth)
        return SVGText.end(out)
    }

    /// "; " and the bar's note, or nothing.
    private func note(_ item: Series, _ index: Int) -> String {
        guard let text = item.notes?[safe: index], !text.isEmpty else { return "" }
        return "; \(text)"
    }

    private func legendEntries() -> ChartLegend {
        var entries = series.enumerated().map { s, item in
            ChartLegend.Entry(name: item.name, swatch: .area(color: SVGText.palette[s % SVGText.palette.count], opacity: 1),
                              toggles: String(s))
        }
        if reference.contains(where: { $0 != nil }) {
            entries.append(.init(name: referenceName, swatch: .line(color: "#000000", dashed: true), toggles: "reference"))
        }
        return ChartLegend(entries: entries)
    }
}

/// Category names under a bar chart, each within its own slot: written on one line, else
/// wrapped at spaces and underscores, else set vertically, so neighbours never collide.
struct CategoryLabels {
    static let fontSize = 13.0, lineHeight = 16.0
    /// A name wraps to at most this many lines; the rest is cut with "…" (the page's tables
    /// and the bars' hover texts name it whole).
    static let maxLines = 3
    let lines: [[String]]
    let vertical: Bool
    /// The room the labels take below the plot.
    let height: Double

    init(_ categories: [String], slot: Double) {
        let room = slot - 6
        let wrapped = categories.map { CategoryLabels.shortened(CategoryLabels.wrap($0, width: room), width: room) }
        let fits = wrapped.allSatisfy { $0.allSatisfy { TextExtent.width($0, fontSize: CategoryLabels.fontSize) <= room } }
        // One line's height is enough for vertical text when the font fits the slot.
        if fits || slot < CategoryLabels.lineHeight {
            lines = wrapped
            vertical = false
            height = Double(wrapped.map(\.count).max() ?? 1) * CategoryLabels.lineHeight
        } else {
            lines = categories.map { [$0] }
            vertical = true
            height = (categories.map { TextExtent.width($0, fontSize: CategoryLabels.fontSize) }.max() ?? 0) + 4
        }
    }

    /// Words joined greedily into lines no wider than `width` (a word wider than it stands alone).
    static func wrap(_ text: String, width: Double) -> [String] {
        guard TextExtent.width(text, fontSize: fontSize) > width else { return [text] }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "_" }).map(String.init)
        var lines: [String] = []
        for word in words {
            if let last = lines.last, TextExtent.width(last + " " + word, fontSize: fontSize) <= width {
                lines[lines.count - 1] = last + " " + word
            } else {
                lines.append(word)
            }
        }
        return lines.isEmpty ? [text] : lines
    }

    /// The first `maxLines` lines, the last one holding the rest of the words cut to fit.
    static func shortened(_ lines: [String], width: Double) -> [String] {
        guard lines.count > maxLines else { return lines }
        let rest = lines[(maxLines - 1)...].joined(separator: " ")
        return Array(lines.prefix(maxLines - 1)) + [TextExtent.fitted(rest, width: width, fontSize: fontSize)]
    }

    /// The label of category `index`, centred on x, its top at y.
    func elements(_ index: Int, x: Double, y: Double) -> [String] {
        let n = SVGText.n
        if vertical {
            return [##"<text class="category" transform="translate(\##(n(x + 4)) \##(n(y))) rotate(-90)" text-anchor="end">\##(SVGText.escape(lines[index][0]))</text>"##]
        }
        return lines[index].enumerated().map { row, line in
            ##"<text class="category" x="\##(n(x))" y="\##(n(y + 11 + Double(row) * CategoryLabels.lineHeight))" text-anchor="middle">\##(SVGText.escape(line))</text>"##
        }
    }
}
