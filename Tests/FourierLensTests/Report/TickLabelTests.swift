import Foundation
import Testing
@testable import FourierLens

/// Tick labels read back as numbers must equal the true tick values.
@Suite struct TickLabelTests {
    @Test(arguments: [0.25, 0.025, 1.25, 2.5, 0.5, 5.0])
    func labelsParseBackToTickValues(step: Double) {
        for i in -4...8 {
            let value = Double(i) * step
            let label = SVGText.tick(value, step: step)
            #expect(abs((Double(label) ?? .nan) - value) < step * 1e-9, "\(label) for \(value)")
        }
    }

    @Test func layerAxisTicksAreIntegers() {
        for high in [1.0, 2, 3, 5, 7, 11, 31] {
            let (ticks, step) = SVGText.niceTicks(0, high, count: 9, integer: true)
            #expect(step >= 1 && step == step.rounded())
            #expect(ticks.allSatisfy { $0 == $0.rounded() })
        }
    }

    @Test func lineChartOverLayersShowsOnlyIntegerXLabels() throws {
        let chart = LineChart(title: "t", xLabel: "layer", yLabel: "accuracy",
                              series: [.init(name: "resid_post", x: [0, 1, 2], y: [0.1, 0.5, 0.9])])
        let svg = chart.svg()
        let regex = try Regex(#"text-anchor="middle">([^<]+)</text>"#)
        let labels = svg.matches(of: regex).compactMap { Double(String($0.output[1].substring ?? "")) }
        #expect(!labels.isEmpty)
        #expect(labels.allSatisfy { $0 == $0.rounded() }, "\(labels)")
    }

    /// Accuracies reach 1 at most: with yCeiling 1 the axis stops at 1.00 (not 1.25), and a value
    /// above the ceiling still gets room (the ceiling never hides data).
    @Test func aCeilingStopsTheYAxisAtOne() throws {
        var chart = LineChart(title: "t", xLabel: "layer", yLabel: "accuracy",
                              series: [.init(name: "exact", x: [0, 1, 2], y: [1, 0.99, 0.6])])
        let regex = try Regex(#"text-anchor="end">([^<]+)</text>"#)
        func yLabels(_ svg: String) -> [Double] { svg.matches(of: regex).compactMap { Double(String($0.output[1].substring ?? "")) } }
        #expect(yLabels(chart.svg()).max() == 1.25)
        chart.yCeiling = 1
        #expect(yLabels(chart.svg()).max() == 1 && yLabels(chart.svg()).min() == 0)
        chart.series[0].y = [1.5, 1, 0.5]
        #expect(yLabels(chart.svg()).max()! >= 1.5)
    }
}
