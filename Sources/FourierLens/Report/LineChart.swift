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
    public var width = 960.0
    public var height = 440.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
    }

    public func svg() -> String {
        let left = 78.0, right = 24.0, top = 48.0, bottom = 62.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let xs = series.flatMap(\.x) + bands.flatMap(\.x)
        let ys = (series.flatMap(\.y) + bands.flatMap(\.upper) + bands.flatMap(\.lower)).filter(\.isFinite)
        let xMin = xs.min() ?? 0, xMax = max(xs.max() ?? 1, (xs.min() ?? 0) + 1)
        let yTicks = SVGText.niceTicks(min(0, ys.min() ?? 0), max((ys.max() ?? 1) * 1.1, 1e-12))
        let yMin = yTicks.ticks.first ?? 0, yMax = max(yTicks.ticks.last ?? 1, (ys.max() ?? 1))
        // An axis whose points are all whole numbers (layers, frequencies) takes integer ticks only.
        let xIsInteger = !xs.isEmpty && xs.allSatisfy { $0 == $0.rounded() }
        let xTicks = SVGText.niceTicks(xMin, xMax, count: 9, integer: xIsInteger)
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (y - yMin) / (yMax - yMin) * plotHeight }
        let n = SVGText.n

        var out: [String] = []
        out.append(##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(n(width)) \##(n(height))" width="\##(n(width))" height="\##(n(height))" font-family="Helvetica, Arial, sans-serif" font-size="13">"##)
        out.append(##"<rect x="0" y="0" width="\##(n(width))" height="\##(n(height))" fill="#FFFFFF"/>"##)
        out.append(##"<text x="\##(n(width / 2))" y="24" text-anchor="middle" font-size="16" font-weight="bold">\##(SVGText.escape(title))</text>"##)
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
        out.append(##"<text x="\##(n(left + plotWidth / 2))" y="\##(n(height - 16))" text-anchor="middle">\##(SVGText.escape(xLabel))</text>"##)
        out.append(##"<text transform="translate(18 \##(n(top + plotHeight / 2))) rotate(-90)" text-anchor="middle">\##(SVGText.escape(yLabel))</text>"##)

        for band in bands where !band.x.isEmpty {
            let upper = zip(band.x, band.upper).map { "\(n(px($0))),\(n(py($1)))" }
            let lower = zip(band.x, band.lower).reversed().map { "\(n(px($0))),\(n(py($1)))" }
            out.append(##"<polygon points="\##((upper + lower).joined(separator: " "))" fill="#999999" fill-opacity="0.3" stroke="none"><title>\##(SVGText.escape(band.name))</title></polygon>"##)
        }
        for (index, s) in series.enumerated() {
            let color = SVGText.palette[(s.color ?? index) % SVGText.palette.count]
            let points = zip(s.x, s.y).filter { $0.1.isFinite }
            switch s.style {
            case .stems:
                var path = ""
                for (x, y) in points { path += "M\(n(px(x))) \(n(py(max(yMin, 0))))V\(n(py(y)))" }
                out.append(##"<path d="\##(path)" stroke="\##(color)" stroke-width="1.4" fill="none"/>"##)
            case .line, .dashed:
                let d = points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(n(px($0.element.0))) \(n(py($0.element.1)))" }.joined()
                let dash = s.style == .dashed ? ##" stroke-dasharray="6 4""## : ""
                out.append(##"<path d="\##(d)" stroke="\##(color)" stroke-width="1.6" fill="none"\##(dash)/>"##)
            }
        }
        out += labelElements(px: px, py: py, plotTop: top, plotLeft: left, plotRight: left + plotWidth)
        let legendWidth = (series.map(\.name) + bands.map(\.name)).map { Double($0.count) * 7 + 40 }.max() ?? 0
        out += legendElements(x: left + plotWidth - legendWidth - 8, y: top + 16)
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// Labels placed greedily, largest first, lifted a row when they would overlap one already placed.
    private func labelElements(px: (Double) -> Double, py: (Double) -> Double, plotTop: Double,
                               plotLeft: Double, plotRight: Double) -> [String] {
        var placed: [(x0: Double, x1: Double, y: Double)] = []
        var out: [String] = []
        let n = SVGText.n
        for label in labels.sorted(by: { ($0.y, -$0.x) > ($1.y, -$1.x) }) {
            let color = SVGText.palette[label.series % SVGText.palette.count]
            let width = Double(label.text.count) * 7.2 + 4
            let markerX = px(label.x)
            // The text stays inside the plot even for a point at its edge.
            let x = min(max(markerX, plotLeft + width / 2 + 2), plotRight - width / 2 - 2)
            out.append(##"<circle cx="\##(n(markerX))" cy="\##(n(py(label.y)))" r="3.5" fill="\##(color)"/>"##)
            var y = max(py(label.y) - 8, plotTop + 12)
            var level = 0
            while level < 6, placed.contains(where: { abs($0.y - y) < 14 && $0.x0 < x + width / 2 && x - width / 2 < $0.x1 }) {
                y -= 14
                level += 1
            }
            guard level < 6, y > 30 else { continue }
            placed.append((x - width / 2, x + width / 2, y))
            out.append(##"<text x="\##(n(x))" y="\##(n(y))" text-anchor="middle" font-size="12" fill="#222222">\##(SVGText.escape(label.text))</text>"##)
        }
        return out
    }

    private func legendElements(x: Double, y: Double) -> [String] {
        guard series.count > 1 || !bands.isEmpty else { return [] }
        let n = SVGText.n
        let entries = Double(series.count + bands.count)
        let widest = (series.map(\.name) + bands.map(\.name)).map { Double($0.count) * 7 + 40 }.max() ?? 0
        // A light backing keeps the legend readable over the lines it covers.
        var out = [##"<rect x="\##(n(x - 6))" y="\##(n(y - 12))" width="\##(n(widest + 4))" height="\##(n(entries * 18 + 6))" fill="#FFFFFF" fill-opacity="0.85" stroke="#DDDDDD"/>"##]
        var row = 0.0
        for (index, s) in series.enumerated() {
            let color = SVGText.palette[(s.color ?? index) % SVGText.palette.count]
            let dash = s.style == .dashed ? ##" stroke-dasharray="6 4""## : ""
            out.append(##"<line x1="\##(n(x))" y1="\##(n(y + row))" x2="\##(n(x + 22))" y2="\##(n(y + row))" stroke="\##(color)" stroke-width="2.5"\##(dash)/>"##)
            out.append(##"<text x="\##(n(x + 28))" y="\##(n(y + row + 4))">\##(SVGText.escape(s.name))</text>"##)
            row += 18
        }
        for band in bands {
            out.append(##"<rect x="\##(n(x))" y="\##(n(y + row - 6))" width="22" height="12" fill="#999999" fill-opacity="0.3"/>"##)
            out.append(##"<text x="\##(n(x + 28))" y="\##(n(y + row + 4))">\##(SVGText.escape(band.name))</text>"##)
            row += 18
        }
        return out
    }
}
