/// A line or stem chart of one or more series over a numeric x axis, with an optional shaded
/// band (a null distribution), labelled points (outlier periods) and a legend. Standalone SVG.
public struct LineChart: Sendable {
    public enum Style: Sendable { case line, stems, dashed }

    public struct Series: Sendable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
        public var style: Style
        /// The palette colour; by default the series' position.
        public var color: Int?
        /// Each point's other statistics for its hover text (aligned with x), e.g. "T = 5, z = 4.1".
        public var notes: [String]? = nil
        /// Each point's error bar (aligned with x): the interval drawn as a vertical whisker.
        public var errors: [ClosedRange<Double>?]? = nil
        public init(name: String, x: [Double], y: [Double], style: Style = .line, color: Int? = nil) {
            self.name = name; self.x = x; self.y = y; self.style = style; self.color = color
        }
    }

    public struct Band: Sendable {
        public var name: String
        public var x: [Double]
        public var lower: [Double]
        public var upper: [Double]
        public init(name: String, x: [Double], lower: [Double], upper: [Double]) {
            self.name = name; self.x = x; self.lower = lower; self.upper = upper
        }
    }

    public struct PointLabel: Sendable {
        public var x: Double
        public var y: Double
        public var text: String
        /// Which series' colour the marker takes.
        public var series: Int
        public init(x: Double, y: Double, text: String, series: Int = 0) {
            self.x = x; self.y = y; self.text = text; self.series = series
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var bands: [Band] = []
    public var labels: [PointLabel] = []
    /// The most the y axis reaches for (1 for accuracies, which cannot exceed it); by default
    /// 10% above the highest value.
    public var yCeiling: Double? = nil
    /// A fixed y axis (0…1 for accuracies and probabilities) in place of one fitted to the values;
    /// error bars are cut at its ends.
    public var yRange: ClosedRange<Double>? = nil
    public var width = 960.0
    public var height = 440.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
    }

    /// The plot area's margins; the image grows above for labels and below for the legend.
    static let left = 78.0, right = 24.0, top = 48.0, bottom = 62.0

    public func svg() -> String {
        let (left, right) = (LineChart.left, LineChart.right)
        let plotWidth = width - left - right, plotHeight = height - LineChart.top - LineChart.bottom
        let xs = series.flatMap(\.x) + bands.flatMap(\.x)
        let whiskers = series.flatMap { ($0.errors ?? []).compactMap { $0 }.flatMap { [$0.lowerBound, $0.upperBound] } }
        let ys = (series.flatMap(\.y) + bands.flatMap(\.upper) + bands.flatMap(\.lower) + whiskers).filter(\.isFinite)
        // One x (a one-layer model) sits in the middle of a unit-wide axis, not at its edge.
        let single = xs.min() != nil && xs.min() == xs.max()
        let xMin = single ? xs[0] - 0.5 : xs.min() ?? 0, xMax = single ? xs[0] + 0.5 : max(xs.max() ?? 1, (xs.min() ?? 0) + 1)
        let headroom = max((ys.max() ?? 1) * 1.1, 1e-12)
        let yTicks = yRange.map { SVGText.niceTicks($0.lowerBound, $0.upperBound) }
            ?? SVGText.niceTicks(min(0, ys.min() ?? 0), yCeiling.map { max(min(headroom, $0), ys.max() ?? 0) } ?? headroom)
        let yMin = yRange?.lowerBound ?? yTicks.ticks.first ?? 0, yMax = yRange?.upperBound ?? max(yTicks.ticks.last ?? 1, (ys.max() ?? 1))
        // An axis whose points are all whole numbers (layers, frequencies) takes integer ticks only.
        let xIsInteger = !xs.isEmpty && xs.allSatisfy { $0 == $0.rounded() }
        let xTicks = SVGText.niceTicks(xMin, xMax, count: 9, integer: xIsInteger)
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotWidth }

        // Labels that find no free spot get a taller strip above the plot, one row at a time:
        // with a row per label every label fits, so none is ever dropped.
        var extra = 0.0
        var placements: [LabelPlacer.Placement]? = nil
        for _ in 0..<max(labels.count, 1) {
            let top = LineChart.top + extra
            let py = { (y: Double) in top + plotHeight - (y - yMin) / (yMax - yMin) * plotHeight }
            placements = placeLabels(px: px, py: py, plot: Box(x0: left, y0: top, x1: left + plotWidth, y1: top + plotHeight),
                                     stemBase: py(max(yMin, 0)))
            if placements != nil { break }
            extra += 18
        }
        // Still no room: one row per label above the plot, which always fits.
        if placements == nil { extra = 18 * Double(labels.count) }
        let top = LineChart.top + extra
        func py(_ y: Double) -> Double { top + plotHeight - (y - yMin) / (yMax - yMin) * plotHeight }
        let placed = placements ?? LabelPlacer.stacked(labels.map(\.text), points: labels.map { (px($0.x), py($0.y)) },
                                                       top: 32, rowHeight: 18, left: left, right: left + plotWidth,
                                                       fontSize: LineChart.labelFontSize)
        let legend = legendEntries()
        let legendHeight = legend.entries.isEmpty ? 0 : legend.height(width: plotWidth) + 6
        let fullHeight = height + extra + legendHeight
        let n = SVGText.n

        var out = SVGText.start(width: width, height: fullHeight, title: title)
        // Grid and axes.
        for t in yTicks.ticks {
            out.append(##"<line x1="\##(n(left))" y1="\##(n(py(t)))" x2="\##(n(left + plotWidth))" y2="\##(n(py(t)))" stroke="#E5E5E5"/>"##)
            out.append(##"<text x="\##(n(left - 8))" y="\##(n(py(t) + 4))" text-anchor="end">\##(SVGText.tick(t, step: yTicks.step))</text>"##)
        }
        for t in xTicks.ticks where t >= xMin - 1e-9 && t <= xMax + 1e-9 {
            out.append(##"<line x1="\##(n(px(t)))" y1="\##(n(top + plotHeight))" x2="\##(n(px(t)))" y2="\##(n(top + plotHeight + 5))" stroke="#333333"/>"##)
            out.append(##"<text x="\##(n(px(t)))" y="\##(n(top + plotHeight + 20))" text-anchor="middle">\##(SVGText.tick(t, step: xTicks.step))</text>"##)
        }
        out.append(##"<rect x="\##(n(left))" y="\##(n(top))" width="\##(n(plotWidth))" height="\##(n(plotHeight))" fill="none" stroke="#333333"/>"##)
        out.append(##"<text x="\##(n(left + plotWidth / 2))" y="\##(n(top + plotHeight + 46))" text-anchor="middle">\##(SVGText.escape(xLabel))</text>"##)
        out.append(##"<text transform="translate(18 \##(n(top + plotHeight / 2))) rotate(-90)" text-anchor="middle">\##(SVGText.escape(yLabel))</text>"##)

        for (b, band) in bands.enumerated() where !band.x.isEmpty {
            let upper = zip(band.x, band.upper).map { "\(n(px($0))),\(n(py($1)))" }
            let lower = zip(band.x, band.lower).reversed().map { "\(n(px($0))),\(n(py($1)))" }
            out.append(##"<polygon data-series="band\##(b)" points="\##((upper + lower).joined(separator: " "))" fill="#999999" fill-opacity="0.3" stroke="none"><title>\##(SVGText.escape(band.name))</title></polygon>"##)
        }
        var hoverTargets: [String] = []
        for (index, s) in series.enumerated() {
            let color = SVGText.palette[(s.color ?? index) % SVGText.palette.count]
            let points = zip(s.x, s.y).filter { $0.1.isFinite }
            switch s.style {
            case .stems:
                var path = ""
                for (x, y) in points { path += "M\(n(px(x))) \(n(py(max(yMin, 0))))V\(n(py(y)))" }
                out.append(##"<path class="stems" data-series="\##(index)" d="\##(path)" stroke="\##(color)" stroke-width="1.4" fill="none"/>"##)
            case .line, .dashed:
                let d = points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(n(px($0.element.0))) \(n(py($0.element.1)))" }.joined()
                let dash = s.style == .dashed ? ##" stroke-dasharray="6 4""## : ""
                out.append(##"<path data-series="\##(index)" d="\##(d)" stroke="\##(color)" stroke-width="1.6" fill="none"\##(dash)/>"##)
                // A line of one point draws nothing: mark it (hollow for a dashed series).
                if points.count == 1, let (x, y) = points.first {
                    let fill = s.style == .dashed ? "#ffffff" : color
                    out.append(##"<circle class="point" data-series="\##(index)" cx="\##(n(px(x)))" cy="\##(n(py(y)))" r="4.5" fill="\##(fill)" stroke="\##(color)" stroke-width="1.6"/>"##)
                }
            }
            // Error bars: a whisker with caps per point that has an interval.
            for (i, interval) in (s.errors ?? []).enumerated() where i < s.x.count {
                guard let interval, interval.lowerBound.isFinite, interval.upperBound.isFinite else { continue }
                let cut = { (y: Double) in min(max(y, yMin), yMax) }
                let x = px(s.x[i]), (y0, y1) = (py(cut(interval.lowerBound)), py(cut(interval.upperBound)))
                out.append(##"<path class="error-bar" data-series="\##(index)" d="M\##(n(x)) \##(n(y0))V\##(n(y1))M\##(n(x - 4)) \##(n(y0))H\##(n(x + 4))M\##(n(x - 4)) \##(n(y1))H\##(n(x + 4))" stroke="\##(color)" stroke-width="1.2" fill="none"/>"##)
            }
            // Invisible targets that carry each point's exact value (a hover title on the page),
            // drawn last so that no marker or label covers them.
            for i in s.x.indices where i < s.y.count && s.y[i].isFinite {
                let (x, y) = (s.x[i], s.y[i])
                let note = s.notes.flatMap { i < $0.count && !$0[i].isEmpty ? "; \($0[i])" : nil } ?? ""
                let hover = "\(s.name), \(xLabelShort) \(SVGText.short(x)): \(SVGText.short(y))\(note)"
                hoverTargets.append(##"<circle class="hover" data-series="\##(index)" cx="\##(n(px(x)))" cy="\##(n(py(y)))" r="5" fill="#000000" fill-opacity="0"><title>\##(SVGText.escape(hover))</title></circle>"##)
            }
        }
        for label in labels {
            let color = SVGText.palette[label.series % SVGText.palette.count]
            out.append(##"<circle class="point-marker" cx="\##(n(px(label.x)))" cy="\##(n(py(label.y)))" r="3.5" fill="\##(color)"/>"##)
        }
        for (label, placement) in zip(labels, placed) {
            if let end = placement.leaderEnd {
                out.append(##"<line x1="\##(n(px(label.x)))" y1="\##(n(py(label.y) - 3.5))" x2="\##(n(end.x))" y2="\##(n(end.y))" stroke="#888888" stroke-width="0.8"/>"##)
            }
            out.append(##"<text class="point-label" x="\##(n(placement.x))" y="\##(n(placement.y))" text-anchor="middle" font-size="\##(n(LineChart.labelFontSize))" fill="#222222">\##(SVGText.escape(label.text))</text>"##)
        }
        out += hoverTargets
        out += legend.elements(x: left, y: top + plotHeight + 66, width: plotWidth)
        return SVGText.end(out)
    }

    static let labelFontSize = 12.0

    /// The x axis's name for hover titles: its label up to the first parenthesis ("frequency k").
    var xLabelShort: String {
        String(xLabel.prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces)
    }

    /// Every label's spot (aligned with `labels`), placed tallest point first, or nil when one
    /// finds no room. Labels may use the plot and the strip between it and the title.
    private func placeLabels(px: (Double) -> Double, py: (Double) -> Double, plot: Box, stemBase: Double) -> [LabelPlacer.Placement]? {
        guard !labels.isEmpty else { return [] }
        var segments: [((x: Double, y: Double), (x: Double, y: Double))] = [((plot.x0, plot.y0), (plot.x1, plot.y0))]
        for s in series {
            let points = zip(s.x, s.y).filter { $0.1.isFinite }.map { (x: px($0.0), y: py($0.1)) }
            if s.style == .stems {
                segments += points.map { ((x: $0.x, y: stemBase), $0) }
            } else {
                segments += zip(points, points.dropFirst()).map { ($0, $1) }
            }
        }
        let markers = labels.map { Box(x0: px($0.x) - 3.5, y0: py($0.y) - 3.5, x1: px($0.x) + 3.5, y1: py($0.y) + 3.5) }
        var placer = LabelPlacer(region: Box(x0: plot.x0, y0: 32, x1: plot.x1, y1: plot.y1), obstacles: markers,
                                 segments: segments, fontSize: LineChart.labelFontSize)
        var result = [LabelPlacer.Placement?](repeating: nil, count: labels.count)
        for index in labels.indices.sorted(by: { (labels[$0].y, -labels[$0].x) > (labels[$1].y, -labels[$1].x) }) {
            guard let placement = placer.place(labels[index].text, at: (px(labels[index].x), py(labels[index].y))) else { return nil }
            result[index] = placement
        }
        return result.map { $0! }
    }

    private func legendEntries() -> ChartLegend {
        guard series.count > 1 || !bands.isEmpty else { return ChartLegend(entries: []) }
        let lines = series.enumerated().map { index, s in
            ChartLegend.Entry(name: s.name, swatch: .line(color: SVGText.palette[(s.color ?? index) % SVGText.palette.count],
                                                          dashed: s.style == .dashed), toggles: String(index))
        }
        return ChartLegend(entries: lines + bands.enumerated().map {
            ChartLegend.Entry(name: $1.name, swatch: .area(color: "#999999", opacity: 0.3), toggles: "band\($0)")
        })
    }
}
