import Foundation
@testable import FourierLens
import Testing

/// Labels are read back from the drawn SVG and boxed by their text extents: none may overlap
/// another text, a marker or a stem, and none may be missing.
@Suite struct ChartLabelTests {
    /// Outliers crowded at low k, as in an embedding's spectrum: p = 300 with periods 300 … 33.3
    /// (k = 1…9) planted beside k = 12, 30, 60, 120 and 150.
    static func crowdedSpectrum() -> SpectrumResult {
        let p = 300, d = 48
        let planted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 30, 60, 120, 150]
        var random = SeededRandom(seed: 5)
        var matrix = Matrix(rows: p, cols: d, values: (0..<p * d).map { _ in Float(random.nextGaussian()) })
        for j in 0..<d {
            for (i, k) in planted.enumerated() {
                let phase = 2 * Double.pi * random.nextUnit(), amplitude = 1.2 + 0.05 * Double(i % 4)
                for x in 0..<p { matrix[x, j] += Float(amplitude * cos(2 * Double.pi * Double(k * x) / Double(p) + phase)) }
            }
        }
        let input = NumberMatrix(file: "planted", dataset: "/m", valuesDataset: "/v", layer: nil, matrix: matrix,
                                 values: (0..<Int64(p)).map { $0 })
        return SpectrumRun.run(input, options: SpectrumOptions())
    }

    /// No two texts overlap; no point label covers a marker, a stem or leaves the image.
    static func expectClear(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let geometry = SVGGeometry(svg: svg)
        let texts = geometry.texts()
        #expect(SVGGeometry.overlaps(texts).isEmpty, "\(SVGGeometry.overlaps(texts))", sourceLocation: sourceLocation)
        let image = Box(x0: 0, y0: 0, x1: geometry.size.width, y1: geometry.size.height)
        for label in geometry.texts(ofClass: "point-label") {
            #expect(image.contains(label.box), "\(label.text) leaves the image", sourceLocation: sourceLocation)
            for marker in geometry.markers {
                let markerBox = Box(x0: marker.x - 3.5, y0: marker.y - 3.5, x1: marker.x + 3.5, y1: marker.y + 3.5)
                #expect(!label.box.intersects(markerBox), "\(label.text) covers a marker", sourceLocation: sourceLocation)
            }
            for stem in geometry.stems {
                #expect(!label.box.crosses(stem.0, stem.1), "\(label.text) sits on the stem at x = \(stem.0.x)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func everyOutlierTheSummaryListsHasItsLabelAndNoneCollides() {
        let result = ChartLabelTests.crowdedSpectrum()
        let summary = SpectrumReport.summary(result)
        // The chart labels every outlier, the slow trend's (listed apart) too.
        let expected = (summary.outliers + summary.trend_outliers).map { SpectrumRun.periodLabel($0.k, p: result.p) }
        #expect(expected.contains("T=50") && expected.contains("T=37.5") && expected.contains("T=60"), "\(expected)")
        let svg = SpectrumReport.svg(result)
        let drawn = SVGGeometry(svg: svg).texts(ofClass: "point-label").map(\.text)
        #expect(drawn.sorted() == expected.sorted())
        ChartLabelTests.expectClear(svg)
    }

    @Test func compareChartLabelsBothSidesWithoutCollisions() {
        let a = ChartLabelTests.crowdedSpectrum()
        let svg = CompareReport.svg(CompareResult(a: a, b: a))
        #expect(SVGGeometry(svg: svg).texts(ofClass: "point-label").count == 2 * a.test.outlierFrequencies.count)
        ChartLabelTests.expectClear(svg)
    }

    /// The class, not the example: random stems with random labelled subsets, equal heights included.
    @Test(arguments: 0..<12) func randomCrowdedLabelsAreAllPlacedClear(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let count = 40 + Int(random.nextUnit() * 80)
        let x = (1...count).map(Double.init)
        let y = x.map { _ in random.nextUnit() < 0.3 ? 10.0 : 1 + 9 * random.nextUnit() }
        var chart = LineChart(title: "t", xLabel: "k", yLabel: "m", series: [.init(name: "observed", x: x, y: y, style: .stems)])
        let labelled = x.indices.filter { _ in random.nextUnit() < 0.35 }
        chart.labels = labelled.map { LineChart.PointLabel(x: x[$0], y: y[$0], text: "T=\(String(format: "%.2f", 300 / x[$0]))") }
        let svg = chart.svg()
        #expect(SVGGeometry(svg: svg).texts(ofClass: "point-label").count == labelled.count)
        ChartLabelTests.expectClear(svg)
    }

    @Test(arguments: [3, 8, 30]) func categoryLabelsNeverCollide(count: Int) {
        let names = (0..<count).map { ["helix_baseline_pca", "helix_baseline_poly", "value", "mod10"][$0 % 4] + "_\($0)" }
        let chart = BarChart(title: "t", yLabel: "y", categories: names,
                             series: [.init(name: "probe", values: names.indices.map { Double($0) / Double(count) })])
        let svg = chart.svg()
        let geometry = SVGGeometry(svg: svg)
        let texts = geometry.texts() + geometry.verticalTexts(ofClass: "category")
        #expect(SVGGeometry.overlaps(texts).isEmpty, "\(SVGGeometry.overlaps(texts))")
        // Every name is written whole, on one line or wrapped at its underscores.
        let written = geometry.texts(ofClass: "category").map(\.text).joined(separator: " ") + " "
            + geometry.verticalTexts(ofClass: "category").map(\.text).joined(separator: " ")
        for name in names {
            #expect(written.contains(name) || written.contains(name.replacingOccurrences(of: "_", with: " ")), "\(name) missing")
        }
        let image = Box(x0: 0, y0: 0, x1: geometry.size.width, y1: geometry.size.height)
        #expect(texts.allSatisfy { image.contains($0.box) })
    }

    /// A study's long task labels take at most three lines,
    /// the last cut with "…", never five.
    @Test func longCategoryNamesTakeThreeLinesAtMost() {
        let names = (0..<8).map { "attn out −high (with mlp out, layers 0–\($0), seed 7, remove high)" }
        let chart = BarChart(title: "t", yLabel: "y", categories: names, series: [.init(name: "before", values: names.map { _ in 0.5 })])
        let geometry = SVGGeometry(svg: chart.svg())
        let rows = Dictionary(grouping: geometry.texts(ofClass: "category"), by: { Int($0.box.x0 + $0.box.x1) / 2 })
        #expect(rows.count == names.count)
        for (_, lines) in rows {
            #expect(lines.count <= CategoryLabels.maxLines, "\(lines.map(\.text))")
            #expect(lines.map(\.text).joined(separator: " ").hasSuffix("…"))
        }
        #expect(SVGGeometry.overlaps(geometry.texts()).isEmpty)
    }

    @Test func theLastResortStacksLabelsWithoutOverlap() {
        let texts = (0..<20).map { "T=\($0).25" }
        let placements = LabelPlacer.stacked(texts, points: texts.map { _ in (x: 100.0, y: 300.0) }, top: 32, rowHeight: 18,
                                             left: 78, right: 936, fontSize: 12)
        #expect(placements.map(\.text) == texts)
        for i in placements.indices {
            #expect(placements[i].box.x0 >= 78 && placements[i].box.y0 >= 32)
            for j in placements.indices where j > i { #expect(!placements[i].box.intersects(placements[j].box)) }
        }
    }

    /// Labels on one point, more than fit beside it: all drawn, none overlapping.
    @Test func manyLabelsOnOnePointAreAllPlacedClear() {
        var chart = LineChart(title: "t", xLabel: "k", yLabel: "m",
                              series: [.init(name: "observed", x: [1, 2, 3], y: [5, 9, 5], style: .stems)])
        chart.labels = (0..<25).map { LineChart.PointLabel(x: 2, y: 9, text: "T=\($0).5") }
        let svg = chart.svg()
        #expect(SVGGeometry(svg: svg).texts(ofClass: "point-label").count == 25)
        ChartLabelTests.expectClear(svg)
    }
}
