import Foundation
@testable import FourierLens
import Testing

/// Probe charts: one chart per metric, sides named by their inputs, R² far below zero kept off
/// the accuracy scale and written out.
@Suite struct ProbeChartTests {
    static func result(_ source: String, r2: Double) -> ProbeResult {
        ProbeResult(source: source, layer: nil, rows: 10, columns: 4, scores: [
            ProbeScore(probe: "value", metric: "r2", folds: [0.9, 0.92], chance: 0, control: [r2, r2]),
            ProbeScore(probe: "mod2", metric: "accuracy", folds: [0.8, 0.84], chance: 0.5, control: [0.5, 0.48]),
            ProbeScore(probe: "helix_baseline_pca", metric: "r2", folds: [0.4, 0.42], chance: nil, control: nil),
        ])
    }

    @Test func eachMetricHasItsOwnChartWithItsOwnProbes() {
        let charts = ProbeReport.charts([ProbeChartTests.result("W_E", r2: -2.4)])
        #expect(charts.map(\.0) == ["probes_accuracy.svg", "probes_r2.svg"])
        let accuracy = SVGGeometry(svg: charts[0].1).texts(ofClass: "category").map(\.text)
        let r2 = SVGGeometry(svg: charts[1].1).texts(ofClass: "category").map(\.text)
        #expect(accuracy == ["mod2"])
        #expect(r2 == ["value", "helix_baseline_pca"])
    }

    @Test func r2BelowTheFloorIsDrawnAtTheFloorWithItsValueWritten() {
        let r2Chart = ProbeReport.charts([ProbeChartTests.result("W_E", r2: -2.4)])[1].1
        let geometry = SVGGeometry(svg: r2Chart)
        #expect(geometry.texts(ofClass: "clipped-value").map(\.text) == ["-2.4"])
        // The lowest y tick is −1: the −2.4 control does not stretch the axis.
        let ticks = geometry.texts().filter { $0.classes.isEmpty }.compactMap { Double($0.text) }
        #expect(ticks.min() == -1, "\(ticks)")
    }

    @Test func compareLegendNamesEachSideByItsInput() throws {
        let a = ChartLabelTests.crowdedSpectrum()
        var result = CompareResult(a: a, b: a)
        result.probesA = ProbeChartTests.result("A", r2: 0)
        result.probesB = ProbeChartTests.result("B", r2: 0)
        let charts = CompareReport.probeCharts(result, result.probesA!, result.probesB!)
        #expect(charts.map(\.0) == ["probes_accuracy.svg", "probes_r2.svg"])
        for (_, svg, _) in charts {
            let legend = SVGGeometry(svg: svg).texts(ofClass: "legend").map(\.text)
            #expect(legend == ["A: \(a.label)", "B: \(a.label)", "chance"], "\(legend)")
            #expect(!legend.contains("A: A"))
        }
    }
}
