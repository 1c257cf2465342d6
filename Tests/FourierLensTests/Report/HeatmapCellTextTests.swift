import Foundation
@testable import FourierLens
import Testing

/// A heatmap with text in its cells (the lens's prediction trajectory): every text stays inside
/// its own cell (boxes from the text extents), long tokens are cut with "…", markup in a token is
/// escaped, and a fixed 0…1 range colours a probability of 1 at the scale's end whatever the data.
@Suite struct HeatmapCellTextTests {
    static let tokens = ["the", "<b>&", "an extremely long token that cannot fit", "x", "", "numbers"]

    func grid() -> (Heatmap, String) {
        var heatmap = Heatmap(title: "trajectory", values: Matrix(rows: 2, cols: 3, values: [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]),
                              rowLabels: ["layer 0", "layer 1"], columnTicks: [], xLabel: "input", yLabel: "layer",
                              colorbarLabel: "p")
        heatmap.cellText = HeatmapCellTextTests.tokens
        heatmap.cellTitles = (0..<6).map { "cell \($0): \(Double($0) / 10)" }
        heatmap.range = 0...1
        heatmap.width = 420
        return (heatmap, heatmap.svg())
    }

    @Test func everyTextStaysInsideItsCell() {
        let (_, svg) = grid()
        let geometry = SVGGeometry(svg: svg)
        let texts = geometry.texts(ofClass: "cell-text")
        #expect(texts.count == 6)
        let cellRegex = try! Regex(#"<rect class="cell" x="([-0-9.]+)" y="([-0-9.]+)" width="([-0-9.]+)" height="([-0-9.]+)""#)
        let cells = svg.matches(of: cellRegex).map { m -> Box in
            let v = (1...4).map { Double(String(m.output[$0].substring!))! }
            return Box(x0: v[0], y0: v[1], x1: v[0] + v[2], y1: v[1] + v[3])
        }
        #expect(cells.count == 6)
        for (text, cell) in zip(texts, cells) { #expect(cell.contains(text.box), "\(text.text) leaves its cell") }
        #expect(texts[1].text == "<b>&" && svg.contains("&lt;b&gt;&amp;") && !svg.contains("<b>"))
        #expect(texts[2].text.hasSuffix("…") && HeatmapCellTextTests.tokens[2].hasPrefix(String(texts[2].text.dropLast())))
        #expect(texts[0].text == "the" && texts[5].text == "numbers")
    }

    @Test func cellTitlesReplaceTheDefault() {
        let (_, svg) = grid()
        let titles = svg.matches(of: try! Regex(#"<title>([^<]*)</title>"#)).map { String($0.output[1].substring!) }
        #expect(titles == (0..<6).map { "cell \($0): \(Double($0) / 10)" })
    }

    @Test func aFixedRangeSpansTheColourBar() {
        var (heatmap, _) = grid()
        heatmap.values = Matrix(rows: 1, cols: 2, values: [0.5, 1])
        heatmap.cellText = ["a", "b"]
        heatmap.cellTitles = nil
        let fills = heatmap.svg().matches(of: try! Regex(##"<rect class="cell"[^>]* fill="(#[0-9A-F]{6})""##)).map { String($0.output[1].substring!) }
        #expect(fills == [SVGText.viridisColor(0.5), SVGText.viridisColor(1)])
        heatmap.range = nil  // the data's own range puts 0.5 at the bottom
        let own = heatmap.svg().matches(of: try! Regex(##"<rect class="cell"[^>]* fill="(#[0-9A-F]{6})""##)).map { String($0.output[1].substring!) }
        #expect(own == [SVGText.viridisColor(0), SVGText.viridisColor(1)])
    }

    @Test func fittedCutsToTheWidth() {
        let text = "abcdefghijklmnopqrstuvwxyz"
        for limit in [5.0, 20, 40, 80, 400] {
            let fitted = TextExtent.fitted(text, width: limit, fontSize: 11)
            #expect(TextExtent.width(fitted, fontSize: 11) <= limit)
            #expect(fitted == text || fitted.isEmpty || (fitted.hasSuffix("…") && text.hasPrefix(String(fitted.dropLast()))))
        }
        #expect(TextExtent.fitted(text, width: 400, fontSize: 11) == text)
        // As long as fits: one more character would not.
        let cut = TextExtent.fitted(text, width: 60, fontSize: 11)
        let longer = String(text.prefix(cut.count)) + "…"
        #expect(TextExtent.width(longer, fontSize: 11) > 60)
    }
}
