/// A dump file mapped to the roles of schema fourierlens/1 (docs/SCHEMA.md). Opening a dump
/// never fails on a schema problem: problems are collected in `problems` (each one clear line)
/// so `inspect` can show them all; analyses call `requireValid()` or check the roles they need.
public struct Dump {
    public static let schemaName = "fourierlens/1"

    public let path: String
    public let rootAttributes: [String: AttributeValue]
    public let datasets: [DatasetInfo]

    public var embeddings: DatasetInfo?
    public var tokenIDs: DatasetInfo?
    public var tokenValues: DatasetInfo?
    public var tokenStrings: DatasetInfo?
    /// How often each number token occurs in a corpus (the frequency control's regressor).
    public var tokenCounts: DatasetInfo?
    public var unembedding: DatasetInfo?
    public var unembeddingBias: DatasetInfo?
    /// The token id of each W_U column, when W_U covers only part of the vocabulary.
    public var vocabularyIDs: DatasetInfo?
    public var finalNormWeight: DatasetInfo?
    public var finalNormBias: DatasetInfo?
    public var finalScale: DatasetInfo?
    public var promptText: DatasetInfo?
    public var promptAnswers: DatasetInfo?
    public var promptValues: DatasetInfo?
    /// The token index each prompt's activations were read at.
    public var promptPositions: DatasetInfo?
    /// The text of every token id 0..<V (the tokenizer's vocabulary), for reports.
    public var vocabularyStrings: DatasetInfo?
    /// The token at each prompt's readout position [N], or at every position [N × pos].
    public var promptTokens: DatasetInfo?
    /// Activations per site, then per layer.
    public var activations: [Site: [Int: ActivationSource]] = [:]
    /// The boolean/ group (functions on bit strings): inputs, outputs, their names, flip pairs.
    public var booleanInputs: DatasetInfo?
    public var booleanOutputs: DatasetInfo?
    public var booleanOutputNames: DatasetInfo?
    public var booleanFlipPairs: DatasetInfo?
    /// boolean/acts/blocks.{l}.hook_{site}, in file order.
    public var booleanActivations: [DatasetInfo] = []
    /// Datasets that are not part of the schema (kept, listed, never an error).
    public var unrecognised: [String] = []

    /// Everything that makes this dump inconsistent, one clear line each.
    public var problems: [FourierLensError] = []
    /// Things worth knowing that do not stop an analysis.
    public var warnings: [String] = []

    public init(file: HDF5File) throws {
        path = file.path
        rootAttributes = try file.attributes(of: "/")
        datasets = try file.datasets()
        mapRoles()
        DumpValidator(dump: self, file: file).validate(into: &self)
        TokenTextValidator(dump: self, file: file).validate(into: &self)
    }

    public var isValid: Bool { problems.isEmpty }

    /// Throws the first problem, if any.
    public func requireValid() throws {
        if let first = problems.first { throw first }
    }

    public var layers: [Int] {
        Array(Set(activations.values.flatMap { $0.keys })).sorted()
    }

    public var sites: [Site] { activations.keys.sorted() }

    /// The final norm's kind (layernorm or rmsnorm) and epsilon, from ln_final.w's attributes.
    public var finalNorm: (kind: String, eps: Double)? {
        guard let weight = finalNormWeight, let kind = weight.attributes["kind"]?.string?.lowercased() else { return nil }
        return (kind, weight.attributes["eps"]?.number ?? 1e-5)
    }

    public func dataset(_ path: String) -> DatasetInfo? { datasets.first { $0.path == path } }

    private mutating func mapRoles() {
        embeddings = dataset("/weights/W_E")
        tokenIDs = dataset("/tokens/ids")
        tokenValues = dataset("/tokens/values")
        tokenStrings = dataset("/tokens/strings")
        tokenCounts = dataset("/tokens/counts")
        unembedding = dataset("/weights/W_U")
        unembeddingBias = dataset("/weights/b_U")
        vocabularyIDs = dataset("/weights/vocab_ids")
        promptPositions = dataset("/prompts/position")
        finalNormWeight = dataset("/weights/ln_final.w")
        finalNormBias = dataset("/weights/ln_final.b")
        finalScale = dataset("/acts/ln_final.hook_scale")
        promptText = dataset("/prompts/text")
        promptAnswers = dataset("/prompts/answer")
        promptValues = dataset("/prompts/values")
        vocabularyStrings = dataset("/vocabulary/strings")
        promptTokens = dataset("/prompts/tokens")
        booleanInputs = dataset(BooleanRoles.inputsPath)
        booleanOutputs = dataset(BooleanRoles.outputsPath)
        booleanOutputNames = dataset(BooleanRoles.outputNamesPath)
        booleanFlipPairs = dataset(BooleanRoles.flipPairsPath)
        let known: Set<String> = [
            "/weights/W_E", "/tokens/ids", "/tokens/values", "/tokens/strings", "/tokens/counts", "/weights/W_U", "/weights/b_U",
            "/weights/ln_final.w", "/weights/ln_final.b", "/acts/ln_final.hook_scale",
            "/prompts/text", "/prompts/answer", "/prompts/values", "/weights/vocab_ids", "/prompts/position",
            "/vocabulary/strings", "/prompts/tokens",
            BooleanRoles.inputsPath, BooleanRoles.outputsPath, BooleanRoles.outputNamesPath, BooleanRoles.flipPairsPath,
        ]
        for info in datasets where !known.contains(info.path) {
            if info.path.hasPrefix("/acts/"), mapActivation(info) { continue }
            if info.path.hasPrefix(BooleanRoles.activationsGroup + "/"), BooleanRoles.layer(in: info.path) != nil {
                booleanActivations.append(info)
                continue
            }
            unrecognised.append(info.path)
        }
    }

    /// `/acts/blocks.{l}.hook_{site}` [N, d] or [N, pos, d]; or stacked `/acts/{site}` [L, N, d] or [L, N, pos, d].
    private mutating func mapActivation(_ info: DatasetInfo) -> Bool {
        let name = String(info.path.dropFirst("/acts/".count))
        if let (layer, site) = Site.parseHookName(name) {
            guard info.rank == 2 || info.rank == 3 else {
                problems.append(.badInput(file: path, dataset: info.path,
                    expected: "activations [N × d] or [N × pos × d], found \(info.rank)-D \(info.shapeDescription)"))
                return true
            }
            add(ActivationSource(site: site, layer: layer, path: info.path, stackedIndex: nil, shape: info.shape))
            return true
        }
        if let site = Site(rawValue: name) {
            guard info.rank == 3 || info.rank == 4 else {
                problems.append(.badInput(file: path, dataset: info.path,
                    expected: "stacked activations [L × N × d] or [L × N × pos × d], found \(info.rank)-D \(info.shapeDescription)"))
                return true
            }
            guard info.shape[0] <= Site.maximumLayer + 1 else {
                problems.append(.badInput(file: path, dataset: info.path,
                    expected: "at most \(Site.maximumLayer + 1) stacked layers, found \(info.shapeDescription)"))
                return true
            }
            for layer in 0..<info.shape[0] {
                add(ActivationSource(site: site, layer: layer, path: info.path, stackedIndex: layer,
                                     shape: Array(info.shape.dropFirst())))
            }
            return true
        }
        return false
    }

    private mutating func add(_ source: ActivationSource) {
        if let existing = activations[source.site]?[source.layer] {
            problems.append(.badInput(file: path, dataset: source.path,
                expected: "one source for \(source.site.hookName(layer: source.layer)), but \(existing.path) holds it too"))
            return
        }
        activations[source.site, default: [:]][source.layer] = source
    }
}
