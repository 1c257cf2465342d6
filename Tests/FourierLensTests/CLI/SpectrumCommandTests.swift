import Foundation
import Testing

/// `fourierlens spectrum` and `compare` on the real embedded MiniLM dump, and on bad input.
@Suite struct SpectrumCommandTests {
    static var demo: String { TestPaths.packageRoot.appendingPathComponent("probes/data/minilm_demo.h5").path }

    func summary(_ dir: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as! [String: Any]
    }

    func periods(_ side: [String: Any]) -> [Double] { side["outlier_periods"] as! [Double] }

    @Test func pretrainedEmbeddingsHaveTheFourierPeriodsAndRandomOnesDoNot() throws {
        let out = try TestPaths.scratchDirectory().appendingPathComponent("compare")
        let result = try runTool("compare", Self.demo, "--random", "gaussian", "--out", out.path)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.last == "report: \(out.path)/index.html")
        #expect(lines.contains("B: random gaussian matched to A: 0 periodic outliers"), "\(result.stdout)")
        let json = try summary(out)
        let pretrained = periods(json["a"] as! [String: Any])
        for period in [2.0, 2.5, 5.0, 10.0] { #expect(pretrained.contains(period), "\(period) not in \(pretrained)") }
        let random = periods(json["b"] as! [String: Any])
        #expect(random.isEmpty, "the matched random embedding has outliers \(random)")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: out.path))
        let charts = ["compare", "spectrum_a", "spectrum_b", "probes_accuracy", "probes_r2"]
        #expect(files == Set(["compare.csv", "outliers.csv", "summary.json", "index.html", "probes.csv"]
                             + charts.flatMap { ["\($0).svg", "\($0).png", "\($0).pdf"] }))
    }

    @Test func spectrumReportIsCompleteAndDeterministic() throws {
        let root = try TestPaths.scratchDirectory()
        for name in ["one", "two"] {
            let result = try runTool("spectrum", Self.demo, "--out", root.appendingPathComponent(name).path, "--quiet")
            #expect(result.status == 0 && result.stdout.isEmpty, "\(result.stderr)")
        }
        for file in ["spectrum.csv", "spectrum_columns.csv", "spectrum.svg", "summary.json", "index.html"] {
            let one = try Data(contentsOf: root.appendingPathComponent("one/\(file)"))
            let two = try Data(contentsOf: root.appendingPathComponent("two/\(file)"))
            #expect(one == two, "\(file) differs between two runs with the same seed")
        }
        let csv = try String(contentsOf: root.appendingPathComponent("one/spectrum.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\r\n")
        #expect(lines[0] == "k,period,magnitude,energy_fraction,cos_fraction,sin_fraction,null_mean,null_sd,null_lower,null_upper,z,p_value,q_value,outlier,top_columns,in_gap_set,in_fraction_set,trend")
        #expect(lines.count == 152)  // header + k = 0..150
        // k = 120 (T = 2.5): an outlier; not in the gap set (with the trend apart the demo has none),
        // in the 90% set, not trend; k = 1 (T = 300) is trend.
        let row120 = lines[121].split(separator: ",", omittingEmptySubsequences: false)
        #expect(lines[121].hasPrefix("120,2.5,") && Array(row120.suffix(5)).first == "true" && Array(row120.suffix(3)) == ["false", "true", "false"])
        #expect(lines[2].hasPrefix("1,") && lines[2].hasSuffix(",true"), "\(lines[2])")
        let svg = try String(contentsOf: root.appendingPathComponent("one/spectrum.svg"), encoding: .utf8)
        for label in ["T=2", "T=2.5", "T=5", "T=10"] { #expect(svg.contains(">\(label)</text>")) }
        let html = try String(contentsOf: root.appendingPathComponent("one/index.html"), encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("href=\"spectrum.csv\""))
    }

    @Test func anotherSeedGivesTheSameOutliersOnRealData() throws {
        let out = try TestPaths.scratchDirectory().appendingPathComponent("s")
        let result = try runTool("spectrum", Self.demo, "--seed", "17", "--null", "gaussian", "--center", "--out", out.path)
        #expect(result.status == 0, "\(result.stderr)")
        let found = periods(try summary(out))
        for period in [2.0, 2.5, 5.0, 10.0] { #expect(found.contains(period)) }
    }

    @Test func spectrumOfALayersActivations() throws {
        let out = try TestPaths.scratchDirectory().appendingPathComponent("s")
        let result = try runTool("spectrum", Self.demo, "--dataset", "/acts/blocks.0.hook_resid_post", "--out", out.path)
        #expect(result.status == 0, "\(result.stderr)")
        let input = try summary(out)["input"] as! [String: Any]
        #expect(input["values"] as? String == "/prompts/values" && input["p"] as? Int == 300 && input["d"] as? Int == 384)
        let stacked = try runTool("spectrum", try TestPaths.fixture("stacked_numbers.h5"), "--dataset", "/acts/resid_post",
                                  "--layer", "1", "--out", out.path + "-stacked", "--null", "none")
        #expect(stacked.status == 0, "\(stacked.stderr)")
    }

    @Test(arguments: [
        (["gaps.h5"], "/tokens/values: expected consecutive numbers (a contiguous range), found 5 after 3"),
        (["tiny.h5"], "/weights/W_E: expected at least 4 numbers (rows), found 3"),
        (["good_dump.h5", "--dataset", "/tokens/values"], "/tokens/values: expected a 2-D dataset [numbers × features], found 1-D [40]"),
        (["nonfinite.h5"], "/weights/W_E: expected finite values, found 2 NaN/Inf (first at row 7, column 3)"),
        (["good_dump.h5", "--dataset", "/acts/nothing"], "/acts/nothing: expected a dataset, but nothing is there"),
        (["stacked_numbers.h5", "--dataset", "/acts/resid_post"], "expected --layer to pick one layer"),
        (["not_hdf5.h5"], "expected an HDF5 file"),
    ])
    func badInputExitsTwoWithOneLine(arguments: [String], fragment: String) throws {
        let dump = try TestPaths.fixture(arguments[0])
        let out = try TestPaths.scratchDirectory().appendingPathComponent("never")
        let result = try runProcess(TestPaths.tool, ["spectrum", dump] + arguments.dropFirst() + ["--out", out.path])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("fourierlens: \(dump): ") && result.stderr.contains(fragment), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path).isEmpty)
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try runTool("compare", Self.demo).status == 2)
        #expect(try runTool("compare", Self.demo, Self.demo, "--random", "gaussian").status == 2)
        #expect(try runTool("spectrum", Self.demo, "--null", "bogus").status == 2)
        #expect(try runTool("spectrum", Self.demo, "--fdr", "2").status == 2)
        #expect(try runTool("spectrum", "--help").status == 0)
    }
}
