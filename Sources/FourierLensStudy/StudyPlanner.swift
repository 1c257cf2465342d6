import FourierLens
import Foundation

/// Expands a spec into tasks: one per analysis, dump and input (dataset, or layer at a site),
/// times the grid's combinations; lens and filter split into shards joined by a merge task.
/// It decides what runs, never how: every task is a command line of the same `fourierlens`.
public struct StudyPlanner {
    public let spec: StudySpec
    let hashes: ContentHash
    /// Parses a command line as the command would; returns its complaint, or nil when it parses.
    let validate: ([String]) -> String?

    /// What else a command's result depends on, by command: the Python package's files for patch
    /// (a changed implementation recomputes its tasks).
    let implementations: [String: String]

    /// The identity of the binary the tasks run (BuildIdentity.binary): part of every task's key.
    let build: String

    /// The most tasks a spec may make (`run --max-tasks`): counted before any is expanded.
    let maxTasks: Int
    public static let defaultMaxTasks = 10_000

    public init(spec: StudySpec, hashes: ContentHash, implementations: [String: String] = [:], maxTasks: Int = defaultMaxTasks,
                build: String = BuildIdentity.binary, validate: @escaping ([String]) -> String?) {
        self.spec = spec; self.hashes = hashes; self.implementations = implementations; self.maxTasks = maxTasks
        self.build = build; self.validate = validate
    }

    public func tasks() throws -> [StudyTask] {
        var tasks: [StudyTask] = []
        var dumpCache: [String: Dump] = [:]
        func metadata(_ path: String) throws -> Dump {
            if let dump = dumpCache[path] { return dump }
            let dump = try Dump(file: try HDF5File(readingFrom: path))
            dumpCache[path] = dump
            return dump
        }
        try checkCount(metadata: metadata)
        for (index, analysis) in spec.analyses.enumerated() {
            tasks += try analysis.kind.type.tasks(analysis, at: "analyses[\(index)]", planner: self, earlier: tasks, metadata: metadata)
        }
        var seen = Set<String>()
        for task in tasks where !seen.insert(task.id).inserted {
            throw FourierLensError.badInput(file: spec.file, dataset: "analyses", expected: "tasks with distinct names (two are \(task.id); give the analyses distinct names)")
        }
        return tasks
    }

    /// How many tasks the spec makes, counted without making them (saturating), refused above
    /// maxTasks: a grid of 10⁶ combinations is one line at once, not minutes of expansion.
    func checkCount(metadata: (String) throws -> Dump) throws {
        var total = 0
        var resultsOf: [String: Int] = [:]  // each analysis's results, which later analyses may multiply (patch)
        for (index, analysis) in spec.analyses.enumerated() {
            let (results, count) = try analysis.kind.type.count(analysis, at: "analyses[\(index)]", planner: self, results: resultsOf, metadata: metadata)
            resultsOf[analysis.name] = results
            total = Self.plus(total, count)
            guard total <= maxTasks else {
                throw FourierLensError.badInput(file: "\(spec.file):\(analysis.line)", dataset: "analyses[\(index)]",
                    expected: "a study of at most \(maxTasks) tasks (--max-tasks); it makes \(total == .max ? "more than \(Int.max)" : "at least \(total)") by here")
            }
        }
    }

    /// An analysis's tasks the usual way: per dump, per input, per combination of the grid.
    func tasksPerInput(_ analysis: StudySpec.Analysis, at: String, metadata: (String) throws -> Dump) throws -> [StudyTask] {
        var tasks: [StudyTask] = []
        for dump in spec.dumps(of: analysis) {
            guard let path = dump.path else { continue }
            for input in try analysis.kind.type.inputs(of: analysis, dump: dump, path: path, at: at, planner: self, metadata: metadata) {
                for combination in combinations(analysis.grid) {
                    tasks += try expand(analysis, at: at, dump: dump, path: path, input: input, combination: combination, metadata: metadata)
                }
            }
        }
        return tasks
    }

    /// tasksPerInput's results and tasks (a sharded result is its shards and their merge), counted.
    func countPerInput(_ analysis: StudySpec.Analysis, at: String, metadata: (String) throws -> Dump) throws -> (results: Int, tasks: Int) {
        var results = 0
        for dump in spec.dumps(of: analysis) {
            guard let path = dump.path else { continue }
            try requireDump(dump, path)
            let inputs = try analysis.kind.type.inputs(of: analysis, dump: dump, path: path, at: at, planner: self, metadata: metadata).count
            results = Self.plus(results, Self.times(inputs, gridSize(analysis)))
        }
        return (results, Self.times(results, analysis.kind.type.shardable && analysis.shards > 1 ? analysis.shards + 1 : 1))
    }

