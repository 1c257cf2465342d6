import Foundation
@testable import FourierLens
import Testing

/// Paths shared by the tests: the package root, the generated fixtures, the built tool, Python.
enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Fixtures written by h5py (Tests/Fixtures/make_fixtures.py, run by `make test`).
    static func fixture(_ name: String) throws -> String {
        let path = packageRoot.appendingPathComponent("Tests/Fixtures/generated/\(name)").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw TestSetupError("missing fixture \(path): run `make test` (it runs Tests/Fixtures/make_fixtures.py)")
        }
        return path
    }

    /// The `fourierlens` executable built beside the test bundle.
    static var tool: String {
        let bundleDir = Bundle.main.bundleURL
        return bundleDir.appendingPathComponent("fourierlens").path
    }

    /// The project's Python (the virtual environment `make test` creates), with numpy and h5py.
    static var python: String {
        ProcessInfo.processInfo.environment["FOURIERLENS_PYTHON"]
            ?? packageRoot.appendingPathComponent(".venv/bin/python").path
    }

    /// A fresh empty directory for one test's outputs.
    static func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fourierlens-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct ProcessResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs a program to completion and captures what it printed.
func runProcess(_ executable: String, _ arguments: [String]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting, so a large output cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

func runTool(_ arguments: String...) throws -> ProcessResult {
    try runProcess(TestPaths.tool, arguments)
}

/// Expects `body` to throw a bad-input error whose line mentions every fragment.
func expectBadInput(_ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a bad-input error mentioning \(fragments)", sourceLocation: sourceLocation)
    } catch let error as FourierLensError {
        #expect(error.exitCode == 2, sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.description.contains(fragment), "\(error.description) lacks \(fragment)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

/// Runs `fourierlens COMMAND DUMP ARGS --out NEW` and expects exit 2, one stderr line holding
/// `fragment`, and no output directory.
func expectToolRejects(_ command: String, _ arguments: [String], fragment: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
    let dump = try TestPaths.fixture(arguments[0])
    let out = try TestPaths.scratchDirectory().appendingPathComponent("never")
    let result = try runProcess(TestPaths.tool, [command, dump] + arguments.dropFirst() + ["--out", out.path])
    #expect(result.status == 2, sourceLocation: sourceLocation)
    #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.hasPrefix("fourierlens: ") && result.stderr.contains(fragment), "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(!FileManager.default.fileExists(atPath: out.path), sourceLocation: sourceLocation)
}
