import Foundation

/// Every chart of a report also as PNG at print resolution and as PDF, drawn from its SVG by
/// librsvg in this process (ChartRenderer), written beside the SVG.
public enum FigureExport {
    /// Print resolution; the SVGs are sized in CSS pixels (96 per inch).
    public static let dpi = 300.0
    static let zoom = dpi / 96

    /// Renders every `*.svg` in `directory` to `.png` and `.pdf` beside it; returns how many.
    @discardableResult
    public static func renderCharts(in directory: String) throws -> Int {
        let charts = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".svg") }.sorted()
        // Each copy is independent of the others: they are drawn on every core, the largest SVGs
        // first so that the cores finish together, and the first failure in chart order (PNG
        // before PDF) is the one reported.
        let jobs = charts.flatMap { chart in [(chart: chart, png: true), (chart: chart, png: false)] }
        let size = charts.map { (try? FileManager.default.attributesOfItem(atPath: directory + "/" + $0)[.size] as? Int) ?? 0 }
        let largestFirst = jobs.indices.sorted { size[$0 / 2] > size[$1 / 2] }
        var failures = [Error?](repeating: nil, count: jobs.count)
        failures.withUnsafeMutableBufferPointer { slots in
            let out = UncheckedPointer(slots.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: jobs.count) { n in
                let i = largestFirst[n]
                do { try render(jobs[i].chart, png: jobs[i].png, in: directory) } catch { out.pointer[i] = error }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        return charts.count
    }

    static func render(_ chart: String, png: Bool, in directory: String) throws {
        let svg = directory + "/" + chart
        let stem = String(svg.dropLast(4))
        if png {
            let image = try PNGEncoder.encode(try ChartRenderer.pixels(svg: svg, zoom: zoom), dpi: dpi)
            guard FileManager.default.createFile(atPath: stem + ".png", contents: image) else {
                throw FourierLensError.outputFailure(output: String(chart.dropLast(4)) + ".png", reason: "could not be written")
            }
        } else {
            try ChartRenderer.pdf(svg: svg, to: stem + ".pdf")
        }
    }
}
