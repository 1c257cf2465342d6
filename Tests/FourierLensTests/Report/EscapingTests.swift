import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import FourierLens
import Testing

/// The one escaping rule, over every text field of every chart piece: a string full of markup
/// (& < > " and a would-be element) put in any of them leaves each chart well-formed XML, and the
/// parser gives the string back intact, as text or as an attribute's value.
@Suite struct EscapingTests {
    static let hostile = #"a<b>&"c" </svg><script>x</script>"#

    /// Every text node and attribute value of a well-formed document (nil when it is not one).
    static func readBack(_ xml: String) -> [String]? {
        final class Collector: NSObject, XMLParserDelegate {
            var found: [String] = [], current = ""
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                found += attributes.values; found.append(current); current = ""
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                found.append(current); current = ""
            }
        }
        let parser = XMLParser(data: Data(xml.utf8))
        let collector = Collector()
        parser.delegate = collector
        return parser.parse() ? collector.found : nil
    }

    static func expectIntact(_ svg: String, fields: Int, _ what: String) {
        guard let texts = readBack(svg) else {
            Issue.record("\(what) is not well-formed XML")
            return
        }
        #expect(texts.filter { $0.contains(hostile) }.count >= fields, "\(what): \(texts.filter { $0.contains("a<b>") })")
        #expect(!svg.contains("<script>"), "\(what) lets an element through")
    }

    @Test func lineChart() {
        let h = EscapingTests.hostile
        var chart = LineChart(title: h, xLabel: h, yLabel: h, series: [.init(name: h, x: [1, 2, 3], y: [1, 3, 2])])
        chart.bands = [.init(name: h + " band", x: [1, 2, 3], lower: [0, 0, 0], upper: [2, 2, 2])]
        chart.labels = [.init(x: 2, y: 3, text: h)]
        // title, x label, y label, the legend entry, the band's title, a point's hover, the point label
        EscapingTests.expectIntact(chart.svg(), fields: 7, "LineChart")
    }

    @Test func barChart() {
        let h = EscapingTests.hostile
        var chart = BarChart(title: h, yLabel: h, categories: [h, "b"], series: [.init(name: h, values: [0.5, 0.7])])
        chart.reference = [0.1, 0.2]
        chart.referenceName = h
        EscapingTests.expectIntact(chart.svg(), fields: 5, "BarChart")
    }

    @Test func heatmap() {
        let h = EscapingTests.hostile
        var heatmap = Heatmap(title: h, values: Matrix(rows: 1, cols: 2, values: [0.2, 0.8]), rowLabels: [h],
                              columnTicks: [(0, h)], xLabel: h, yLabel: h, colorbarLabel: h)
        EscapingTests.expectIntact(heatmap.svg(), fields: 7, "Heatmap")
        heatmap.cellTitles = [h, h]
        heatmap.cellText = ["<&>", "\""]
        let svg = heatmap.svg()
        EscapingTests.expectIntact(svg, fields: 8, "Heatmap with cell text")
        #expect(EscapingTests.readBack(svg)?.contains("<&>") == true)
    }
}
