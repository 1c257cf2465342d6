/// Everything `fourierlens inspect` says about a dump, as data: rendered as text or JSON.
public struct InspectReport: Encodable {
    public struct Entry: Encodable {
        public var path: String
        public var kind: String
        public var shape: [Int]?
        public var dtype: String?
        public var byteOrder: String?
        public var layout: String?
        public var chunks: [Int]?
        public var filters: [String]?
        public var storageBytes: Int?
        public var logicalBytes: Int?
        public var attributes: [String: AttributeValue]
        public var nonFinite: NonFinite?
        public var note: String?
    }

    public struct NonFinite: Encodable {
        public var nan: Int
        public var inf: Int
        public var first: [Int]?
    }

    public struct Role: Encodable {
        public var role: String
        public var path: String
        public var shape: [Int]
        public var detail: String?
    }

    public struct Activations: Encodable {
        public var site: String
        public var layers: [Int]
        public var form: String
        public var shape: [Int]
    }

    public struct Analysis: Encodable {
        public var analysis: String
        public var purpose: String
        public var ready: Bool
        public var missing: [String]
        /// How the analysis will read the numbers when they repeat or leave gaps (nil: as they are).
        public var note: String? = nil
    }

    public var file: String
    public var attributes: [String: AttributeValue]
    public var entries: [Entry]
    public var roles: [Role]
    public var activations: [Activations]
    public var analyses: [Analysis]
    public var unrecognised: [String]
    public var problems: [String]
    public var warnings: [String]
    /// Datasets holding NaN or Inf, in file order.
    public var nonFiniteDatasets: [String]
    /// Per layer with all four sites: whether resid_post = resid_pre + attn_out + mlp_out.
    public var additivity: [AdditivityCheck] = []

    /// Builds the report: the tree, the roles, the capabilities and, unless `scanValues` is
    /// false, a NaN/Inf scan of every floating-point dataset.
    public init(file: HDF5File, dump: Dump, scanValues: Bool = true) throws {
        self.file = file.path
        attributes = dump.rootAttributes
        var entries: [Entry] = []
        var nonFiniteDatasets: [String] = []
        for node in try file.tree() {
            switch node {
            case let .group(path, attributes):
                entries.append(Entry(path: path, kind: "group", attributes: attributes))
            case let .unreadable(path, reason):
                entries.append(Entry(path: path, kind: "unreadable", attributes: [:], note: reason))
            case let .link(path, note):
                entries.append(Entry(path: path, kind: "link", attributes: [:], note: note))
            case let .dataset(info):
                var entry = Entry(path: info.path, kind: "dataset", shape: info.shape, dtype: info.elementType.description,
                                  byteOrder: info.byteOrder.rawValue, layout: info.layout.rawValue, chunks: info.chunkShape,
                                  filters: info.filters, storageBytes: info.storageBytes, logicalBytes: info.logicalBytes,
                                  attributes: info.attributes)
                if scanValues, info.elementType.isFloatingPoint, !info.storesItsValues {
                    entry.note = "not scanned: \(byteCount(info.storageBytes)) stored for \(byteCount(info.logicalBytes)) of values (the rest reads as the fill value)"
                } else if scanValues, info.elementType.isFloatingPoint {
                    let scan = try file.scanNonFinite(info)
                    entry.nonFinite = NonFinite(nan: scan.nan, inf: scan.infinite, first: scan.firstIndex)
                    if scan.total > 0 { nonFiniteDatasets.append(info.path) }
                }
                entries.append(entry)
            }
        }
        self.entries = entries
        self.nonFiniteDatasets = nonFiniteDatasets
        roles = InspectReport.roles(of: dump)
        activations = dump.sites.map { site in
            let sources = dump.activations[site]!.values.sorted { $0.layer < $1.layer }
            return Activations(site: site.rawValue, layers: sources.map(\.layer),
                               form: sources[0].stackedIndex == nil ? "per-layer (blocks.{l}.hook_\(site.rawValue))" : "stacked (/acts/\(site.rawValue))",
                               shape: sources[0].shape)
        }
        let promptNote = InspectReport.numberNote(file, dump.promptValues)
        let tokenNote = InspectReport.numberNote(file, dump.tokenValues)
        analyses = dump.capabilities.map {
            var analysis = Analysis(analysis: $0.analysis, purpose: $0.purpose, ready: $0.ready, missing: $0.missing)
            if $0.ready {
                switch $0.analysis {
                case "spectrum --dataset /acts/...", "probe --site": analysis.note = promptNote
                case "spectrum", "compare", "probe": analysis.note = tokenNote
                default: break
                }
            }
            return analysis
        }
        unrecognised = dump.unrecognised
        problems = dump.problems.map(\.description)
        warnings = dump.warnings
        if scanValues && dump.problems.isEmpty {
            additivity = try AdditivityCheck.run(file: file, dump: dump)
            warnings += additivity.filter { !$0.holds }.map(\.warning)
        }
    }