    /// The grid's combinations, counted (saturating).
    func gridSize(_ analysis: StudySpec.Analysis) -> Int { analysis.grid.reduce(1) { Self.times($0, $1.values.count) } }
    static func times(_ a: Int, _ b: Int) -> Int { let (product, overflow) = a.multipliedReportingOverflow(by: b); return overflow ? .max : product }
    static func plus(_ a: Int, _ b: Int) -> Int { let (sum, overflow) = a.addingReportingOverflow(b); return overflow ? .max : sum }

    /// A dump path must be a readable regular file: a device such as /dev/zero would be hashed for ever.
    func requireDump(_ dump: StudySpec.DumpEntry, _ path: String) throws {
        do { try HDF5File.requireReadableRegularFile(path) } catch let FourierLensError.badInput(_, _, expected) {
            throw FourierLensError.badInput(file: "\(spec.file):\(dump.line)", dataset: "dumps.\(dump.name).path", expected: "\(expected): \(path)")
        }
    }

    /// One input of an analysis on a dump: the arguments that choose it and its labels.
    struct Input { var arguments: [String]; var labels: [(String, String)]; var idParts: [String] }

    /// A task's command before its options: its arguments, the files it reads, labels of its own.
    struct Command { var arguments: [String]; var inputs: [String]; var labels: [(String, String)] }

    /// The layers of a site that an analysis reads: all the dump holds, or those listed (each held).
    func layers(_ analysis: StudySpec.Analysis, site: String, dump: Dump, at: String) throws -> [Int] {
        let held = (dump.activations[Site(rawValue: site)!] ?? [:]).keys.sorted()
        guard !held.isEmpty else {
            throw FourierLensError.badInput(file: "\(spec.file):\(analysis.line)", dataset: "\(at).sites", expected: "sites the dump holds (\(dump.path) has no \(site) activations)")
        }
        guard let wanted = analysis.layers else { return held }
        if let missing = wanted.first(where: { !held.contains($0) }) {
            throw FourierLensError.badInput(file: "\(spec.file):\(analysis.line)", dataset: "\(at).layers",
                                            expected: "layers the dump holds at \(site) (\(held.first!)–\(held.last!)); found \(missing)")
        }
        return wanted
    }

    func expand(_ analysis: StudySpec.Analysis, at: String, dump: StudySpec.DumpEntry, path: String, input: Input,
                combination: [StudySpec.Option], metadata: (String) throws -> Dump) throws -> [StudyTask] {
        let options = analysis.options + combination
        let command = analysis.kind.type.command(analysis, dump: dump, path: path, input: input, options: options, spec: spec)
        var arguments = command.arguments
        let inputs = command.inputs
        var labels = input.labels + command.labels
        var idParts = [analysis.name, dump.name] + input.idParts
        try check(base: [analysis.kind.rawValue] + arguments, analysis: analysis, at: at, options: options)
        for option in options { arguments += Self.flag(option.flag, option.value) }
        for (flag, value, _) in combination {
            labels.append((flag, value ?? "true"))
            idParts.append(value.map { "\(flag)-\($0)" } ?? flag)
        }
        let id = Self.sanitise(idParts.joined(separator: "."))
        let memory = try inputs.reduce(256 << 20) { total, file in total + 3 * (try Self.bytes(file)) }
        let base = StudyTask(id: id, analysis: analysis.name, command: analysis.kind.rawValue, dump: dump.name,
                             labels: Dictionary(labels, uniquingKeysWith: { $1 }), labelOrder: labels.map(\.0), arguments: arguments, inputs: inputs,
                             dependencies: [], hash: "", memoryEstimate: memory, isShard: false)
        guard analysis.kind.type.shardable, analysis.shards > 1 else { return [try hashed(base)] }
        // Shards of the prompts, each a lens or filter run of its own, then one merge.
        let roles = try metadata(path)
        let prompts = roles.promptAnswers?.shape.first ?? roles.activations.values.first?.values.first?.rows ?? 0
        guard prompts >= analysis.shards else {
            throw FourierLensError.badInput(file: "\(spec.file):\(analysis.line)", dataset: "\(at).shards",
                                            expected: "at most one shard per prompt (\(path) has \(prompts) prompts)")
        }
        var shards: [StudyTask] = []
        for shard in 0..<analysis.shards {
            let start = prompts * shard / analysis.shards, end = prompts * (shard + 1) / analysis.shards
            var task = base
            task.id = "\(id).shard-\(shard + 1)-of-\(analysis.shards)"
            task.arguments += ["--prompts", "\(start):\(end)"]
            task.labels["shard"] = "\(start):\(end)"
            task.isShard = true
            shards.append(try hashed(task))
        }
        var merge = base
        merge.command = "merge"
        merge.arguments = shards.map { "{task:\($0.id)}" }
        merge.inputs = []
        merge.dependencies = shards.map(\.id)
        merge.labels["merged_from"] = "\(analysis.shards) shards"
        return shards + [try hashed(merge, dependencyHashes: shards.map(\.hash))]
    }

