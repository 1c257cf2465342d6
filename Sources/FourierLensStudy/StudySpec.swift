import FourierLens
import Foundation
import Yams

/// A study as written in probes/NAME.yaml (docs/STUDIES.md): which dumps, which analyses with
/// which options, and what the study page shows. Parsing checks every key and value and names
/// the line of the first one that is wrong.
public struct StudySpec: Sendable {
    /// A CLI flag without "--", its value (nil for a bare flag) and its line in the spec.
    public typealias Option = (flag: String, value: String?, line: Int)

    public struct DumpEntry: Sendable {
        public var name: String
        /// An HDF5 dump (absolute path), or nil for a random baseline.
        public var path: String?
        public var role: String
        /// A random baseline matched to another dump: gaussian, permute or frequency-matched.
        public var random: String?
        public var of: String?
        /// Per-number corpus counts (a file with /tokens/counts) for --control-frequency and the
        /// frequency-matched baseline; nil: the dump's own.
        public var counts: String? = nil
        public var line: Int
    }

    /// A model folder (a Hugging Face checkpoint) that patch tasks run.
    public struct ModelEntry: Sendable {
        public var name: String
        public var path: String
        public var line: Int
    }

    public struct Analysis: Sendable {
        public var kind: StudyAnalysisKind
        public var name: String
        /// The dumps it runs on (nil: every dump that is not a random baseline).
        public var dumps: [String]?
        /// compare: the second side (a dump, or a random baseline of each dump).
        public var against: String?
        /// Dataset paths or the aliases embeddings / unembedding.
        public var datasets: [String]?
        public var sites: [String]?
        /// nil: every layer the dump holds.
        public var layers: [Int]?
        /// CLI flags without "--", in the order written.
        public var options: [Option]
        /// One task per combination of these values, in the order written.
        public var grid: [(flag: String, values: [String?], line: Int)]
        public var shards: Int
        /// patch: the filter analysis whose filtered activations go back into the model.
        public var filters: String?
        /// patch: the model (a name in models).
        public var model: String?
        public var line: Int
    }

    public var file: String
    public var title: String
    public var question: String?
    public var description: String?
    public var dumps: [DumpEntry]
    public var models: [ModelEntry] = []
    public var analyses: [Analysis]
    /// How many finding lines of each task the page's answer shows.
    public var findingsPerTask: Int
    public var charts: Bool
}

extension StudySpec {
    static let topKeys = ["title", "question", "description", "dumps", "models", "analyses", "summary"]
    static let dumpKeys = ["path", "role", "random", "of", "counts"]
    static let analysisKeys = ["kind", "name", "dumps", "against", "datasets", "sites", "layers", "options", "grid", "shards", "filters", "model"]
    /// The entry keys a kind takes or refuses (StudyAnalysis.keys), in the order they are checked.
    static let kindKeys = ["against", "filters", "model", "dumps", "sites", "layers", "datasets", "shards"]
    static let summaryKeys = ["findings", "charts"]
    /// Options the runner sets itself for every task.
    static let reservedFlags = ["out", "force", "quiet", "json", "prompts", "help", "version"]

