import Foundation
@testable import FourierLens
import Testing

/// A one-layer model's per-layer charts: every series is one point, which a line alone does not
/// draw. Each must show as a marker in the middle of the x axis, never as an empty frame.
@Suite struct SinglePointChartTests {
    static func markers(_ svg: String) -> [(x: Double, y: Double)] {
        let pattern = try! NSRegularExpression(pattern: #"<circle class="point"[^>]* cx="([0-9.]+)" cy="([0-9.]+)""#)
        return pattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { match in
            (Double(svg[Range(match.range(at: 1), in: svg)!])!, Double(svg[Range(match.range(at: 2), in: svg)!])!)
        }
    }

    @Test func oneLayerDrawsAMarkerPerSeriesInTheMiddle() {
        var chart = LineChart(title: "Number accuracy per layer", xLabel: "layer", yLabel: "accuracy", series: [
            .init(name: "exact", x: [0], y: [0.25]), .init(name: "within ±2", x: [0], y: [0.75], style: .dashed),
        ])
        chart.yCeiling = 1
        let svg = chart.svg()
        let points = Self.markers(svg)
        #expect(points.count == 2)
        let plotWidth = chart.width - LineChart.left - LineChart.right
        for point in points { #expect(abs(point.x - (LineChart.left + plotWidth / 2)) < 0.01) }
        #expect(points[0].y > points[1].y, "0.25 is drawn below 0.75")
        #expect(svg.contains(##"fill="#ffffff""##), "the dashed series' marker is hollow")
        #expect(svg.contains(">0</text>"), "the layer's tick")
    }

    @Test func seriesOfSeveralPointsKeepTheirLinesWithoutMarkers() {
        let chart = LineChart(title: "t", xLabel: "layer", yLabel: "y", series: [.init(name: "a", x: [0, 1, 2], y: [1, 2, 3])])
        #expect(Self.markers(chart.svg()).isEmpty)
    }
}