    /// How a weight role's attributes say the model reads out (docs/SCHEMA.md): `labels` maps an
    /// attribute to its words (a label ending in "= " or " " is followed by the value).
    static func readoutNote(_ info: DatasetInfo?, _ labels: [String: String]) -> String? {
        guard let info else { return nil }
        let notes = labels.keys.sorted().compactMap { key -> String? in
            guard let value = info.attributes[key], let label = labels[key] else { return nil }
            return label.hasSuffix(" ") ? label + "\(value)" : label
        }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }

    /// What spectra and probes will do with these numbers: average the rows of a repeated number
    /// (the default), and, for spectra, treat a range with gaps only with --allow-gaps.
    static func numberNote(_ file: HDF5File, _ values: DatasetInfo?) -> String? {
        guard let values, values.rank == 1, let numbers = try? file.readIntegers(values.path), !numbers.isEmpty else { return nil }
        var notes: [String] = []
        let distinct = Array(Set(numbers)).sorted()
        if distinct.count < numbers.count {
            let counts = Dictionary(numbers.map { ($0, 1) }, uniquingKeysWith: +).values
            let per = counts.min() == counts.max() ? "\(counts.min()!)" : "\(counts.min()!)–\(counts.max()!)"
            notes.append("\(values.path) repeats numbers (\(per) rows per number): the rows of each number are averaged (the default; --no-average)")
        }
        if zip(distinct, distinct.dropFirst()).contains(where: { $1 != $0 + 1 }) {
            notes.append("the numbers of \(values.path) are not a contiguous range: spectra need --allow-gaps")
        }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }

    /// The boolean/ group's datasets and what each holds (docs/SCHEMA.md).
    private static func booleanRoles(of dump: Dump) -> [(String, DatasetInfo?, String?)] {
        let inputs = dump.booleanInputs.map { info -> String in
            guard info.rank == 2, let design = try? BooleanDump.design(of: info, rows: info.shape[0], n: info.shape[1], file: dump.path) else {
                return "bit strings [M, n], 0/1 a column (`fourierlens boolean` says what is wrong)"
            }
            return "\(info.shape[0]) strings of n = \(info.shape[1]) bits, 0/1 a column; design = \(design.rawValue)"
                + (info.attributes["design"] == nil ? " (no design attribute: M \(design == .cube ? "=" : "≠") 2ⁿ)" : "")
        }
        let outputs = dump.booleanOutputs.map { info in
            info.rank == 2 ? "\(info.shape[1]) values measured on each string" : "one value measured on each string"
        }
        return [
            ("boolean inputs", dump.booleanInputs, inputs),
            ("boolean outputs", dump.booleanOutputs, outputs),
            ("boolean output names", dump.booleanOutputNames, "the name of each output column"),
            ("boolean flip pairs", dump.booleanFlipPairs, "row pairs (x, x ⊕ eᵢ) for the sensitivity"),
        ] + dump.booleanActivations.map { info in
            ("boolean activations", info, "layer \(BooleanRoles.layer(in: info.path) ?? 0) on each string")
        }
    }

    private static func roles(of dump: Dump) -> [Role] {
        let named: [(String, DatasetInfo?, String?)] = [
            ("embeddings", dump.embeddings, readoutNote(dump.embeddings, ["embedding_scale": "× embedding_scale = ", "projection_folded": "input projection folded in"])),
            ("number token ids", dump.tokenIDs, nil),
            ("number values", dump.tokenValues, nil),
            ("number strings", dump.tokenStrings, nil),
            ("number corpus counts", dump.tokenCounts, dump.tokenCounts?.attributes["corpus"]?.string.map { "corpus: \($0)" }),
            ("unembedding W_U", dump.unembedding, [dump.unembedding?.attributes["tied"].map { "tied = \($0)" },
                readoutNote(dump.unembedding, ["logit_scale": "× logit_scale = ", "projection_folded": "output projection folded in",
                                               "softcap": "logits soft-capped at ", "readout_missing": "lens refused: "])]
                .compactMap { $0 }.joined(separator: "; ")),
            ("unembedding bias b_U", dump.unembeddingBias, nil),
            ("W_U column token ids", dump.vocabularyIDs, "W_U restricted to these tokens"),
            ("final norm weight", dump.finalNormWeight, dump.finalNorm.map { "\($0.kind), eps = \($0.eps)" + (readoutNote(dump.finalNormWeight, ["weight_offset": "effective weight: raw + weight_offset = "]).map { "; " + $0 } ?? "") }),
            ("final norm bias", dump.finalNormBias, nil),
            ("final norm scale", dump.finalScale, nil),
            ("prompt texts", dump.promptText, nil),
            ("prompt answers", dump.promptAnswers, dump.promptAnswers.map { "kind = \($0.attributes["kind"]?.string ?? "value")" }),
            ("prompt values", dump.promptValues, nil),
            ("readout positions", dump.promptPositions, nil),
            ("vocabulary strings", dump.vocabularyStrings, nil),
            ("prompt tokens", dump.promptTokens, dump.promptTokens.map { $0.rank == 2 ? "every position" : "at the readout position" }),
        ] + booleanRoles(of: dump)
        return named.compactMap { role, info, detail in
            info.map { Role(role: role, path: $0.path, shape: $0.shape, detail: detail) }
        }
    }
}
