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

    /// A version 0 superblock whose driver information block claims 0xff000000 bytes: libhdf5
    /// allocated all of it before finding the block past the end (4.2 GB resident for 15 KiB).
    @Test func driverBlockLongerThanTheFileIsRefusedBeforeLibHDF5Allocates() throws {
        let found = TestPaths.packageRoot.appendingPathComponent("Tests/Fuzz/regressions/driver-info-block-claims-4gib.h5").path
        #expect { _ = try HDF5File(readingFrom: found) } throws: { error in
            "\(error)".contains("driver information block lies in the file; it claims 4278190080 bytes at byte 25 of a 15072-byte file")
        }
        // Planted in a valid file: a block at the end of the file claiming two bytes more than are left.
        let valid = TestPaths.packageRoot.appendingPathComponent("Tests/Fuzz/corpus/links.h5")
        _ = try HDF5File(readingFrom: valid.path)  // the check passes a superblock without a driver block
        var bytes = [UInt8](try Data(contentsOf: valid))
        let at = bytes.count
        bytes += [0, 0, 0, 0, 2, 0, 0, 0] + [UInt8](repeating: 0, count: 8)  // version 0, length 2, no room for it
        for i in 0..<8 { bytes[48 + i] = UInt8(truncatingIfNeeded: at >> (8 * i)) }
        let planted = FileManager.default.temporaryDirectory.appendingPathComponent("driver-block-\(getpid()).h5")
        try Data(bytes).write(to: planted)
        defer { try? FileManager.default.removeItem(at: planted) }
        #expect { _ = try HDF5File(readingFrom: planted.path) } throws: { error in
            "\(error)".contains("it claims 2 bytes at byte \(at) of a \(at + 16)-byte file")
        }
    }
}
