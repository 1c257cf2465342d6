import Foundation
import Testing

@Suite struct LensCommandTests {
    static var demo: String { TestPaths.packageRoot.appendingPathComponent("probes/data/minilm_demo.h5").path }

    @Test func lensAndFilterOnTheDemoDump() throws {
        let root = try TestPaths.scratchDirectory()
        let lens = try runTool("lens", Self.demo, "--out", root.appendingPathComponent("lens").path, "--quiet")
        #expect(lens.status == 0, "\(lens.stderr)")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("lens").path))
        #expect(files.isSuperset(of: ["lens_layers.csv", "lens_topk.csv", "lens_spectrum.csv", "lens_prompts.h5", "lens_accuracy_resid_post.svg",
                                      "lens_window_resid_post.svg", "lens_spectrum_resid_post.svg", "summary.json", "index.html"]))
        let layers = try String(contentsOf: root.appendingPathComponent("lens/lens_layers.csv"), encoding: .utf8).split(separator: "\r\n")
        #expect(layers[0] == "layer,site,acc_exact,acc_pm2,acc_pm10,mean_answer_rank,mean_answer_logprob,mean_entropy,mean_kl_to_final,top_period_1,top_period_2,top_period_3,top_period_z_1,top_period_z_2,top_period_z_3")
        #expect(layers[1].hasPrefix("0,resid_post,1.0,1.0,1.0,1.0,"))
        let filter = try runTool("filter", Self.demo, "--remove", "high", "--tau", "50", "--out", root.appendingPathComponent("f").path, "--quiet")
        #expect(filter.status == 0, "\(filter.stderr)")
        let effect = try String(contentsOf: root.appendingPathComponent("f/filter_effect.csv"), encoding: .utf8).split(separator: "\r\n")
        #expect(effect[0].hasPrefix("layer,site,removed,tau,rank,d_model,norm_kept,band_share_before,band_share_after,"))
        let after = effect.dropFirst().map { Double($0.split(separator: ",")[8])! }
        #expect(after.allSatisfy { $0 < 1e-9 }, "band energy left after filtering: \(after)")
        let inspect = try runTool("inspect", root.appendingPathComponent("f/filtered.h5").path, "--json")
        #expect(inspect.status == 0 && inspect.stdout.contains("\"site\" : \"resid_post\""))
    }

    @Test(arguments: [
        (["bad_dmodel.h5"], "expected d_model = 16"),
        (["lens_model.h5", "--sites", "resid_pre"], "/acts: expected activations at site resid_pre"),
        (["lens_model.h5", "--norm", "cached", "--layers", "9"], "expected layer 9 of site"),
    ])
    func badInputExitsTwo(arguments: [String], fragment: String) throws {
        try expectToolRejects("lens", arguments, fragment: fragment)
    }

    @Test func answersThatAreNotNumbersAreSkippedAndCounted() throws {
        let out = try TestPaths.scratchDirectory().appendingPathComponent("lens")
        let result = try runTool("lens", try TestPaths.fixture("answers_outside.h5"), "--out", out.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("note: 12 of 12 prompts have an answer that is not a number token"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["answers_not_numbers"] as? Int == 12)
    }

    @Test func filterRefusesARemovedRankThatReachesDModel() throws {
        try expectToolRejects("filter", ["good_dump.h5", "--remove", "high", "--tau", "5"],
                              fragment: "/weights/W_U: expected a removed subspace of rank below d_model = 16, found rank 16")
    }

    @Test func filterRefusesABadThreshold() throws {
        let result = try runTool("filter", Self.demo, "--remove", "low", "--tau", "400")
        #expect(result.status == 2 && result.stderr.contains("--tau within 1–150"), "\(result.stderr)")
        #expect(try runTool("filter", Self.demo, "--remove", "low").status == 2)
    }
}
