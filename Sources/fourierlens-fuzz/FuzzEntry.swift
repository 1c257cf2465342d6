import FourierLens
import Foundation

/// The fuzz targets of this binary, chosen by FOURIERLENS_FUZZ_TARGET (libFuzzer) or --target
/// (replay): dump (the HDF5 reader and dump validator, the default), spec (a study spec's YAML
/// made into a plan, dry-run only) and merge (a shard's lens or filter per-prompt file merged).
enum FuzzTarget: String {
    case dump, spec, merge

    func check(path: String) {
        FuzzTarget.limitStringReads()
        switch self {
        case .dump: DumpFuzzer.check(path: path)
        case .spec: SpecFuzzer.check(data: FileManager.default.contents(atPath: path) ?? Data())
        case .merge: MergeFuzzer.check(data: FileManager.default.contents(atPath: path) ?? Data())
        }
    }

    func check(bytes: UnsafeRawBufferPointer) {
        FuzzTarget.limitStringReads()
        switch self {
        case .dump: DumpFuzzer.check(bytes: bytes)
        case .spec: SpecFuzzer.check(data: Data(bytes))
        case .merge: MergeFuzzer.check(data: Data(bytes))
        }
    }

    /// A looping string heap is given up on well before libFuzzer's own -timeout=20, in every file
    /// a target opens (merge opens its shards itself).
    static func limitStringReads() { HDF5File.defaultStringReadTimeLimit = 2 }

    static let fromEnvironment: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["FOURIERLENS_FUZZ_TARGET"] ?? "dump"
        guard let target = FuzzTarget(rawValue: name) else { fatalError("FOURIERLENS_FUZZ_TARGET: dump, spec or merge (found \(name))") }
        return target
    }()
}

/// The fixed files the spec and merge targets set beside each input, from Tests/Fuzz/fixtures
/// (FOURIERLENS_FUZZ_FIXTURES, default: that folder under the working directory).
enum FuzzFixtures {
    static let folder: String = {
        let given = ProcessInfo.processInfo.environment["FOURIERLENS_FUZZ_FIXTURES"] ?? "Tests/Fuzz/fixtures"
        return URL(fileURLWithPath: given).standardizedFileURL.path
    }()

    /// A scratch folder of this process, made empty.
    static func scratch(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fourierlens-fuzz-\(name)-\(getpid())").path
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

#if FUZZING
/// libFuzzer's entry point (built by `make fuzz` with -sanitize=fuzzer, which brings its own main).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzTarget.fromEnvironment.check(bytes: UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#else
/// Without libFuzzer: replays the files given (a corpus, the regression inputs), so that every
/// input the fuzzer ever crashed on is rerun by the tests. `--target spec|merge` first picks the target.
@main
struct ReplayFuzzInputs {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var target = FuzzTarget.dump
        if arguments.first == "--target", arguments.count >= 2, let chosen = FuzzTarget(rawValue: arguments[1]) {
            target = chosen
            arguments.removeFirst(2)
        }
        for path in arguments {
            target.check(path: path)
            print("ok \(path)")
        }
    }
}
#endif
