/// A heatmap of a matrix (rows top to bottom) with viridis colours and a colour bar.
public struct Heatmap: Sendable {
    public var title: String
    public var values: Matrix
    public var rowLabels: [String]
    /// Column positions to label on the x axis, with their text.
    public var columnTicks: [(index: Int, label: String)]
    public var xLabel: String
    public var yLabel: String
    public var colorbarLabel: String
    public var width = 960.0
    public var height = 440.0

    public init(title: String, values: Matrix, rowLabels: [String], columnTicks: [(index: Int, label: String)],
                xLabel: String, yLabel: String, colorbarLabel: String) {
        self.title = title; self.values = values; self.rowLabels = rowLabels; self.columnTicks = columnTicks
        self.xLabel = xLabel; self.yLabel = yLabel; self.colorbarLabel = colorbarLabel
    }

    public func svg() -> String {
        let left = 110.0, right = 110.0, top = 48.0, bottom = 62.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let finite = values.values.filter(\.isFinite).map(Double.init)
        let low = finite.min() ?? 0, high = max(finite.max() ?? 1, (finite.min() ?? 0) + 1e-12)
        let cellWidth = plotWidth / Double(max(values.cols, 1)), cellHeight = plotHeight / Double(max(values.rows, 1))
        let n = SVGText.n
        var out: [String] = []
        out.append(##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(n(width)) \##(n(height))" width="\##(n(width))" height="\##(n(height))" font-family="Helvetica, Arial, sans-serif" font-size="13">"##)
        out.append(##"<rect x="0" y="0" width="\##(n(width))" height="\##(n(height))" fill="#FFFFFF"/>"##)
        out.append(##"<text x="\##(n(width / 2))" y="24" text-anchor="middle" font-size="16" font-weight="bold">\##(SVGText.escape(title))</text>"##)
        for r in 0..<values.rows {
            for c in 0..<values.cols {
                let v = Double(values[r, c])
                let color = v.isFinite ? SVGText.viridisColor((v - low) / (high - low)) : "#FFFFFF"
                out.append(##"<rect x="\##(n(left + Double(c) * cellWidth))" y="\##(n(top + Double(r) * cellHeight))" width="\##(n(cellWidth + 0.3))" height="\##(n(cellHeight + 0.3))" fill="\##(color)"/>"##)
            }
            if r < rowLabels.count {
                out.append(##"<text x="\##(n(left - 8))" y="\##(n(top + (Double(r) + 0.5) * cellHeight + 4))" text-anchor="end">\##(SVGText.escape(rowLabels[r]))</text>"##)
            }
        }
        for tick in columnTicks {
            let x = left + (Double(tick.index) + 0.5) * cellWidth
            out.append(##"<line x1="\##(n(x))" y1="\##(n(top + plotHeight))" x2="\##(n(x))" y2="\##(n(top + plotHeight + 5))" stroke="#333333"/>"##)
            out.append(##"<text x="\##(n(x))" y="\##(n(top + plotHeight + 20))" text-anchor="middle">\##(SVGText.escape(tick.label))</text>"##)
        }
        out.append(##"<rect x="\##(n(left))" y="\##(n(top))" width="\##(n(plotWidth))" height="\##(n(plotHeight))" fill="none" stroke="#333333"/>"##)
        out.append(##"<text x="\##(n(left + plotWidth / 2))" y="\##(n(height - 16))" text-anchor="middle">\##(SVGText.escape(xLabel))</text>"##)
        out.append(##"<text transform="translate(20 \##(n(top + plotHeight / 2))) rotate(-90)" text-anchor="middle">\##(SVGText.escape(yLabel))</text>"##)
        // Colour bar.
        let barX = left + plotWidth + 24, steps = 40
        for s in 0..<steps {
            let t = 1 - Double(s) / Double(steps - 1)
            out.append(##"<rect x="\##(n(barX))" y="\##(n(top + Double(s) * plotHeight / Double(steps)))" width="16" height="\##(n(plotHeight / Double(steps) + 0.3))" fill="\##(SVGText.viridisColor(t))"/>"##)
        }
        let ticks = SVGText.niceTicks(low, high, count: 5)
        for t in ticks.ticks where t >= low - 1e-12 && t <= high + 1e-12 {
            let y = top + plotHeight - (t - low) / (high - low) * plotHeight
            out.append(##"<text x="\##(n(barX + 22))" y="\##(n(y + 4))">\##(SVGText.tick(t, step: ticks.step))</text>"##)
        }
        out.append(##"<text transform="translate(\##(n(width - 14)) \##(n(top + plotHeight / 2))) rotate(-90)" text-anchor="middle">\##(SVGText.escape(colorbarLabel))</text>"##)
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }
}
