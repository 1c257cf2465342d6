import FourierLens
import Foundation

/// A task's bad input as the command saw it, written as JSON beside its one line on stderr
/// (exit code 2) where the study's runner asked for it: the option it is about and the value the
/// command line gave (both null when it is not about one option), and the line itself. The runner
/// names the option's line in the spec from it, never by searching the text.
public struct TaskError: Codable, Equatable, Sendable {
    /// The environment variable that holds the file's path (TaskProcess sets it for each task).
    public static let environmentKey = "FOURIERLENS_ERROR_JSON"

    /// "--fdr", or nil.
    public var option: String?
    /// "7" as the command line gave it, or nil (a flag, an option not given, no option).
    public var value: String?
    /// The line printed on stderr, without "fourierlens: ".
    public var message: String

    public init(option: String?, value: String?, message: String) {
        self.option = option; self.value = value; self.message = message
    }

    /// Nulls written as null: the file always has its three keys.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(option, forKey: .option)
        try container.encode(value, forKey: .value)
        try container.encode(message, forKey: .message)
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(self)) + [10], to: path, replacing: true)
    }

    /// The file a command wrote, or nil when there is none (it crashed, or was not a fourierlens command).
    public static func read(_ path: String) -> TaskError? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(TaskError.self, from: data)
    }
}