    /// A file's size, or the sum of a folder's files.
    static func bytes(_ path: String) throws -> Int {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { return 0 }
        guard isDirectory.boolValue else { return ((try manager.attributesOfItem(atPath: path))[.size] as? NSNumber)?.intValue ?? 0 }
        return try ContentHash.files(in: path).reduce(0) { total, file in
            total + (((try manager.attributesOfItem(atPath: path + "/" + file))[.size] as? NSNumber)?.intValue ?? 0)
        }
    }

    /// The task with its hash: the tool and the binary's identity, the command, its arguments with
    /// every input file replaced by the SHA-256 of its bytes, and the hashes of what it depends on.
    func hashed(_ task: StudyTask, dependencyHashes: [String] = []) throws -> StudyTask {
        var keyed = [BuildIdentity.tool, build, task.command] + [implementations[task.command]].compactMap { $0 }
        for argument in task.arguments {
            var text = argument
            for input in task.inputs where argument == input || argument.hasPrefix(input + ":") {
                text = "sha256:" + (try hashes.content(input)) + argument.dropFirst(input.count)
            }
            if argument.hasPrefix("{task:") { text = "{task}" }
            keyed.append(text)
        }
        keyed += dependencyHashes
        var task = task
        task.hash = ContentHash.hex(keyed.joined(separator: "\u{1F}"))
        return task
    }

    /// The command line must parse as the command parses it: a bad option is named at its line.
    func check(base: [String], analysis: StudySpec.Analysis, at: String,
               options: [StudySpec.Option]) throws {
        guard let complaint = validate(base + options.flatMap { Self.flag($0.flag, $0.value) }) else { return }
        for option in options {
            if let own = validate(base + Self.flag(option.flag, option.value)) {
                let section = analysis.grid.contains(where: { $0.flag == option.flag }) ? "grid" : "options"
                throw FourierLensError.badInput(file: "\(spec.file):\(option.line)", dataset: "\(at).\(section).\(option.flag)",
                                                expected: "an option \(analysis.kind.rawValue) takes (\(own))")
            }
        }
        throw FourierLensError.badInput(file: "\(spec.file):\(analysis.line)", dataset: at, expected: "options \(analysis.kind.rawValue) takes together (\(complaint))")
    }

    static func flag(_ name: String, _ value: String?) -> [String] {
        value.map { ["--\(name)", $0] } ?? ["--\(name)"]
    }

    /// Every combination of the grid's values, the first option varying slowest.
    func combinations(_ grid: [(flag: String, values: [String?], line: Int)]) -> [[StudySpec.Option]] {
        grid.reduce([[]]) { partial, option in
            partial.flatMap { prefix in
                option.values.map { value in
                    value == "\u{0}false" ? prefix : prefix + [(option.flag, value, option.line)]
                }
            }
        }
    }

    static func datasetPath(_ name: String) -> String {
        switch name {
        case "embeddings": return "/weights/W_E"
        case "unembedding": return "/weights/W_U"
        default: return name
        }
    }

    /// "/acts/blocks.3.hook_mlp_out" → "blocks.3.hook_mlp_out".
    static func shortName(_ dataset: String) -> String {
        String(dataset.split(separator: "/").last ?? Substring(dataset))
    }

    /// A folder name: letters, digits and . _ - only.
    static func sanitise(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" })
    }
}
