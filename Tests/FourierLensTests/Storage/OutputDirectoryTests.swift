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

@Suite struct OutputDirectoryCommitTests {
    @Test func aDirectoryThatAppearsAfterTheStartIsKept() throws {
        let dir = try TestPaths.scratchDirectory()
        let target = dir.appendingPathComponent("report").path
        let output = try OutputDirectory(target, force: false)
        try output.write("new", to: "new.txt")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        try Data("theirs".utf8).write(to: URL(fileURLWithPath: target + "/theirs.txt"))
        expectBadInput([target, "appeared there while this run was writing"]) { try output.commit() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["theirs.txt"])
    }

    @Test func forcedCommitSwapsAndRemovesTheOldReport() throws {
        let dir = try TestPaths.scratchDirectory()
        let target = dir.appendingPathComponent("report").path
        let output = try OutputDirectory(target, force: true)
        try output.write("new", to: "new.txt")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        try Data("old".utf8).write(to: URL(fileURLWithPath: target + "/old.txt"))
        try output.commit()
        #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["new.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report"])
    }

    @Test func missingParentsAreCreatedAndRemovedWhenNothingIsCommitted() throws {
        let dir = try TestPaths.scratchDirectory()
        let target = dir.appendingPathComponent("a/b/report").path
        do {
            let output = try OutputDirectory(target, force: false)
            try output.write("x", to: "x.txt")
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("a/b").path))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
        let output = try OutputDirectory(target, force: false)
        try output.commit()
        #expect(FileManager.default.fileExists(atPath: target))
    }

    @Test func anOutputHoldingAnInputOrTheWorkingDirectoryIsRefused() throws {
        let dir = try TestPaths.scratchDirectory()
        let input = dir.appendingPathComponent("in/dump.h5").path
        try FileManager.default.createDirectory(atPath: dir.appendingPathComponent("in").path, withIntermediateDirectories: false)
        try Data("dump".utf8).write(to: URL(fileURLWithPath: input))
        expectBadInput(["contain the input"]) { _ = try OutputDirectory(dir.appendingPathComponent("in").path, force: true, inputs: [input]) }
        expectBadInput(["working directory"]) { _ = try OutputDirectory(FileManager.default.currentDirectoryPath, force: true) }
        expectBadInput(["working directory"]) { _ = try OutputDirectory("/", force: true) }
    }

    @Test func temporaryNamesCarryTheirOwner() {
        #expect(TemporaryPaths.ownerPID(of: ".report.staging-123-456") == 123)
        #expect(TemporaryPaths.ownerPID(of: ".filtered.h5.tmp-77-1") == 77)
        #expect(TemporaryPaths.ownerPID(of: ".a-b.replaced-9-2") == 9)
        #expect(TemporaryPaths.ownerPID(of: ".report.staging-x-456") == nil)
        #expect(TemporaryPaths.ownerPID(of: "report") == nil)
    }
}
