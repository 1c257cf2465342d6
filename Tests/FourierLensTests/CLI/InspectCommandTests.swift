import Foundation
import Testing

/// `fourierlens inspect` run as a user runs it: exit codes, the one error line, the output.
@Suite struct InspectCommandTests {
    @Test func listsRolesAndAnalysesOfAGoodDump() throws {
        let dump = try TestPaths.fixture("good_dump_stacked.h5")
        let result = try runTool("inspect", dump)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        for line in ["embeddings             /weights/W_E [40 × 16]",
                     "activations mlp_out    layers 0–2, stacked (/acts/mlp_out), [12 × 16] per layer",
                     "W_E  [40 × 16] float16, chunked [40 × 16], shuffle+gzip(4)",
                     "ready   lens --norm recompute",
                     "all 9 floating-point datasets are finite"] {
            #expect(result.stdout.contains(line), "missing: \(line)\n\(result.stdout)")
        }
    }

    @Test func printsJSONForScripts() throws {
        let result = try runTool("inspect", try TestPaths.fixture("good_dump.h5"), "--json")
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let roles = try #require(json["roles"] as? [[String: Any]])
        #expect(roles.contains { $0["role"] as? String == "embeddings" && $0["path"] as? String == "/weights/W_E" })
        let attributes = try #require(json["attributes"] as? [String: Any])
        #expect(attributes["d_model"] as? Int == 16)
        let analyses = try #require(json["analyses"] as? [[String: Any]])
        #expect(analyses.filter { $0["analysis"] as? String != "boolean" }.allSatisfy { $0["ready"] as? Bool == true })
        #expect((json["problems"] as? [Any])?.isEmpty == true)
    }

    @Test(arguments: [
        ("not_hdf5.h5", "expected an HDF5 file"),
        ("truncated.h5", "truncated"),
        ("bad_dmodel.h5", "/acts/blocks.0.hook_attn_out: expected d_model = 16"),
        ("bad_rank.h5", "/weights/W_U: expected unembedding W_U [d_model × vocab], found 1-D [60]"),
        ("bad_dtype.h5", "/weights/W_E: expected float16, bfloat16, float32 or float64 values, found unsupported (compound)"),
        ("nonfinite.h5", "/weights/W_E: expected finite values, found 1 NaN and 1 Inf (first at [7, 3])"),
    ])
    func badInputExitsTwoWithOneClearLine(name: String, fragment: String) throws {
        let path = try TestPaths.fixture(name)
        let result = try runTool("inspect", path)
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("fourierlens: \(path): ") == true, "\(result.stderr)")
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
    }

    @Test func missingFileDatasetAndUsageExitTwo() throws {
        let good = try TestPaths.fixture("good_dump.h5")
        let missingFile = try runTool("inspect", "/no/such/dump.h5")
        #expect(missingFile.status == 2)
        #expect(missingFile.stderr == "fourierlens: /no/such/dump.h5: expected an existing HDF5 file (no such file)\n")
        let missingPath = try runTool("inspect", good, "--path", "/acts/blocks.9.hook_mlp_out")
        #expect(missingPath.status == 2)
        #expect(missingPath.stderr.contains("\(good): /acts/blocks.9.hook_mlp_out: expected a group or dataset"))
        #expect(try runTool("inspect").status == 2)
        #expect(try runTool("inspect", good, "--no-such-flag").status == 2)
        #expect(try runTool("inspect", "--help").status == 0)
    }

    @Test func nonFiniteValuesAreAcceptedWhenAllowed() throws {
        let result = try runTool("inspect", try TestPaths.fixture("nonfinite.h5"), "--allow-nonfinite")
        #expect(result.status == 0)
        #expect(result.stdout.contains("/weights/W_E: 1 NaN, 1 Inf; first at [7, 3]"))
    }

    @Test func writesAnOutputDirectoryAndNeverOverwritesIt() throws {
        let good = try TestPaths.fixture("good_dump.h5")
        let dir = try TestPaths.scratchDirectory()
        let out = dir.appendingPathComponent("report").path
        let first = try runTool("inspect", good, "--out", out)
        #expect(first.status == 0)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: out)) == ["inspect.txt", "inspect.json"])
        let before = try String(contentsOfFile: out + "/inspect.txt", encoding: .utf8)

        let again = try runTool("inspect", try TestPaths.fixture("good_dump_stacked.h5"), "--out", out)
        #expect(again.status == 2)
        #expect(again.stderr == "fourierlens: \(out): expected a new output directory; it already exists (pass --force to replace it)\n")
        #expect(try String(contentsOfFile: out + "/inspect.txt", encoding: .utf8) == before)

        // A failing run with --force leaves the old report whole and no staging directory behind.
        let failing = try runTool("inspect", try TestPaths.fixture("not_hdf5.h5"), "--out", out, "--force")
        #expect(failing.status == 2)
        #expect(try String(contentsOfFile: out + "/inspect.txt", encoding: .utf8) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report"])

        let forced = try runTool("inspect", try TestPaths.fixture("good_dump_stacked.h5"), "--out", out, "--force")
        #expect(forced.status == 0)
        #expect(try String(contentsOfFile: out + "/inspect.txt", encoding: .utf8).contains("stacked (/acts/mlp_out)"))
    }
}
