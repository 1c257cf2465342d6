import Foundation

/// A report directory written atomically: files go to a hidden staging directory beside the
/// target, and `commit()` moves it into place in one rename. An existing directory is refused
/// unless `force`; with `force` it is replaced only once the new one is complete, so a failed
/// run never leaves a half-written report nor loses the old one.
public final class OutputDirectory {
    public let path: String
    public let stagingURL: URL
    private let force: Bool
    private var committed = false

    public init(_ path: String, force: Bool) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        self.path = url.path
        self.force = force
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: self.path, isDirectory: &isDirectory) {
            guard force else {
                throw FourierLensError.badInput(file: path, dataset: "-",
                    expected: "a new output directory; it already exists (pass --force to replace it)")
            }
            guard isDirectory.boolValue else {
                throw FourierLensError.badInput(file: path, dataset: "-",
                    expected: "an output directory; a file of that name exists and is kept")
            }
        }
        let parent = url.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: parent.path) else {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "an output directory whose parent \(parent.path) exists")
        }
        stagingURL = parent.appendingPathComponent(".\(url.lastPathComponent).staging-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try FileManager.default.createDirectory(at: stagingURL, withIntermediateDirectories: false)
        } catch {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "a writable location for the output directory")
        }
    }

    deinit {
        if !committed { try? FileManager.default.removeItem(at: stagingURL) }
    }

    /// Where a file named `name` is staged (for writers that need a path, such as HDF5).
    public func stagedPath(_ name: String) -> String {
        stagingURL.appendingPathComponent(name).path
    }

    public func write(_ data: Data, to name: String) throws {
        do {
            try data.write(to: stagingURL.appendingPathComponent(name))
        } catch {
            throw FourierLensError.badInput(file: stagedPath(name), dataset: "-", expected: "a writable output file (\(error.localizedDescription))")
        }
    }

    public func write(_ text: String, to name: String) throws {
        try write(Data(text.utf8), to: name)
    }

    /// Moves the staged directory into place, replacing the old one only now (with `force`).
    public func commit() throws {
        guard !committed else { return }
        let manager = FileManager.default
        var retired: URL? = nil
        if manager.fileExists(atPath: path) {
            let old = stagingURL.deletingLastPathComponent()
                .appendingPathComponent(".\(URL(fileURLWithPath: path).lastPathComponent).replaced-\(getpid())")
            guard rename(path, old.path) == 0 else {
                throw FourierLensError.badInput(file: path, dataset: "-", expected: "an output directory that can be replaced (\(String(cString: strerror(errno))))")
            }
            retired = old
        }
        guard rename(stagingURL.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let retired { _ = rename(retired.path, path) }  // put the old report back
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "a writable output directory (\(reason))")
        }
        committed = true
        if let retired { try? manager.removeItem(at: retired) }
    }
}
