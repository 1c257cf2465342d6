import Foundation

/// Where a run writes its files before they are moved into place (OutputDirectory's hidden
/// staging directory), with the name messages give the output: the path the user gave, never
/// the staging path. Runs write through it without knowing how a report is committed.
public struct StagedOutput: Sendable {
    /// The output as the user gave it.
    public let given: String
    public let directory: URL

    public init(given: String, directory: URL) {
        self.given = given
        self.directory = directory
    }

    /// Where a file named `name` is staged (for writers that need a path, such as HDF5).
    public func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    public func write(_ data: Data, to name: String) throws {
        do {
            try data.write(to: directory.appendingPathComponent(name))
        } catch {
            throw FourierLensError.outputFailure(output: given, reason: "\(name): \(describe(error))")
        }
    }

    /// Runs a writer that works on `path(name)`, so that its failures name the output the user
    /// gave rather than the hidden staging path.
    public func writing<T>(_ name: String, _ body: (String) throws -> T) throws -> T {
        do {
            return try body(path(name))
        } catch FourierLensError.outputFailure(_, let reason) {
            throw FourierLensError.outputFailure(output: given, reason: "\(name): \(reason)")
        }
    }
}

/// The system's reason for a failed file operation, without Foundation's long wording.
func describe(_ error: Error) -> String {
    if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(posix.code)))
    }
    if (error as NSError).domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32((error as NSError).code))) }
    return error.localizedDescription
}