    /// Reads and checks a spec file; paths in it are relative to the file's folder.
    public static func load(_ path: String) throws -> StudySpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "a readable study spec (YAML)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "a study spec in UTF-8 text")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> StudySpec {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        }
        guard let root else { throw FourierLensError.badInput(file: file, dataset: "-", expected: "a study spec; the file is empty") }
        let top = SpecNode(node: root, path: "", file: file)
        let base = (URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent()).path
        var spec = StudySpec(file: file, title: "", dumps: [], analyses: [], findingsPerTask: 3, charts: true)
        var sawTitle = false, sawDumps = false, sawAnalyses = false
        for (key, value) in try top.mapping(allowed: topKeys) {
            switch key {
            case "title": spec.title = try value.string(); sawTitle = true
            case "question": spec.question = try value.string()
            case "description": spec.description = try value.string()
            case "dumps": spec.dumps = try parseDumps(value, base: base); sawDumps = true
            case "models": spec.models = try parseModels(value, base: base)
            case "analyses": spec.analyses = try parseAnalyses(value); sawAnalyses = true
            default:  // summary
                for (key, value) in try value.mapping(allowed: summaryKeys) {
                    if key == "findings" { spec.findingsPerTask = try value.int(in: 0...100) } else { spec.charts = try value.bool() }
                }
            }
        }
        for (present, key) in [(sawTitle, "title"), (sawDumps, "dumps"), (sawAnalyses, "analyses")] where !present {
            throw top.error("a \"\(key)\" key (see docs/STUDIES.md)")
        }
        try spec.checkReferences(top)
        return spec
    }

    static func parseDumps(_ node: SpecNode, base: String) throws -> [DumpEntry] {
        let entries = try node.mapping()
        guard !entries.isEmpty else { throw node.error("at least one dump") }
        return try entries.map { name, value in
            try requireName(name, at: value)
            var dump = DumpEntry(name: name, path: nil, role: name, random: nil, of: nil, line: value.line)
            for (key, field) in try value.mapping(allowed: dumpKeys) {
                switch key {
                case "path":
                    let given = try field.string()
                    dump.path = given.hasPrefix("/") ? given : URL(fileURLWithPath: base).appendingPathComponent(given).standardizedFileURL.path
                case "role": dump.role = try field.string()
                case "counts":
                    let given = try field.string()
                    let path = given.hasPrefix("/") ? given : URL(fileURLWithPath: base).appendingPathComponent(given).standardizedFileURL.path
                    guard FileManager.default.fileExists(atPath: path) else { throw field.error("a counts file (HDF5 with /tokens/counts) that exists (found \(field.describe))") }
                    dump.counts = path
                case "random":
                    let kind = try field.string()
                    let known = ["gaussian": "gaussian", "matched-gaussian": "gaussian", "permute": "permute", "matched-permute": "permute",
                                 "frequency-matched": "frequency-matched"]
                    guard let random = known[kind] else { throw field.error("gaussian, matched-gaussian, permute, matched-permute or frequency-matched (found \(field.describe))") }
                    dump.random = random
                default: dump.of = try field.string()
                }
            }
            if dump.random == nil && dump.path == nil { throw value.error("a \"path\" (an HDF5 dump) or \"random\" with \"of\"") }
            if dump.random != nil && dump.path != nil { throw value.error("either a \"path\" or \"random\", not both") }
            if dump.random != nil && dump.of == nil { throw value.error("\"of\": the dump the random baseline is matched to") }
            if dump.random == nil && dump.of != nil { throw value.error("\"of\" only with \"random\"") }
            if dump.random != nil && dump.counts != nil { throw value.error("\"counts\" on a dump with a path (a random baseline uses the counts of the dump it is matched to)") }
            return dump
        }
    }

    /// name: PATH (a model folder, relative to the spec).
    static func parseModels(_ node: SpecNode, base: String) throws -> [ModelEntry] {
        let entries = try node.mapping()
        guard !entries.isEmpty else { throw node.error("at least one model: NAME: PATH (a Hugging Face model folder)") }
        return try entries.map { name, value in
            try requireName(name, at: value)
            let given = try value.string()
            let path = given.hasPrefix("/") ? given : URL(fileURLWithPath: base).appendingPathComponent(given).standardizedFileURL.path
            return ModelEntry(name: name, path: path, line: value.line)
        }
    }

    static func parseAnalyses(_ node: SpecNode) throws -> [Analysis] {
        let items = try node.sequence()
        guard !items.isEmpty else { throw node.error("at least one analysis") }
        var analyses: [Analysis] = []
        var names = Set<String>()
        var nextNumber: [StudyAnalysisKind: Int] = [:]
        for item in items {
            let entries = try item.mapping(allowed: analysisKeys)
            guard let kindNode = entries.first(where: { $0.key == "kind" })?.value else {
                throw item.error("a \"kind\": one of \(StudyAnalysisKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let kind = StudyAnalysisKind(rawValue: try kindNode.scalar()) else {
                throw kindNode.error("one of \(StudyAnalysisKind.allCases.map(\.rawValue).joined(separator: ", ")) (found \(kindNode.describe))")
            }
            var analysis = Analysis(kind: kind, name: "", options: [], grid: [], shards: 1, line: item.line)
            var givenName: (String, SpecNode)?
            for (key, value) in entries {
                switch key {
                case "kind": break
                case "name": givenName = (try value.string(), value); try requireName(givenName!.0, at: value)
                case "dumps": analysis.dumps = try value.list().map { try $0.string() }
                case "against": analysis.against = try value.string()
                case "datasets": analysis.datasets = try value.list().map { try $0.string() }
                case "sites": analysis.sites = try parseSites(value)
                case "layers": analysis.layers = try parseLayers(value)
                case "options": analysis.options = try parseOptions(value)
                case "grid": analysis.grid = try parseGrid(value)
                case "filters": analysis.filters = try value.string()
                case "model": analysis.model = try value.string()
                default: analysis.shards = try value.int(in: 1...4096)
                }
            }
            try analysis.checkKeys(item, entries: entries.map(\.key))
            // Unnamed analyses take their kind's name, numbered when the kind repeats.
            // (The next number to try is remembered per kind: 10⁵ unnamed analyses are not 10¹⁰ tries.)
            var name = givenName?.0 ?? kind.rawValue
            if givenName == nil, names.contains(name) {
                var n = nextNumber[kind] ?? 2
                while names.contains("\(kind.rawValue)-\(n)") { n += 1 }
                name = "\(kind.rawValue)-\(n)"
                nextNumber[kind] = n + 1
            }
            guard names.insert(name).inserted else { throw (givenName?.1 ?? item).error("a name no other analysis has (\"\(name)\" is taken)") }
            analysis.name = name
            analyses.append(analysis)
        }
        return analyses
    }

    static func parseSites(_ node: SpecNode) throws -> [String] {
        try node.list().map { item in
            let site = try item.string()
            guard Site(rawValue: site) != nil else {
                throw item.error("a site: \(Site.allCases.map(\.rawValue).joined(separator: ", ")) (found \(item.describe))")
            }
            return site
        }
    }

    /// `all`, a list of layers, or a range written "0-5".
    static func parseLayers(_ node: SpecNode) throws -> [Int]? {
        if case .scalar = node.node {
            let text = try node.string()
            if text == "all" { return nil }
            if let layer = Int(text), layer >= 0 { return [layer] }
            let ends = text.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard ends.count == 2, let first = ends[0], let last = ends[1], first >= 0, first <= last, last <= Site.maximumLayer else {
                throw node.error("all, a layer, a range such as 0-5, or a list of layers (found \(node.describe))")
            }
            return Array(first...last)
        }
        let layers = try node.sequence().map { try $0.int(in: 0...Site.maximumLayer) }
        guard !layers.isEmpty else { throw node.error("at least one layer") }
        guard Set(layers).count == layers.count else { throw node.error("each layer once") }
        return layers
    }

    /// A value of an option: a scalar, or a list joined with commas as the CLI takes it.
    static func optionValue(_ node: SpecNode) throws -> String? {
        if case .sequence = node.node {
            let items = try node.sequence().map { try $0.scalar() }
            guard !items.isEmpty else { throw node.error("a non-empty list") }
            return items.joined(separator: ",")
        }
        let text = try node.scalar()
        // A flag: true sets it, false leaves it out (its default).
        if case let .scalar(scalar) = node.node, scalar.style == .plain, let flag = node.node.bool, ["true", "false"].contains(text.lowercased()) {
            return flag ? nil : "\u{0}false"
        }
        return text
    }

    static func parseOptions(_ node: SpecNode) throws -> [Option] {
        try node.mapping().compactMap { flag, value in
            try requireFlag(flag, at: value)
            let parsed = try optionValue(value)
            if parsed == "\u{0}false" { return nil }
            return (flag, parsed, value.line)
        }
    }

    static func parseGrid(_ node: SpecNode) throws -> [(flag: String, values: [String?], line: Int)] {
        let entries = try node.mapping()
        guard !entries.isEmpty else { throw node.error("at least one option with a list of values") }
        return try entries.map { flag, value in
            try requireFlag(flag, at: value)
            let values = try value.sequence().map { item -> String? in
                let parsed = try optionValue(item)
                return parsed == "\u{0}false" ? "\u{0}false" : parsed
            }
            guard !values.isEmpty else { throw value.error("a non-empty list of values") }
            return (flag, values, value.line)
        }
    }

    static func requireName(_ name: String, at node: SpecNode) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ allowed.contains($0) }) else {
            throw node.error("a name of letters, digits, _ and - (found \"\(name)\")")
        }
    }

    static func requireFlag(_ flag: String, at node: SpecNode) throws {
        let key = SpecNode(node: node.node, path: node.path, file: node.file)
        guard !flag.hasPrefix("-") else { throw key.error("the option's name without its dashes (\"\(flag.drop { $0 == "-" })\")") }
        // Only a bare name: "prompts=0:5" would pass a value past the check of reserved options.
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard flag.allSatisfy({ allowed.contains($0) }), flag.count <= 64 else {
            throw key.error("an option's name: lower-case letters, digits and - (found \"\(flag)\"; write its value as the key's value)")
        }
        guard !reservedFlags.contains(flag) else { throw key.error("an option of the analysis; --\(flag) is set by the study runner") }
    }

    /// A YAML syntax error as one line at its position.
    static func yamlError(_ error: YamlError, file: String) -> FourierLensError {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return .badInput(file: "\(file):\(mark.line)", dataset: "column \(mark.column)", expected: "valid YAML (\(problem))")
        case let .duplicatedKeysInMapping(duplicates, context):
            return .badInput(file: "\(file):\(context.mark.line)", dataset: duplicates.joined(separator: ", "),
                             expected: "each key once in a mapping (repeated: \(duplicates.joined(separator: ", ")))")
        default:
            return .badInput(file: file, dataset: "-", expected: "valid YAML (\(String(describing: error).split(separator: "\n").first ?? ""))")
        }
    }
}

