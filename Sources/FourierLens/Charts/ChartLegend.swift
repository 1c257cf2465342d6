/// A legend under a chart: entries left to right, wrapping to a new row when the next one would
/// pass the right edge, so it never covers the data and never runs off the image.
struct ChartLegend {
    enum Swatch {
        case line(color: String, dashed: Bool)
        case area(color: String, opacity: Double)
    }

    struct Entry {
        let name: String
        let swatch: Swatch
        /// The `data-series` key of what this entry shows; on the page a click hides or shows it.
        var toggles: String? = nil
    }

    static let rowHeight = 18.0
    static let fontSize = 13.0

    var entries: [Entry]

    /// Rows of entry indices within `width`.
    func rows(width: Double) -> [[Int]] {
        var rows: [[Int]] = [[]]
        var used = 0.0
        for (index, entry) in entries.enumerated() {
            let w = entryWidth(entry)
            if !rows[rows.count - 1].isEmpty && used + w > width {
                rows.append([])
                used = 0
            }
            rows[rows.count - 1].append(index)
            used += w
        }
        return entries.isEmpty ? [] : rows
    }

    func height(width: Double) -> Double { Double(rows(width: width).count) * ChartLegend.rowHeight }

    /// The legend's elements, its first row's centre line at y.
    func elements(x: Double, y: Double, width: Double) -> [String] {
        let n = SVGText.n
        var out: [String] = []
        for (r, row) in rows(width: width).enumerated() {
            var left = x
            let mid = y + Double(r) * ChartLegend.rowHeight
            for index in row {
                let entry = entries[index]
                if let key = entry.toggles { out.append(##"<g class="legend-entry" data-toggle="\##(SVGText.escape(key))">"##) }
                switch entry.swatch {
                case let .line(color, dashed):
                    let dash = dashed ? ##" stroke-dasharray="6 4""## : ""
                    out.append(##"<line x1="\##(n(left))" y1="\##(n(mid))" x2="\##(n(left + 22))" y2="\##(n(mid))" stroke="\##(color)" stroke-width="2.5"\##(dash)/>"##)
                case let .area(color, opacity):
                    out.append(##"<rect x="\##(n(left))" y="\##(n(mid - 6))" width="22" height="12" fill="\##(color)" fill-opacity="\##(n(opacity))"/>"##)
                }
                out.append(##"<text class="legend" x="\##(n(left + 28))" y="\##(n(mid + 4))">\##(SVGText.escape(entry.name))</text>"##)
                if entry.toggles != nil { out.append("</g>") }
                left += entryWidth(entry)
            }
        }
        return out
    }

    private func entryWidth(_ entry: Entry) -> Double {
        28 + TextExtent.width(entry.name, fontSize: ChartLegend.fontSize) + 22
    }
}
