import Foundation
import Testing

/// What spectrum, probe and compare print: their key findings then the report's path, or with
/// --json their summary alone; and summary.json's keys: snake_case, options named as their flags.
@Suite struct SummaryOutputTests {
    static var demo: String { TestPaths.packageRoot.appendingPathComponent("probes/data/minilm_demo.h5").path }
    static let fastProbes = ["--probes", "value,mod2,helix", "--pca-dimensions", "8"]

    /// The runs, each with --json, and the options group's flags.
    static let runs: [(command: String, arguments: [String])] = [
        ("spectrum", []),
        ("probe", fastProbes),
        ("compare", ["--random", "gaussian"] + fastProbes),
    ]

    func run(_ command: String, _ arguments: [String]) throws -> (ProcessResult, URL) {
        let out = try TestPaths.scratchDirectory().appendingPathComponent(command)
        return (try runProcess(TestPaths.tool, [command, Self.demo] + arguments + ["--out", out.path]), out)
    }

    /// Every key at every depth.
    func keys(_ value: Any) -> [String] {
        if let object = value as? [String: Any] { return object.keys + object.values.flatMap(keys) }
        if let array = value as? [Any] { return array.flatMap(keys) }
        return []
    }

    @Test(arguments: 0..<3) func jsonPrintsTheSummaryAloneWithFlagNamedOptions(index: Int) throws {
        let (command, arguments) = Self.runs[index]
        let (result, out) = try run(command, arguments + ["--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == (try String(contentsOf: out.appendingPathComponent("summary.json"), encoding: .utf8)))
        #expect(result.stderr.contains("report: \(out.path)/index.html"))
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let snake = try Regex("^[a-z][a-z0-9_]*$")
        for key in keys(summary) { #expect(key.wholeMatch(of: snake) != nil, "\(command): key \(key) is not snake_case") }
        // Each option is named as the flag that sets it.
        let help = try runTool(command, "--help").stdout
        var optionGroups: [[String: Any]] = []
        let object = summary as! [String: Any]
        if let options = object["options"] as? [String: Any] { optionGroups.append(options) }
        for side in ["a", "b", "probes_a", "probes_b"] {
            if let options = (object[side] as? [String: Any])?["options"] as? [String: Any] { optionGroups.append(options) }
        }
        #expect(!optionGroups.isEmpty)
        for options in optionGroups {
            for key in options.keys {
                let flag = "--" + key.replacingOccurrences(of: "_", with: "-")
                #expect(help.contains(flag), "\(command): option \(key) has no flag \(flag)")
            }
        }
    }

    @Test func spectrumPrintsItsStrongestOutliers() throws {
        let (result, out) = try run("spectrum", [])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.last == "report: \(out.path)/index.html")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        let outliers = (summary["outliers"] as! [[String: Any]]).sorted { ($0["z"] as! Double) > ($1["z"] as! Double) }
        #expect(lines.contains { $0.hasPrefix("periodic outliers (q ≤ 0.05") && $0.hasSuffix(": \(outliers.count)") }, "\(lines)")
        for outlier in outliers.prefix(8) {
            let k = outlier["k"] as! Int
            #expect(lines.contains { $0.contains("(k = \(k)): z ") }, "k = \(k) missing from \(lines)")
        }
    }

    @Test func probePrintsEveryLayerPerMetric() throws {
        let (result, _) = try run("probe", ["--site", "resid_post", "--layers", "0-2"] + Self.fastProbes)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("held-out") }.count == 2, "\(lines)")
        for layer in 0...2 { #expect(lines.filter { $0.hasPrefix("  layer \(layer) resid_post ") }.count == 2) }
        #expect(lines.contains { $0.contains("mod2 (chance 0.5)") })
    }
}
