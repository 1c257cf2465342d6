import FourierLens
import Foundation

/// What a finished task left in `records/<id>.json`: it is done when its record's hash is the
/// task's hash and its report folder exists. Written after the report is in place, so a run
/// killed in between only recomputes that task.
public struct TaskRecord: Codable, Sendable {
    public var id: String
    public var hash: String
    public var commandLine: [String]
    /// local, or dask
    public var executor: String
    public var host: String
    public var started: String
    public var seconds: Double
    /// The command's printed findings (its stdout without the report line).
    public var findings: [String]

    enum CodingKeys: String, CodingKey {
        case id, hash, executor, host, started, seconds, findings
        case commandLine = "command_line"
    }

    public static func path(_ id: String, in directory: String) -> String { "\(directory)/records/\(id).json" }

    public static func read(_ id: String, in directory: String) -> TaskRecord? {
        guard let data = FileManager.default.contents(atPath: path(id, in: directory)) else { return nil }
        return try? JSONDecoder().decode(TaskRecord.self, from: data)
    }

    /// Whether the task's report is in place and was made from exactly these inputs and options.
    public static func isDone(_ task: StudyTask, in directory: String) -> Bool {
        guard let record = read(task.id, in: directory), record.hash == task.hash else { return false }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: "\(directory)/\(StudyTask.folder(task.id))", isDirectory: &isDirectory) && isDirectory.boolValue
    }

    public func write(in directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(self)) + [10], to: TaskRecord.path(id, in: directory), replacing: true)
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    static var hostName: String { ProcessInfo.processInfo.hostName }

    /// The findings a command printed: every stdout line but the report's path.
    static func findings(fromOutput text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init).filter { !$0.hasPrefix("report: ") }
    }
}
