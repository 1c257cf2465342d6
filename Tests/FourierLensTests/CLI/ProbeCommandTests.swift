import Foundation
import Testing

/// `fourierlens probe` and `compare` with probes on the real MiniLM dump, and bad input.
@Suite struct ProbeCommandTests {
    static var demo: String { TestPaths.packageRoot.appendingPathComponent("probes/data/minilm_demo.h5").path }

    func means(_ side: [String: Any]) -> [String: Double] {
        let sources = side["sources"] as! [[String: Any]]
        let scores = sources[0]["scores"] as! [[String: Any]]
        return Dictionary(uniqueKeysWithValues: scores.map { ($0["probe"] as! String, $0["mean"] as! Double) })
    }

    @Test func pretrainedBeatsRandomOnModuli() throws {
        let out = try TestPaths.scratchDirectory().appendingPathComponent("c")
        let result = try runTool("compare", Self.demo, "--random", "gaussian", "--out", out.path, "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        let pretrained = means(summary["probes_a"] as! [String: Any]), random = means(summary["probes_b"] as! [String: Any])
        for m in ["mod2", "mod5", "mod10"] {
            #expect(pretrained[m]! > random[m]!, "\(m): pretrained \(pretrained[m]!) vs random \(random[m]!)")
        }
        #expect(pretrained["value"]! > 0.8 && random["value"]! < 0)
        for chart in ["probes_accuracy.svg", "probes_r2.svg"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(chart).path))
        }
    }

    @Test func probesEveryLayerOfASite() throws {
        let out = try TestPaths.scratchDirectory().appendingPathComponent("p")
        let result = try runTool("probe", Self.demo, "--site", "resid_post", "--layers", "0-5", "--out", out.path, "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        let csv = try String(contentsOf: out.appendingPathComponent("probes.csv"), encoding: .utf8).split(separator: "\r\n")
        #expect(csv[0] == "dataset,layer,site,probe,metric,mean,std,chance,control_mean,control_std,folds")
        #expect(csv[1].hasPrefix("/acts/blocks.0.hook_resid_post,0,resid_post,value,r2,"), "\(csv[1])")
        #expect(csv.count == 1 + 6 * 9)  // value, mod2, mod5, mod10, helix, helix_gain, its baseline and ceiling, fourier
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: out.path))
        #expect(files == ["probes.csv", "summary.json", "index.html", "probes_accuracy.svg", "probes_r2.svg",
                          "probes_accuracy.png", "probes_r2.png", "probes_accuracy.pdf", "probes_r2.pdf"])
        // Same seed, same bytes.
        let again = try TestPaths.scratchDirectory().appendingPathComponent("p")
        _ = try runTool("probe", Self.demo, "--site", "resid_post", "--layers", "0-5", "--out", again.path, "--quiet")
        #expect(try Data(contentsOf: out.appendingPathComponent("probes.csv")) == Data(contentsOf: again.appendingPathComponent("probes.csv")))
    }

    @Test(arguments: [
        (["gaps.h5", "--folds", "12"], "/tokens/values: expected at least as many rows as folds (and 4), found 10 rows for 12 folds"),
        (["const_values.h5"], "/tokens/values: expected at least 4 distinct numbers after averaging the rows of each number, found 1"),
        (["const_values.h5", "--no-average"], "/tokens/values: expected numbers that vary, found one value for every row"),
        (["good_dump.h5", "--site", "mlp_out", "--layers", "7"], "/acts/blocks.7.hook_mlp_out: expected layer 7 of site mlp_out"),
        (["gaps.h5", "--site", "mlp_out"], "/acts: expected activations at site mlp_out"),
    ])
    func badInputExitsTwo(arguments: [String], fragment: String) throws {
        try expectToolRejects("probe", arguments, fragment: fragment)
    }

    @Test func badPeriodsAndProbesAreUsageErrors() throws {
        let periods = try runTool("probe", Self.demo, "--periods", "1,5")
        #expect(periods.status == 2 && periods.stderr.contains("--periods takes periods greater than 1"))
        #expect(try runTool("probe", Self.demo, "--probes", "mod1").status == 2)
        #expect(try runTool("probe", Self.demo, "--dataset", "/weights/W_E", "--site", "resid_post").status == 2)
    }
}