extension StudySpec.Analysis {
    /// Keys that mean nothing for this kind are refused rather than ignored.
    func checkKeys(_ node: SpecNode, entries: [String]) throws {
        let type = kind.type
        for key in StudySpec.kindKeys where entries.contains(key) && !type.keys.contains(key) {
            throw node.error("no \"\(key)\" for \(kind.rawValue) (\(type.refusalReasons[key] ?? Self.onlyWhere(key)))")
        }
        try type.check(self, at: node)
        if type.keys.contains("shards"), shards > 1, options.contains(where: { $0.flag == "every-position" }) {
            throw node.error("no shards with every-position (the lens at every position reads all prompts at once)")
        }
        if sites == nil && entries.contains("layers") && !type.layersWithoutSites {
            throw node.error("\"sites\" with \"layers\" (the layers of which site?)")
        }
        for (flag, _, line) in grid where options.contains(where: { $0.flag == flag }) {
            throw FourierLensError.badInput(file: "\(node.file):\(line)", dataset: "\(node.path).grid.\(flag)", expected: "an option given once, in options or in grid")
        }
    }

    /// "only compare has a second side": the kinds that take a key, and what it is for.
    static func onlyWhere(_ key: String) -> String {
        var takers: [String] = []
        for type in StudyAnalysisKind.registry where type.keys.contains(key) { takers.append(type.name) }
        let one = takers.count == 1
        let what = ["against": one ? "has a second side" : "have a second side",
                    "filters": one ? "reads a filter analysis's output" : "read a filter analysis's output",
                    "model": one ? "runs the model" : "run the model",
                    "shards": one ? "splits its prompts" : "split their prompts"][key] ?? (one ? "takes it" : "take it")
        let names = takers.count <= 2 ? takers.joined(separator: " and ") : takers.dropLast().joined(separator: ", ") + " and " + takers.last!
        return "only \(names) \(what)"
    }
}

