import Foundation

/// A heatmap of a matrix (rows top to bottom) with viridis colours and a colour bar.
public struct Heatmap: Sendable {
    /// How values map to colours. A spectrum whose slow trend (k = 1) is four times its
    /// strongest period leaves every other cell in the darkest quarter of a linear scale; a log
    /// scale, or a range taken without the trend's columns, shows that structure.
    public enum ColorScale: Sendable, Equatable {
        case linear
        /// log10 of the values; values ≤ 0 take the colour of the smallest positive one.
        case log
        /// Linear over the range of the other columns; cells of these columns beyond it are
        /// drawn at the scale's end, outlined, and the colour bar says so.
        case excludingColumns(Range<Int>)
    }

    public var title: String
    public var values: Matrix
    public var rowLabels: [String]
    /// Column positions to label on the x axis, with their text.
    public var columnTicks: [(index: Int, label: String)]
    public var xLabel: String
    public var yLabel: String
    public var colorbarLabel: String
    public var colorScale = ColorScale.linear
    /// The values the colour bar spans (default: the values' own range), e.g. 0…1 for probabilities.
    public var range: ClosedRange<Double>? = nil
    /// Text written in each cell (row-major, as `values`), cut with "…" to fit its cell.
    public var cellText: [String]? = nil
    /// Each cell's hover text (row-major), in place of "row, column: value".
    public var cellTitles: [String]? = nil
    /// What each column is, for the hover text ("k 14 (T=21.43)"); by default "column c".
    public var columnNames: [String]? = nil
    /// What a NaN cell means ("no number"): such cells are drawn light grey, say so on hover, and
    /// a grey swatch under the colour bar names them. Nil: NaN cells are white.
    public var missingName: String? = nil
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
        let range = scaleRange()
        let (low, high) = (range.low, range.high)
        let cellWidth = plotWidth / Double(max(values.cols, 1)), cellHeight = plotHeight / Double(max(values.rows, 1))
        let n = SVGText.n
        var out = SVGText.start(width: width, height: height, title: title)
        for r in 0..<values.rows {
            for c in 0..<values.cols {
                let v = Double(values[r, c])
                let color = v.isFinite ? SVGText.viridisColor(position(v, low: low, high: high)) : (missingName == nil ? "#FFFFFF" : Heatmap.missingColor)
                let beyond = v.isFinite && isExcluded(c) && scaled(v) > high
                let outline = beyond ? ##" stroke="#FFFFFF" stroke-width="1""## : ""
                let name = r < rowLabels.count ? rowLabels[r] : "row \(r)"
                let column = columnNames.map { c < $0.count ? $0[c] : "column \(c)" } ?? "column \(c)"
                let hover = cellTitles?[r * values.cols + c] ?? "\(name), \(column): \(v.isNaN ? missingName ?? "nan" : SVGText.short(v))"
                let x = left + Double(c) * cellWidth, y = top + Double(r) * cellHeight
                out.append(##"<rect class="cell" x="\##(n(x))" y="\##(n(y))" width="\##(n(cellWidth + 0.3))" height="\##(n(cellHeight + 0.3))" fill="\##(color)"\##(outline)><title>\##(SVGText.escape(hover))</title></rect>"##)
                if let text = cellText?[r * values.cols + c] {
                    // Dark text on the light end of viridis, white on the dark end; the text
                    // lets the pointer through to its cell.
                    let ink = v.isFinite && position(v, low: low, high: high) > 0.6 ? "#000000" : "#FFFFFF"
                    let fitted = TextExtent.fitted(text, width: cellWidth - 4, fontSize: Heatmap.cellFontSize)
                    out.append(##"<text class="cell-text" x="\##(n(x + cellWidth / 2))" y="\##(n(y + cellHeight / 2 + 4))" text-anchor="middle" font-size="\##(n(Heatmap.cellFontSize))" fill="\##(ink)" pointer-events="none">\##(SVGText.escape(fitted))</text>"##)
                }
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
        let ticks = SVGText.niceTicks(low, high, count: 5, integer: colorScale == .log && high - low >= 2)
        var widest = 0.0
        for t in ticks.ticks where t >= low - 1e-12 && t <= high + 1e-12 {
            let y = top + plotHeight - (t - low) / (high - low) * plotHeight
            // A log scale's ticks are its values (10^t), not their exponents.
            let text = colorScale == .log ? format(pow(10, t)) : SVGText.tick(t, step: ticks.step)
            widest = max(widest, TextExtent.width(text, fontSize: 13))
            out.append(##"<text x="\##(n(barX + 22))" y="\##(n(y + 4))">\##(text)</text>"##)
        }
        if let missingName, (0..<values.rows * values.cols).contains(where: { values.values[$0].isNaN }) {
            out.append(##"<rect class="missing-swatch" x="\##(n(barX))" y="\##(n(top + plotHeight + 8))" width="16" height="12" fill="\##(Heatmap.missingColor)" stroke="#999999" stroke-width="0.5"/>"##)
            out.append(##"<text class="missing-label" x="\##(n(barX + 22))" y="\##(n(top + plotHeight + 18))" font-size="11">\##(SVGText.escape(missingName))</text>"##)
        }
        // The rotated label's glyphs rise 0.8 em to the left of its baseline: past the widest
        // tick ("0.03162") it moves right, and the image widens to hold it.
        let labelX = max(width - 14, barX + 22 + widest + 4 + 0.8 * 13)
        out.append(##"<text class="colorbar-label" transform="translate(\##(n(labelX)) \##(n(top + plotHeight / 2))) rotate(-90)" text-anchor="middle">\##(SVGText.escape(colorbarLabel + scaleNote))</text>"##)
        if labelX > width - 14 { widen(&out, to: labelX + 14) }
        return SVGText.end(out)
    }

    static let cellFontSize = 11.0
    static let missingColor = "#DDDDDD"

    /// The frame's first two lines (the <svg> element and its white background) at a new width.
    private func widen(_ lines: inout [String], to newWidth: Double) {
        let (old, new) = (SVGText.n(width), SVGText.n(newWidth))
        lines[0] = lines[0].replacingOccurrences(of: "viewBox=\"0 0 \(old) ", with: "viewBox=\"0 0 \(new) ")
            .replacingOccurrences(of: " width=\"\(old)\"", with: " width=\"\(new)\"")
        lines[1] = lines[1].replacingOccurrences(of: " width=\"\(old)\"", with: " width=\"\(new)\"")
    }

    /// What the colour bar's label adds to say how colours were scaled.
    var scaleNote: String {
        switch colorScale {
        case .linear: return ""
        case .log: return " (log scale)"
        case let .excludingColumns(columns):
            return " (scaled without columns \(columns.lowerBound)–\(columns.upperBound - 1); outlined cells exceed it)"
        }
    }

    /// A value as the scale measures it: itself, or its log10.
    func scaled(_ v: Double) -> Double {
        colorScale == .log ? log10(v) : v
    }

    func isExcluded(_ column: Int) -> Bool {
        if case let .excludingColumns(columns) = colorScale { return columns.contains(column) }
        return false
    }

    /// The scaled values' range that spans the colour bar.
    func scaleRange() -> (low: Double, high: Double) {
        if let range { return (scaled(range.lowerBound), max(scaled(range.upperBound), scaled(range.lowerBound) + 1e-12)) }
        var chosen: [Double] = []
        for r in 0..<values.rows {
            for c in 0..<values.cols where !isExcluded(c) { chosen.append(Double(values[r, c])) }
        }
        chosen = chosen.filter(\.isFinite)
        if colorScale == .log { chosen = chosen.filter { $0 > 0 } }
        let scaledValues = chosen.map(scaled)
        let low = scaledValues.min() ?? 0
        return (low, max(scaledValues.max() ?? 1, low + 1e-12))
    }

    /// Where a value falls on the colour bar, 0…1 (values past either end are held at it).
    func position(_ v: Double, low: Double, high: Double) -> Double {
        let x = colorScale == .log ? (v > 0 ? log10(v) : low) : v
        return min(max((x - low) / (high - low), 0), 1)
    }
}
