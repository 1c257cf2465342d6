import Foundation
@testable import FourierLensStudy
import Testing

/// The study's children: spawned with their output in files, waited for without polling, their
/// exit code or signal read from the wait status.
@Suite struct ChildProcessTests {
    static func spawn(_ script: String, in folder: URL) throws -> pid_t {
        try ChildProcess.spawn(["/bin/sh", "-c", script], environment: ["PATH=/usr/bin:/bin"],
                               output: folder.appendingPathComponent("out").path, errors: folder.appendingPathComponent("err").path)
    }

    @Test func anExitCodeAndTheOutputInFiles() throws {
        let folder = try TestPaths.scratchDirectory()
        let pid = try Self.spawn("echo to-out; echo to-err >&2; read line || echo no-input; exit 3", in: folder)
        ChildProcess.waitUntilExit(pid)
        #expect(kill(pid, 0) == 0, "waited for, not yet reaped: the pid is still the child's")
        let status = ChildProcess.reap(pid)
        #expect(ChildProcess.exitCode(status) == 3 && ChildProcess.signal(status) == nil)
        #expect(try String(contentsOf: folder.appendingPathComponent("out"), encoding: .utf8) == "to-out\nno-input\n")
        #expect(try String(contentsOf: folder.appendingPathComponent("err"), encoding: .utf8) == "to-err\n")
    }

    @Test func aSignal() throws {
        let folder = try TestPaths.scratchDirectory()
        let pid = try Self.spawn("exec sleep 30", in: folder)
        let clock = Date()
        kill(pid, SIGINT)
        ChildProcess.waitUntilExit(pid)
        let status = ChildProcess.reap(pid)
        #expect(ChildProcess.signal(status) == SIGINT && ChildProcess.exitCode(status) == nil)
        #expect(Date().timeIntervalSince(clock) < 10)
    }

    @Test func aMissingProgramIsOneLine() throws {
        let folder = try TestPaths.scratchDirectory()
        #expect(throws: (any Error).self) {
            _ = try ChildProcess.spawn(["/nonexistent/fourierlens"], environment: [], output: folder.appendingPathComponent("out").path,
                                       errors: folder.appendingPathComponent("err").path)
        }
    }
}