extension StudySpec {
    /// Every dump an analysis names exists, random baselines are matched to real dumps.
    func checkReferences(_ top: SpecNode) throws {
        let byName = Dictionary(uniqueKeysWithValues: dumps.map { ($0.name, $0) })
        for dump in dumps where dump.random != nil {
            guard let of = byName[dump.of!], of.random == nil else {
                throw error(at: dump.line, "dumps.\(dump.name).of", "a dump with a path (found \"\(dump.of!)\")")
            }
        }
        for (index, analysis) in analyses.enumerated() {
            let path = "analyses[\(index)]"
            for name in analysis.dumps ?? [] {
                guard let dump = byName[name] else { throw error(at: analysis.line, "\(path).dumps", "a dump named in dumps (found \"\(name)\")") }
                if dump.random != nil {
                    throw error(at: analysis.line, "\(path).dumps", "dumps with a path; \"\(name)\" is a random baseline, which only compare's \"against\" reads")
                }
            }
            try analysis.kind.type.checkReferences(analysis, index: index, in: self)
        }
    }

    /// A complaint about the spec at a line and key path.
    func error(at line: Int, _ path: String, _ expected: String) -> FourierLensError {
        .badInput(file: "\(file):\(line)", dataset: path, expected: expected)
    }

    /// The model a patch analysis runs: the one it names, or the only one.
    public func model(of analysis: Analysis) -> ModelEntry? {
        analysis.model.flatMap { name in models.first { $0.name == name } } ?? (models.count == 1 ? models[0] : nil)
    }

    /// The dumps an analysis runs on.
    public func dumps(of analysis: Analysis) -> [DumpEntry] {
        if let names = analysis.dumps { return names.compactMap { name in dumps.first { $0.name == name } } }
        if let against = analysis.against, let of = dumps.first(where: { $0.name == against })?.of {
            return dumps.filter { $0.name == of }
        }
        return dumps.filter { $0.random == nil && $0.name != analysis.against }
    }
}
