import Foundation
@testable import FourierLens
import Testing

@Suite struct ReportWriterTests {
    @Test func csvFollowsRFC4180() {
        var table = CSVTable(header: ["name", "value", "flag"])
        table.append([.text("plain"), .number(0.1), .flag(true)])
        table.append([.text("has,comma \"and quotes\""), .number(.nan), .flag(false)])
        table.append([.text("line\nbreak"), .integer(-3), .missing])
        #expect(table.render() == "name,value,flag\r\nplain,0.1,true\r\n\"has,comma \"\"and quotes\"\"\",,false\r\n\"line\nbreak\",-3,\r\n")
        var precise = CSVTable(header: ["x"])
        precise.append([.number(1.0 / 3.0)])
        #expect(Double(precise.render().split(separator: "\r\n")[1]) == 1.0 / 3.0)  // full precision
    }

    @Test func chartsAreStandaloneAndDeterministic() {
        var chart = LineChart(title: "t <&>", xLabel: "k", yLabel: "m",
                              series: [.init(name: "a", x: [1, 2, 3], y: [1, 4, 2], style: .stems)])
        chart.labels = [.init(x: 2, y: 4, text: "T=2.5")]
        let svg = chart.svg()
        #expect(svg == chart.svg())
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 960 440\""))
        #expect(svg.contains("t &lt;&amp;&gt;") && svg.contains(">T=2.5</text>"))
        let heatmap = Heatmap(title: "h", values: Matrix(rows: 2, cols: 3, values: [0, 1, 2, 3, 4, 5]),
                              rowLabels: ["L0", "L1"], columnTicks: [(0, "a"), (2, "c")], xLabel: "x", yLabel: "y",
                              colorbarLabel: "logit")
        let heat = heatmap.svg()
        #expect(heat.contains("#440154") && heat.contains("#FDE725"))  // viridis ends: lowest and highest cells
        #expect(heat.contains(">logit</text>") && heat == heatmap.svg())
    }

    @Test func pagesEscapeAndLinkTheirFiles() {
        let page = ReportPage(title: "R & D", subtitle: "s", sections: [
            .figure(id: "f", svg: "<svg></svg>", caption: "c < d"),
            .table(caption: "t", header: ["a"], rows: [["1"]]),
            .files([("spectrum.csv", "data")]),
        ]).html()
        #expect(page.contains("<title>R &amp; D</title>") && page.contains("<figcaption>c &lt; d</figcaption>"))
        #expect(page.contains("<a href=\"spectrum.csv\">spectrum.csv</a>") && page.contains("<svg></svg>"))
        // Self-contained: one inline script, nothing loaded from elsewhere.
        #expect(page.components(separatedBy: "<script").count == 2 && page.contains("<script>\n"))
        #expect(!page.contains("src=") && !page.contains("http:") && !page.contains("https:"))
    }
}
