import Foundation
@testable import FourierLens
import Testing

/// Dumps whose variable-length strings sit in a damaged global heap (Tests/Fuzz/make_damaged_heaps.py):
/// libhdf5 1.10 crashed on them (SIGSEGV in H5HG_read) or looped for ever (H5C_protect under
/// H5HG__protect). Read in an isolated child, each is one line and exit 2, in bounded time.
@Suite struct DamagedStringHeapTests {
    static func regression(_ name: String) -> String {
        TestPaths.packageRoot.appendingPathComponent("Tests/Fuzz/regressions/\(name)").path
    }

    /// Exit 2, one line naming the file and the object, and the damage.
    func expectOneLine(_ result: ProcessResult, file: String, object: String, _ fragments: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 2, "\(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(lines.first?.hasPrefix("fourierlens: \(file): \(object): expected readable variable-length strings") == true,
                "\(result.stderr)", sourceLocation: sourceLocation)
        for fragment in ["found damaged variable-length string storage"] + fragments {
            #expect(result.stderr.contains(fragment), "\(result.stderr) lacks \(fragment)", sourceLocation: sourceLocation)
        }
    }

    // An attribute's strings, and a string dataset's fill value, which libhdf5 converts whenever
    // the dataset's creation properties are read: describing it (inspect, every command's tree).
    @Test(arguments: [("heap-attribute-object-size-crash.h5", "/", "in attribute schema"),
                      ("heap-fill-value-object-size-crash.h5", "/extra/filled", "in its fill value")])
    func crashInTheHeapReadIsExitTwo(name: String, object: String, place: String) throws {
        let path = Self.regression(name)
        let result = try runTool("inspect", path)
        expectOneLine(result, file: path, object: object, [place, "libhdf5 crashed reading it"])
    }

    @Test func crashInTheHeapReadOfADatasetIsExitTwo() throws {
        let path = Self.regression("heap-dataset-object-size-crash.h5")
        // Its attributes live in the intact collection: inspect does not read /tokens/strings.
        #expect(try runTool("inspect", path).status == 0)
        let out = try TestPaths.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try runTool("lens", path, "--out", out.path, "--force")
        expectOneLine(result, file: path, object: "/tokens/strings", ["libhdf5 crashed reading it"])
    }

    @Test func endlessLoopInTheHeapIsStoppedAfterTheTimeLimit() throws {
        let path = Self.regression("heap-attribute-object-size-wraps-endless-loop.h5")
        let started = Date()
        let result = try runTool("inspect", path)
        let seconds = Date().timeIntervalSince(started)
        expectOneLine(result, file: path, object: "/", ["in attribute schema", "libhdf5 did not finish reading it within 10 s"])
        #expect(seconds >= 10 && seconds < 40, "\(seconds) s")
    }

    @Test func aKilledProgramTakesItsLoopingChildWithIt() throws {
        // The child loops for ever on this heap; killing the program (SIGKILL: no handler runs)
        // must not leave it behind. A private copy makes the processes' command line unique.
        let scratch = try TestPaths.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = scratch.appendingPathComponent("looping-heap.h5").path
        try FileManager.default.copyItem(atPath: Self.regression("heap-attribute-object-size-wraps-endless-loop.h5"), toPath: input)
        func running() -> [String] {
            let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return pids.filter { pid in Int(pid) != nil && commandLine(of: pid).contains(input) }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.tool)
        process.arguments = ["inspect", input]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var waited = 0.0
        while running().count < 2 && waited < 5 { Thread.sleep(forTimeInterval: 0.05); waited += 0.05 }
        #expect(running().count == 2, "the program and its reading child")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        waited = 0
        while !running().isEmpty && waited < 3 { Thread.sleep(forTimeInterval: 0.05); waited += 0.05 }
        #expect(running().isEmpty, "left behind: \(running())")
    }

    /// A process's command line, read with read(2): /proc files report a size of 0, which
    /// FileManager.contents(atPath:) reads with a buffer it then leaks (LeakSanitizer).
    func commandLine(of pid: String) -> String {
        let fd = open("/proc/\(pid)/cmdline", O_RDONLY)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &bytes, bytes.count)
        return n > 0 ? String(decoding: bytes.prefix(n), as: UTF8.self) : ""
    }

    @Test func endlessLoopInADatasetsHeapIsStoppedThroughTheLibrary() throws {
        let path = Self.regression("heap-dataset-object-size-wraps-endless-loop.h5")
        let file = try HDF5File(readingFrom: path)
        file.stringReadTimeLimit = 1
        #expect(try file.attributes(of: "/")["schema"] == .strings(["fourierlens/1"]))
        #expect(try file.readStrings("/prompts/text") == (0..<5).map { "\($0)+0=" })
        let started = Date()
        expectBadInput(["/tokens/strings", "did not finish reading it within 1 s"]) { _ = try file.readStrings("/tokens/strings") }
        #expect(Date().timeIntervalSince(started) < 20)
        // The file's damage is remembered: a later string read is refused at once, not waited on again.
        let again = Date()
        expectBadInput(["/tokens/strings", "damaged variable-length string storage"]) { _ = try file.readStrings("/prompts/text") }
        #expect(Date().timeIntervalSince(again) < 0.5)
    }

    @Test func endlessLoopInAFillValueIsStoppedThroughTheLibrary() throws {
        let file = try HDF5File(readingFrom: Self.regression("heap-fill-value-object-size-wraps-endless-loop.h5"))
        file.stringReadTimeLimit = 1
        expectBadInput(["/extra/filled", "in its fill value", "did not finish reading it within 1 s"]) { _ = try file.tree() }
    }

    @Test func intactStringsAreReadThroughTheChild() throws {
        // /tokens/strings of this input points at a forged collection; everything else is
        // intact and reads as written, a fill value and the creation properties included.
        let file = try HDF5File(readingFrom: Self.regression("heap-dataset-object-size-crash.h5"))
        let tree = try file.tree()
        #expect(tree.count > 10)
        #expect(try file.attributes(of: "/")["schema"] == .strings(["fourierlens/1"]))
        #expect(try file.readStrings("/prompts/text") == ["0+0=", "1+0=", "2+0=", "3+0=", "4+0="])
        #expect(try file.readStrings("/extra/filled") == ["fill value", "fill value", "fill value"])
        let filled = try file.datasetInfo("/extra/filled")
        #expect(filled.layout == .contiguous && filled.filters.isEmpty)
        let chunked = try file.datasetInfo("/extra/chunked_text")
        #expect(chunked.layout == .chunked && chunked.chunkShape == [2] && chunked.filters == ["shuffle", "gzip(5)"])
        #expect(try file.readStrings("/extra/chunked_text") == ["a", "bb", "ccc", "dddd"])
    }

    @Test func aRecordCutShortByTheChildsDeathIsDropped() {
        // Two records: ["ab", null] and a refused read; then a third cut inside its string.
        var bytes: [UInt8] = [1]
        func u64(_ v: UInt64) { withUnsafeBytes(of: v) { bytes += $0 } }
        u64(2); u64(2); bytes += Array("ab".utf8); u64(.max)
        bytes += [0]
        bytes += [1]; u64(1); u64(5); bytes += Array("xy".utf8)
        let records = bytes.withUnsafeBytes { IsolatedStringRead.decodeRecords($0, of: [.values, .values, .values]) }
        #expect(records.count == 2)
        guard case let .strings(first)? = records[0] else { Issue.record("\(records)"); return }
        #expect(first == ["ab", ""])
        #expect(records[1] == nil)
    }

    @Test func otherThreadsInsideLibhdf5OrOpenBLASDoNotStallTheChild() throws {
        // A child forked while another thread held libhdf5's API lock would wait for ever
        // (and be reported as a looping heap): the fork takes the lock first. fork(2)'s
        // atfork handlers would join OpenBLAS's workers, in use by another thread: never.
        let strings = try TestPaths.fixture("dtypes.h5"), numbers = try TestPaths.fixture("good_dump_stacked.h5")
        final class Failures: @unchecked Sendable {
            private let lock = NSLock()
            private(set) var list: [String] = []
            func add(_ text: String) { lock.lock(); list.append(text); lock.unlock() }
        }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 6) { worker in
            if worker >= 4 {
                let a = DoubleMatrix(rows: 300, cols: 300, values: (0..<90_000).map { Double($0 % 7) })
                for _ in 0..<30 { _ = a.times(a) }
                return
            }
            do {
                let file = try HDF5File(readingFrom: worker % 2 == 0 ? strings : numbers)
                file.stringReadTimeLimit = 5
                for _ in 0..<25 {
                    if worker % 2 == 0 {
                        guard try file.readStrings("/strings/vlen_ascii") == ["a", "bb", "ccc"] else { return failures.add("strings differ") }
                    } else {
                        _ = try file.readFloats("/acts/mlp_out")
                        _ = try file.datasets()
                    }
                }
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.list.isEmpty, "\(failures.list)")
    }
}
