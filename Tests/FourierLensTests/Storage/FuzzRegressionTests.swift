import Foundation
@testable import FourierLens
import Testing

/// Every input the fuzzer crashed on (Tests/Fuzz/regressions) and the seed corpus, replayed
/// through the fuzz target's own checks (open, walk, validate, inspect, read every role).
@Suite struct FuzzRegressionTests {
    @Test func fuzzInputsReplayWithoutACrash() throws {
        let root = TestPaths.packageRoot.appendingPathComponent("Tests/Fuzz")
        var inputs: [String] = []
        for folder in ["corpus", "regressions"] {
            let dir = root.appendingPathComponent(folder)
            inputs += try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map { dir.appendingPathComponent($0).path }
        }
        #expect(inputs.count >= 5)
        let replay = Bundle.main.bundleURL.appendingPathComponent("fourierlens-fuzz").path
        let result = try runProcess(replay, inputs)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == inputs.count, "\(result.stdout)")
    }

    /// The spec and merge targets' seeds and findings, replayed with the fixtures they set beside each input.
    @Test(arguments: [("spec", "spec-corpus", "regressions-spec"), ("merge", "merge-corpus", "regressions-merge")])
    func targetInputsReplayWithoutACrash(_ target: String, _ corpus: String, _ regressions: String) throws {
        let root = TestPaths.packageRoot.appendingPathComponent("Tests/Fuzz")
        var inputs: [String] = []
        for folder in [corpus, regressions] {
            let dir = root.appendingPathComponent(folder)
            inputs += try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0).path }
        }
        #expect(inputs.count >= 3)
        let replay = Bundle.main.bundleURL.appendingPathComponent("fourierlens-fuzz").path
        setenv("FOURIERLENS_FUZZ_FIXTURES", root.appendingPathComponent("fixtures").path, 1)
        let result = try runProcess(replay, ["--target", target] + inputs)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == inputs.count, "\(result.stdout)")
    }

    @Test func hardLinkCycleIsWalkedOnce() throws {
        let path = TestPaths.packageRoot.appendingPathComponent("Tests/Fuzz/regressions/hard-link-cycle-stack-overflow.h5").path
        let file = try HDF5File(readingFrom: path)
        let nodes = try file.tree()
        #expect(nodes.count < 1000)
        let groups = nodes.compactMap { if case let .group(path, _) = $0 { return path } else { return nil } }
        #expect(Set(groups).count == groups.count)
    }
}
