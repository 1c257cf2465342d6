import Foundation

/// A report directory written atomically: files go to a hidden staging directory beside the
/// target, and `commit()` moves it into place in one rename. An existing directory is refused
/// unless `force`; with `force` it is swapped with the new one in one step (renameat2
/// RENAME_EXCHANGE), so a reader always sees the old report or the new one, never none. A
/// directory that appears while the run writes is never replaced without `force`.
public final class OutputDirectory {
    /// The path as the user gave it (messages name it, never the hidden staging path).
    public let given: String
    public let path: String
    public let stagingURL: URL
    private let force: Bool
    private var committed = false
    /// Parents this run created (mkdir -p), removed again when nothing is committed.
    private var createdParents: [String] = []
    /// Whether `commit()` first renders every chart to PNG and PDF beside its SVG.
    public var exportsFigures = true
    /// Where notes for the user go (the reading of an input, a left-out prompt), each said once.
    public var note: (String) -> Void = { _ in }
    /// The title, labels and model name the charts and page show (`--title`, `--label`, the
    /// dump's `model`); empty: every file as the report wrote it.
    public var presentation = Presentation()

    /// `inputs` are the files the run reads: an output that is or holds one of them (or the
    /// working directory) is refused, since `--force` would delete it.
    public init(_ path: String, force: Bool, inputs: [String] = []) throws {
        given = path
        let url = URL(fileURLWithPath: path).standardizedFileURL
        self.path = url.path
        self.force = force
        func refuse(_ expected: String) -> FourierLensError { .badInput(file: path, dataset: "-", expected: expected) }
        try OutputDirectory.refuseEnclosing(self.path, inputs: inputs, refuse: refuse)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: self.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw refuse("an output directory; a file of that name exists and is kept")
            }
            guard force else {
                throw refuse("a new output directory; it already exists (pass --force to replace it)")
            }
        }
        let parent = url.deletingLastPathComponent()
        createdParents = try OutputDirectory.createParents(parent.path, refuse: refuse)
        TemporaryPaths.removeStale(in: parent.path)
        stagingURL = parent.appendingPathComponent(TemporaryPaths.name(for: url.lastPathComponent, kind: "staging"))
        TemporaryPaths.register(stagingURL.path)
        do {
            try FileManager.default.createDirectory(at: stagingURL, withIntermediateDirectories: false)
        } catch {
            TemporaryPaths.unregister(stagingURL.path)
            removeCreatedParents()
            throw refuse("a writable location for the output directory (\(describe(error)))")
        }
    }

    deinit {
        if !committed {
            try? FileManager.default.removeItem(at: stagingURL)
            TemporaryPaths.unregister(stagingURL.path)
            removeCreatedParents()
        }
    }

    /// The staging directory as runs write to it.
    public var staged: StagedOutput { StagedOutput(given: given, directory: stagingURL) }

    public func write(_ data: Data, to name: String) throws { try staged.write(data, to: name) }

    public func write(_ text: String, to name: String) throws {
        let shown = presentation.isEmpty || !(name.hasSuffix(".svg") || name == "index.html") ? text
            : presentation.apply(to: text, isPage: name == "index.html")
        try write(Data(shown.utf8), to: name)
    }

    /// Runs a writer on the staged file `name`, its failures naming the output the user gave.
    public func writing<T>(_ name: String, _ body: (String) throws -> T) throws -> T { try staged.writing(name, body) }

    /// Moves the staged directory into place. Without `force` it never replaces anything, even
    /// a directory that appeared after the start; with `force` the old one is swapped out in
    /// one step and deleted afterwards.
    public func commit() throws {
        guard !committed else { return }
        if exportsFigures {
            do {
                try FigureExport.renderCharts(in: stagingURL.path)
            } catch let FourierLensError.outputFailure(chart, reason) {
                throw FourierLensError.outputFailure(output: given, reason: "\(chart): \(reason)")
            }
        }
        try TemporaryPaths.withoutInterruption {
            switch AtomicRename.rename(stagingURL.path, path, .noReplace) {
            case 0:
                break
            case EEXIST where force:
                try exchange()
            case EEXIST:
                throw FourierLensError.badInput(file: given, dataset: "-",
                    expected: "a new output directory; one appeared there while this run was writing and is kept (pass --force to replace it)")
            case EINVAL:
                try renameWithoutRenameat2()
            case let code:
                throw FourierLensError.outputFailure(output: given, reason: String(cString: strerror(code)))
            }
            committed = true
            TemporaryPaths.unregister(stagingURL.path)
        }
    }

    /// Swaps the new report with the old one, then deletes the old one (now at the staging path).
    private func exchange() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FourierLensError.badInput(file: given, dataset: "-",
                                            expected: "an output directory; a file of that name appeared and is kept")
        }
        switch AtomicRename.rename(stagingURL.path, path, .exchange) {
        case 0:
            try? FileManager.default.removeItem(at: stagingURL)  // the old report; the new one is in place
        case EINVAL:
            try renameWithoutRenameat2()
        case let code:
            throw FourierLensError.outputFailure(output: given, reason: String(cString: strerror(code)))
        }
    }

    /// File systems without renameat2's modes: the old report is moved aside, then replaced.
    private func renameWithoutRenameat2() throws {
        let manager = FileManager.default
        var retired: String? = nil
        if manager.fileExists(atPath: path) {
            guard force else {
                throw FourierLensError.badInput(file: given, dataset: "-",
                    expected: "a new output directory; one appeared there while this run was writing and is kept (pass --force to replace it)")
            }
            let old = stagingURL.deletingLastPathComponent()
                .appendingPathComponent(TemporaryPaths.name(for: URL(fileURLWithPath: path).lastPathComponent, kind: "replaced")).path
            guard Foundation.rename(path, old) == 0 else {
                throw FourierLensError.outputFailure(output: given, reason: String(cString: strerror(errno)))
            }
            retired = old
        }
        guard Foundation.rename(stagingURL.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let retired { _ = Foundation.rename(retired, path) }  // put the old report back
            throw FourierLensError.outputFailure(output: given, reason: reason)
        }
        if let retired { try? manager.removeItem(atPath: retired) }
    }

    private func removeCreatedParents() {
        for parent in createdParents.reversed() { rmdir(parent) }  // only while still empty
        createdParents = []
    }

    // MARK: - Checks made before anything is written

    /// Refuses an output that is, or contains, the working directory or an input file.
    static func refuseEnclosing(_ path: String, inputs: [String], refuse: (String) -> FourierLensError) throws {
        let target = resolved(path)
        func encloses(_ other: String) -> Bool { other == target || other.hasPrefix(target == "/" ? "/" : target + "/") }
        if encloses(resolved(FileManager.default.currentDirectoryPath)) {
            throw refuse("an output directory that does not contain the working directory (replacing it would delete it)")
        }
        for input in inputs where encloses(resolved(input)) {
            throw refuse("an output directory that does not contain the input \(input) (replacing it would delete it)")
        }
    }

    /// The real path of `path` (symbolic links resolved), for the part that exists.
    static func resolved(_ path: String) -> String {
        var existing = URL(fileURLWithPath: path).standardizedFileURL.path
        var rest: [String] = []
        func real(_ path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }
        while !existing.isEmpty, existing != "/", real(existing) == nil {
            rest.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        guard let base = real(existing.isEmpty ? "/" : existing) else { return path }
        return rest.reduce(base) { ($0 as NSString).appendingPathComponent($1) }
    }

    /// mkdir -p for the output's parent; returns the directories it created, outermost first.
    static func createParents(_ parent: String, refuse: (String) -> FourierLensError) throws -> [String] {
        var missing: [String] = []
        var current = parent
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: current, isDirectory: &isDirectory) {
            missing.insert(current, at: 0)
            current = (current as NSString).deletingLastPathComponent
        }
        guard isDirectory.boolValue else { throw refuse("an output directory whose parent \(current) is a directory, found a file") }
        var created: [String] = []
        for directory in missing {
            guard mkdir(directory, 0o777) == 0 || errno == EEXIST else {
                let reason = String(cString: strerror(errno))
                for made in created.reversed() { rmdir(made) }
                throw refuse("an output directory whose parent \(directory) can be created (\(reason))")
            }
            created.append(directory)
        }
        return created
    }
}
