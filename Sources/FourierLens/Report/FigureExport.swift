import Foundation

/// Every chart of a report also as PNG at print resolution and as PDF, rendered from its SVG by
/// librsvg's `rsvg-convert` (Debian librsvg2-bin), written beside the SVG.
public enum FigureExport {
    /// Print resolution; the SVGs are sized in CSS pixels (96 per inch).
    public static let dpi = 300.0
    static let zoom = dpi / 96

    public enum Outcome: Equatable {
        case rendered(Int)
        /// rsvg-convert is not on PATH: the charts stay SVG only.
        case converterMissing
    }

    /// Renders every `*.svg` in `directory` to `.png` and `.pdf` beside it.
    public static func renderCharts(in directory: String) throws -> Outcome {
        let charts = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".svg") }.sorted()
        guard !charts.isEmpty else { return .rendered(0) }
        guard let converter = findOnPath("rsvg-convert") else { return .converterMissing }
        // Each conversion is a process of its own, independent of the others: they run one per
        // core, and the first failure in chart order (PNG before PDF) is the one reported.
        let jobs = charts.flatMap { chart in [(chart: chart, png: true), (chart: chart, png: false)] }
        var failures = [Error?](repeating: nil, count: jobs.count)
        failures.withUnsafeMutableBufferPointer { slots in
            let out = UncheckedPointer(slots.baseAddress!)
            let workers = min(jobs.count, max(1, ProcessInfo.processInfo.activeProcessorCount))
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for i in stride(from: worker, to: jobs.count, by: workers) {
                    do { try convert(jobs[i].chart, png: jobs[i].png, in: directory, with: converter) } catch { out.pointer[i] = error }
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        return .rendered(charts.count)
    }

    static func convert(_ chart: String, png: Bool, in directory: String, with converter: String) throws {
        let svg = directory + "/" + chart
        let stem = String(svg.dropLast(4))
        if png {
            try run(converter, ["--zoom", String(zoom), "--format", "png", "--output", stem + ".png", svg], chart: chart)
            try PNGResolution.set(dpi: dpi, file: stem + ".png", name: String(chart.dropLast(4)) + ".png")
        } else {
            try run(converter, ["--format", "pdf", "--output", stem + ".pdf", svg], chart: chart)
        }
    }

    static func run(_ converter: String, _ arguments: [String], chart: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: converter)
        process.arguments = arguments
        // cairo dates a PDF now unless told otherwise: a fixed date keeps the same input the same bytes.
        var environment = ProcessInfo.processInfo.environment
        environment["SOURCE_DATE_EPOCH"] = "0"
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw FourierLensError.outputFailure(output: chart, reason: "rsvg-convert could not start: \(error)")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let line = message.split(separator: "\n").first.map(String.init) ?? "exit \(process.terminationStatus)"
            throw FourierLensError.outputFailure(output: chart, reason: "rsvg-convert: \(line)")
        }
    }

    static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Writes a PNG's physical resolution (its pHYs chunk), which rsvg-convert leaves out, so that
/// a document places the image at its print size.
enum PNGResolution {
    static func set(dpi: Double, file: String, name: String) throws {
        guard var png = FileManager.default.contents(atPath: file), png.count > 33,
              png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw FourierLensError.outputFailure(output: name, reason: "rsvg-convert wrote no PNG")
        }
        let perMetre = UInt32((dpi / 0.0254).rounded())
        var body = Data("pHYs".utf8)
        for _ in 0..<2 { body.append(contentsOf: bigEndian(perMetre)) }
        body.append(1)  // unit: the metre
        var chunk = Data(bigEndian(9))
        chunk.append(body)
        chunk.append(contentsOf: bigEndian(crc32(body)))
        // After the signature (8 bytes) and IHDR (4 + 4 + 13 + 4 bytes).
        png.insert(contentsOf: chunk, at: 33)
        guard FileManager.default.createFile(atPath: file, contents: png) else {
            throw FourierLensError.outputFailure(output: name, reason: "could not write the PNG's resolution")
        }
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// The CRC-32 of PNG chunks (ISO 3309, polynomial 0xEDB88320).
    static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
