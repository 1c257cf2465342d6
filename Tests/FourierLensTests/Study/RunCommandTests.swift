import Foundation
import Testing

/// `fourierlens run` as a user runs it: the plan of a spec over real dumps, and a bad option,
/// value, layer or study directory named in one line with exit code 2.
@Suite struct RunCommandTests {
    /// A spec in a scratch folder over the fixture dumps; returns its path.
    static func writeSpec(_ analyses: String, in folder: URL) throws -> String {
        let text = """
        title: Test study
        dumps:
          good:
            path: \(try TestPaths.fixture("good_dump.h5"))
          stacked:
            path: \(try TestPaths.fixture("good_dump_stacked.h5"))
          noise:
            random: gaussian
            of: good
        analyses:
        \(analyses)
        """
        let path = folder.appendingPathComponent("study.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func tasks(_ spec: String, _ out: URL, _ extra: [String] = []) throws -> [[String: Any]] {
        let result = try runProcess(TestPaths.tool, ["run", spec, "--out", out.path, "--tasks-json", "-"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return try #require(json["tasks"] as? [[String: Any]])
    }

    @Test func sweepsGridsAndShardsExpandIntoTasks() throws {
        let folder = try TestPaths.scratchDirectory()
        let spec = try Self.writeSpec("""
          - kind: spectrum
            dumps: [good, stacked]
            datasets: [embeddings]
            sites: [mlp_out]
            layers: 1-2
          - kind: compare
            dumps: [good]
            against: noise
            options: {probes: none}
          - kind: lens
            dumps: [good]
            shards: 3
            grid:
              norm: [none, cached]
        """, in: folder)
        let out = folder.appendingPathComponent("study")
        let tasks = try Self.tasks(spec, out)
        let ids = tasks.map { $0["id"] as! String }
        #expect(ids.filter { $0.hasPrefix("spectrum.") }.count == 6, "2 dumps × (W_E + 2 layers): \(ids)")
        #expect(ids.contains("spectrum.stacked.blocks.2.hook_mlp_out"))
        let stacked = try #require(tasks.first { $0["id"] as? String == "spectrum.stacked.blocks.2.hook_mlp_out" })
        let line = try #require(stacked["command_line"] as? [String])
        #expect(line.contains("--layer") && line.contains("/acts/mlp_out"), "a stacked dataset is read at its layer: \(line)")
        let compare = try #require(tasks.first { ($0["id"] as! String).hasPrefix("compare.") }?["command_line"] as? [String])
        #expect(compare.contains("--random") && compare.contains("gaussian") && compare.contains("none"))
        // Lens: 2 grid values × (3 shards + 1 merge).
        let merges = tasks.filter { ($0["command_line"] as! [String])[1] == "merge" }
        #expect(merges.count == 2 && ids.filter { $0.contains(".shard-") }.count == 6)
        for merge in merges {
            let dependencies = merge["dependencies"] as! [String]
            #expect(dependencies.count == 3 && dependencies.allSatisfy { $0.hasPrefix(merge["id"] as! String + ".shard-") })
        }
        let shardLines = tasks.filter { ($0["id"] as! String).contains("norm-none.shard-") }.map { $0["command_line"] as! [String] }
        let ranges = shardLines.map { $0[$0.firstIndex(of: "--prompts")! + 1] }
        #expect(ranges == ["0:4", "4:8", "8:12"], "12 prompts in 3 shards that follow each other")
        #expect(Set(tasks.map { $0["hash"] as! String }).count == tasks.count, "every task has its own hash")
        #expect(!FileManager.default.fileExists(atPath: out.path), "--tasks-json runs nothing")
    }

    @Test func theHashFollowsTheContentOfTheInputsAndTheOptions() throws {
        let folder = try TestPaths.scratchDirectory()
        let copy = folder.appendingPathComponent("copy.h5")
        try FileManager.default.copyItem(atPath: try TestPaths.fixture("good_dump.h5"), toPath: copy.path)
        let spec = try Self.writeSpec("  - kind: spectrum\n    dumps: [good]\n", in: folder)
        let out = folder.appendingPathComponent("study")
        let original = try Self.tasks(spec, out)[0]["hash"] as! String
        let moved = try Self.tasks(spec, out, ["--dump", "good=\(copy.path)"])[0]["hash"] as! String
        #expect(original == moved, "the same bytes at another path: the same task")
        let other = try Self.tasks(spec, out, ["--dump", "good=\(try TestPaths.fixture("good_dump_stacked.h5"))"])[0]["hash"] as! String
        #expect(other != original)
        let spec2 = try Self.writeSpec("  - kind: spectrum\n    dumps: [good]\n    options: {center: true}\n", in: folder)
        #expect(try Self.tasks(spec2, out)[0]["hash"] as! String != original, "another option: another task")
    }

    static let rejected: [(String, [String])] = [
        ("  - kind: spectrum\n    options:\n      centre: true\n", ["study.yaml:13:", "analyses[0].options.centre", "spectrum takes", "centre"]),
        ("  - kind: spectrum\n    options:\n      permutations: many\n", ["study.yaml:13:", "analyses[0].options.permutations", "many"]),
        ("  - kind: lens\n    grid:\n      norm: [none, sideways]\n", ["study.yaml:13:", "analyses[0].grid.norm", "sideways"]),
        ("  - kind: spectrum\n    dumps: [good]\n    sites: [mlp_out]\n    layers: [0, 7]\n", ["study.yaml:11:", "analyses[0].layers", "found 7"]),
        ("  - kind: spectrum\n    dumps: [good]\n    sites: [resid_pre]\n", ["study.yaml:11:", "analyses[0].sites", "no resid_pre activations"]),
        ("  - kind: lens\n    dumps: [good]\n    shards: 13\n", ["study.yaml:11:", "analyses[0].shards", "12 prompts"]),
    ]

    @Test(arguments: rejected.indices) func badOptionsAreNamedAtTheirLine(_ index: Int) throws {
        let (analyses, fragments) = Self.rejected[index]
        let folder = try TestPaths.scratchDirectory()
        let spec = try Self.writeSpec(analyses, in: folder)
        let out = folder.appendingPathComponent("study")
        let result = try runProcess(TestPaths.tool, ["run", spec, "--out", out.path])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        for fragment in fragments { #expect(result.stderr.contains(fragment), "\(result.stderr) lacks \(fragment)") }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func aValueOnlyTheCommandChecksIsNamedAtItsLine() throws {
        // --fdr's range is checked when the spectrum runs, not when its options parse.
        let folder = try TestPaths.scratchDirectory()
        let spec = try Self.writeSpec("  - kind: spectrum\n    dumps: [good]\n    options:\n      fdr: 7\n", in: folder)
        let result = try runProcess(TestPaths.tool, ["run", spec, "--out", folder.appendingPathComponent("study").path, "--quiet"])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("study.yaml:14:") && result.stderr.contains("analyses[0].options.fdr") && result.stderr.contains("--fdr"), "\(result.stderr)")
        // The task said which option, as JSON beside its log.
        let written = try String(contentsOf: folder.appendingPathComponent("study/logs/spectrum.good.W_E.error.json"), encoding: .utf8)
        #expect(written.contains("\"option\":\"--fdr\"") && written.contains("\"value\":\"7\""), "\(written)")
    }

    @Test func aFolderOfOtherFilesIsNeverWrittenInto() throws {
        let folder = try TestPaths.scratchDirectory()
        let spec = try Self.writeSpec("  - kind: spectrum\n    dumps: [good]\n", in: folder)
        let out = folder.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try "keep me".write(to: out.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let result = try runProcess(TestPaths.tool, ["run", spec, "--out", out.path])
        #expect(result.status == 2 && result.stderr.contains("holds notes.txt and is kept"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["notes.txt"])
        let unknown = try runProcess(TestPaths.tool, ["run", spec, "--out", folder.appendingPathComponent("s").path, "--dump", "nope=/x.h5"])
        #expect(unknown.status == 2 && unknown.stderr.contains("--dump nope"), "\(unknown.stderr)")
        let missing = try runProcess(TestPaths.tool, ["run", spec, "--out", folder.appendingPathComponent("s").path, "--dump", "good=/nonexistent.h5"])
        #expect(missing.status == 2 && missing.stderr.contains("dumps.good.path") && missing.stderr.contains("/nonexistent.h5"), "\(missing.stderr)")
    }
}
