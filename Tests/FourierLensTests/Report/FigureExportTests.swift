import Foundation
@testable import FourierLens
import Testing

/// The print copies drawn in the process: a PNG with its resolution that decodes to the chart's
/// size, a PDF page of the chart's size in points, and one error naming the first chart that
/// fails, in chart order.
@Suite struct FigureExportTests {
    static let chart = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 48" width="96" height="48"><rect width="96" height="48" fill="#FFFFFF"/><rect x="10" y="10" width="20" height="20" fill="#440154"/></svg>"##

    func folder(_ files: [String: String]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("figures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: url.appendingPathComponent(name)) }
        return url.path
    }

    @Test func pngAndPdfBesideEachChart() throws {
        let directory = try folder(["a.svg": Self.chart])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try FigureExport.renderCharts(in: directory) == 1)
        let png = try Data(contentsOf: URL(fileURLWithPath: directory + "/a.png"))
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        func word(_ at: Int) -> UInt32 { png[at ..< at + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        // IHDR: 96 × 48 CSS pixels at 300/96 → 300 × 150; then pHYs at 11 811 pixels per metre.
        #expect(word(16) == 300 && word(20) == 150 && png[25] == 2)
        #expect(String(decoding: png[37 ..< 41], as: UTF8.self) == "pHYs" && word(41) == 11_811 && word(45) == 11_811)
        let pdf = try String(decoding: Data(contentsOf: URL(fileURLWithPath: directory + "/a.pdf")), as: UTF8.self)
        #expect(pdf.hasPrefix("%PDF") && pdf.contains("/MediaBox [ 0 0 72 36 ]"))
        // Drawn again: the same bytes (a fixed date in the PDF).
        let first = try Data(contentsOf: URL(fileURLWithPath: directory + "/a.pdf"))
        try FigureExport.renderCharts(in: directory)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/a.pdf")) == first)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/a.png")) == png)
    }

    @Test func theFirstFailingChartInOrderIsTheOneReported() throws {
        let directory = try folder(["a.svg": Self.chart, "b.svg": "<svg", "c.svg": "not svg at all"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            try FigureExport.renderCharts(in: directory)
            Issue.record("a broken chart was drawn")
        } catch let FourierLensError.outputFailure(output, reason) {
            #expect(output == "b.svg" && reason.hasPrefix("librsvg: "), "\(output): \(reason)")
        }
    }

    @Test func aPictureTooLargeForCairoIsOneErrorNotACrash() throws {
        let huge = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 90000000 90000000" width="90000000" height="90000000"><rect width="10" height="10"/></svg>"##
        let directory = try folder(["huge.svg": huge])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            try FigureExport.renderCharts(in: directory)
            Issue.record("a picture larger than cairo's limit was drawn")
        } catch let FourierLensError.outputFailure(output, reason) {
            #expect(output == "huge.svg" && reason.hasPrefix("librsvg: "), "\(output): \(reason)")
        }
    }
}
