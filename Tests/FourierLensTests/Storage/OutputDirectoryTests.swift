import Foundation
@testable import FourierLens
import Testing

@Suite struct OutputDirectoryTests {
    @Test func refusesAnExistingDirectoryUnlessForced() throws {
        let dir = try TestPaths.scratchDirectory()
        let target = dir.appendingPathComponent("report").path
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        try Data("old".utf8).write(to: URL(fileURLWithPath: target + "/old.txt"))
        expectBadInput([target, "already exists"]) { _ = try OutputDirectory(target, force: false) }
        #expect(try String(contentsOfFile: target + "/old.txt", encoding: .utf8) == "old")

        // Forced, but abandoned before commit: the old report is still whole.
        do {
            let output = try OutputDirectory(target, force: true)
            try output.write("half", to: "new.txt")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["old.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report"])

        let output = try OutputDirectory(target, force: true)
        try output.write("new", to: "new.txt")
        try output.commit()
        #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["new.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report"])
    }

    @Test func refusesToReplaceAFile() throws {
        let dir = try TestPaths.scratchDirectory()
        let target = dir.appendingPathComponent("report").path
        try Data("a file".utf8).write(to: URL(fileURLWithPath: target))
        expectBadInput([target, "a file of that name exists"]) { _ = try OutputDirectory(target, force: true) }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "a file")
    }
}
