import Foundation
@testable import FourierLens
import Testing

/// A layer × frequency spectrum whose trend (k = 1, magnitude 89) dwarfs a planted period
/// (magnitude 22) over noise between 1 and 3, as in the number-logit spectra: the planted cell
/// must reach the upper half of the colour bar, read back from the drawn colours.
@Suite struct HeatmapScaleTests {
    static let rows = 6, cols = 50, trend = 0, planted = 9

    static func spectrum() -> Matrix {
        var random = SeededRandom(seed: 3)
        var m = Matrix(rows: rows, cols: cols, values: (0..<rows * cols).map { _ in Float(1 + 2 * random.nextUnit()) })
        for r in 0..<rows {
            m[r, trend] = 89
            m[r, planted] = 22
        }
        return m
    }

    /// Each cell's place on the colour bar (0…1), recovered from its fill by the nearest viridis colour.
    static func positions(_ svg: String) -> [[Double]] {
        let regex = try! Regex(##"<rect class="cell"[^>]* fill="#([0-9A-F]{6})""##)
        let fills = svg.matches(of: regex).map { String($0.output[1].substring!) }
        let table = (0...200).map { (Double($0) / 200, SVGText.viridisColor(Double($0) / 200).dropFirst()) }
        func rgb(_ hex: Substring) -> [Int] { stride(from: 0, to: 6, by: 2).map { Int(hex.dropFirst($0).prefix(2), radix: 16)! } }
        let t = fills.map { fill -> Double in
            let c = rgb(Substring(fill))
            return table.min { a, b in
                zip(rgb(a.1), c).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) < zip(rgb(b.1), c).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            }!.0
        }
        return (0..<rows).map { r in Array(t[r * cols..<(r + 1) * cols]) }
    }

    func chart(_ scale: Heatmap.ColorScale) -> String {
        var heatmap = Heatmap(title: "spectra", values: HeatmapScaleTests.spectrum(), rowLabels: (0..<6).map { "layer \($0)" },
                              columnTicks: [], xLabel: "k", yLabel: "layer", colorbarLabel: "magnitude")
        heatmap.colorScale = scale
        return heatmap.svg()
    }

    func plantedAndNoise(_ svg: String) -> (planted: Double, noise: Double) {
        let t = HeatmapScaleTests.positions(svg)
        let noise = t.flatMap { row in row.indices.filter { $0 != HeatmapScaleTests.trend && $0 != HeatmapScaleTests.planted }.map { row[$0] } }
        return (t.map { $0[HeatmapScaleTests.planted] }.min()!, noise.max()!)
    }

    @Test func linearScaleFlattensThePlantedPeriod() {
        // The defect the other scales fix: the planted period sits in the bottom quarter.
        #expect(plantedAndNoise(chart(.linear)).planted < 0.3)
    }

    @Test(arguments: [Heatmap.ColorScale.log, .excludingColumns(0..<1)])
    func plantedPeriodStandsOutAndTheScaleIsStated(scale: Heatmap.ColorScale) {
        let svg = chart(scale)
        let (planted, noise) = plantedAndNoise(svg)
        #expect(planted >= 0.6, "planted cell at \(planted)")
        #expect(planted - noise >= 0.4, "planted \(planted), noise up to \(noise)")
        let label = SVGGeometry.unescape(String(svg.firstMatch(of: try! Regex(#"class="colorbar-label"[^>]*>([^<]*)<"#))!.output[1].substring!))
        #expect(label.contains(scale == .log ? "(log scale)" : "scaled without columns 0–0"), "\(label)")
    }

    @Test func excludedColumnsBeyondTheScaleAreOutlined() {
        let svg = chart(.excludingColumns(0..<1))
        #expect(svg.matches(of: try! Regex(##"<rect class="cell"[^>]*stroke="#FFFFFF""##)).count == HeatmapScaleTests.rows)
    }

    @Test func everyCellCarriesItsValue() {
        let titles = chart(.linear).matches(of: try! Regex(#"<title>layer 2, column 9: ([^<]*)</title>"#))
        #expect(titles.map { String($0.output[1].substring!) } == ["22"])
    }
}
