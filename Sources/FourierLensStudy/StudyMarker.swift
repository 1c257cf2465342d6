import FourierLens
import Foundation

/// `.fourierlens-study` in a study directory: written when a study's first run starts, it tells
/// a later run that the folder is a study's (resumed) and not someone's files (refused), and
/// which spec made it. A symbolic link or another tool's file of that name is not a marker.
struct StudyMarker: Codable {
    static let name = ".fourierlens-study"
    var tool: String
    var spec: String

    static func specPath(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    static func read(in directory: String) -> StudyMarker? {
        marker(in: directory) ?? legacy(in: directory)
    }

    /// A study made before the marker: its own study.json (a regular file naming this tool, with tasks).
    static func legacy(in directory: String) -> StudyMarker? {
        let path = directory + "/study.json"
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size < 1 << 28,
              let data = FileManager.default.contents(atPath: path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              (json["tool"] as? String)?.hasPrefix("fourierlens ") == true, json["tasks"] is [Any], let spec = json["spec"] as? String else { return nil }
        return StudyMarker(tool: "fourierlens", spec: specPath(spec))
    }

    static func marker(in directory: String) -> StudyMarker? {
        let path = directory + "/" + name
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size < 1 << 16,
              let data = FileManager.default.contents(atPath: path),
              let marker = try? JSONDecoder().decode(StudyMarker.self, from: data), marker.tool == "fourierlens" else { return nil }
        return marker
    }

    /// Records `spec` as the study's (a run of another spec with --force takes the study over).
    static func write(spec: String, in directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(StudyMarker(tool: "fourierlens", spec: specPath(spec)))
        try AtomicFile.write(Array(data) + [10], to: directory + "/" + name, replacing: true)
    }

    /// mkdir -p for the study's folders; a path that cannot be one is one line naming it and the
    /// system's reason (not Foundation's error object).
    static func createFolder(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            let underlying = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? Error).map { $0 as NSError }
            let reason = underlying.map { String(cString: strerror(Int32($0.code))) } ?? "it cannot be created"
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "a study directory that can be made there (\(reason))")
        }
    }
}
