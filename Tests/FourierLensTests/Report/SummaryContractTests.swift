import Foundation
import Testing
@testable import FourierLens

/// summary.json is its report's public type: what a command writes decodes as that type and
/// encodes back to the same bytes (no key lost, renamed or reformatted on the way to a study),
/// and a summary whose key was renamed does not decode.
@Suite struct SummaryContractTests {
    static var root: URL { TestPaths.packageRoot }
    static var demo: String { root.appendingPathComponent("probes/data/minilm_demo.h5").path }
    static let probes = ["--probes", "value,mod2,helix", "--pca-dimensions", "8"]

    func written(_ arguments: [String]) throws -> String {
        let out = try TestPaths.scratchDirectory().appendingPathComponent("report")
        let result = try runProcess(TestPaths.tool, arguments + ["--out", out.path, "--no-figures", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        return try String(contentsOf: out.appendingPathComponent("summary.json"), encoding: .utf8)
    }

    func expectSameBytes<Summary: Codable>(_ type: Summary.Type, _ arguments: [String]) throws {
        let text = try written(arguments)
        #expect(try encodeJSON(decodeJSON(type, from: Data(text.utf8))) == text, "\(arguments.first!): \(type) reads back to other bytes")
    }

    @Test func spectrumWithTheFrequencyControl() throws {
        let counts = Self.root.appendingPathComponent("probes/data/minilm_counts.h5").path
        try expectSameBytes(SpectrumReport.Summary.self, ["spectrum", Self.demo, "--counts", counts, "--control-frequency", "--permutations", "20"])
    }

    @Test func compareWithProbes() throws {
        try expectSameBytes(CompareReport.Summary.self, ["compare", Self.demo, "--random", "gaussian", "--permutations", "20"] + Self.probes)
    }

    @Test func probeOverLayers() throws {
        try expectSameBytes(ProbeReport.Summary.self, ["probe", Self.demo, "--site", "resid_post", "--layers", "0-1"] + Self.probes)
    }

    @Test func lens() throws {
        try expectSameBytes(LensReport.Summary.self, ["lens", Self.demo])
    }

    @Test func aRenamedKeyDoesNotDecode() throws {
        let text = try written(["spectrum", Self.demo, "--permutations", "20"])
        _ = try decodeJSON(SpectrumReport.Summary.self, from: Data(text.utf8))
        let renamed = text.replacingOccurrences(of: "\"key_energy_fraction\"", with: "\"key_period_share\"")
        #expect(renamed != text)
        #expect(throws: DecodingError.self) { try decodeJSON(SpectrumReport.Summary.self, from: Data(renamed.utf8)) }
    }
}
