import Foundation

/// lens_prompts.h5: every prompt's readouts, written block by block as the lens produces them
/// and read back block by block by `merge`. Layout (docs/SCHEMA.md, "lens_prompts.h5"):
/// /prompts/index, /prompts/answer, /prompts/answer_is_number [n]; /lens/rank, logprob,
/// entropy, kl, predicted [R, n]; /lens/top_token, top_logit [R, n, K]; /lens/number_logits
/// [R, n, p]; /readouts/site, /readouts/layer [R]; /numbers/values [p].
public enum LensPromptFile {
    public static let name = "lens_prompts.h5"
    public static let schema = "fourierlens/lens-prompts/1"

    /// What identifies a run, so that only shards of the same run merge.
    public struct Header: Codable, Equatable, Sendable {
        public var source: String
        public var promptStart: Int
        public var promptEnd: Int
        public var promptsTotal: Int
        public var topK: Int
        public var options: LensOptions
        public var sites: [String]
        public var layers: [Int]
        /// The readout read only as the KL reference (not asked for), if any.
        public var referenceOnly: Int?
        public var numberValues: [Int64]
        /// The dump's SHA-256 (nil in files that predate it): shards of different dumps at one path never merge.
        public var sourceSHA256: String?
        /// The unembedding's vocabulary: ranks and token ids lie within it (nil in older files).
        public var vocabulary: Int?
        /// The readouts' hook names, blocks.{layer}.hook_{site}.
        public var readouts: [String] { zip(sites, layers).map { "blocks.\($1).hook_\($0)" } }
        public var readoutPairs: [(site: Site, layer: Int)] { zip(sites, layers).compactMap { s, l in Site(rawValue: s).map { ($0, l) } } }

        /// The header attribute's keys: snake_case, as every other key the tool writes.
        enum CodingKeys: String, CodingKey {
            case source, promptStart = "prompt_start", promptEnd = "prompt_end", promptsTotal = "prompts_total", topK = "top_k",
                 options, sites, layers, referenceOnly = "reference_only", numberValues = "number_values",
                 sourceSHA256 = "source_sha256", vocabulary

            /// The key an older binary wrote: the property's own name, camelCase.
            var olderName: String {
                switch self {
                case .promptStart: "promptStart"
                case .promptEnd: "promptEnd"
                case .promptsTotal: "promptsTotal"
                case .topK: "topK"
                case .referenceOnly: "referenceOnly"
                case .numberValues: "numberValues"
                case .sourceSHA256: "sourceSHA256"
                default: rawValue
                }
            }
        }
    }

    public final class Writer {
        let file: StreamedHDF5File
        let header: Header
        var readouts: Int { header.readouts.count }
        var n: Int { header.promptEnd - header.promptStart }

        public init(path: String, shownAs: String, header: Header) throws {
            self.header = header
            let r = header.readouts.count, n = header.promptEnd - header.promptStart, k = header.topK, p = header.numberValues.count
            file = try StreamedHDF5File(path: path, shownAs: shownAs, streamed: [
                .init("/prompts/index", shape: [n], .int64), .init("/prompts/answer", shape: [n], .int64),
                .init("/prompts/answer_is_number", shape: [n], .int64),
                .init("/lens/rank", shape: [r, n], .int64), .init("/lens/logprob", shape: [r, n], .float64),
                .init("/lens/entropy", shape: [r, n], .float64), .init("/lens/lse", shape: [r, n], .float64),
                .init("/lens/kl", shape: [r, n], .float64),
                .init("/lens/predicted", shape: [r, n], .int64),
                .init("/lens/top_token", shape: [r, n, k], .int64), .init("/lens/top_logit", shape: [r, n, k], .float32),
                .init("/lens/number_logits", shape: [r, n, p], .float32),
            ]) { writer in
                try writer.setAttribute("schema", string: LensPromptFile.schema)
                try writer.setAttribute("header", string: String(decoding: try JSONEncoder.sorted.encode(header), as: UTF8.self))
                try writer.write(strings: header.readouts, at: "/readouts/name")
                try writer.write(integers: header.readouts.indices.map { Int64($0 == header.referenceOnly ? 0 : 1) }, at: "/readouts/asked")
                try writer.write(integers: header.numberValues, at: "/numbers/values")
            }
        }

        /// Rows `keep` of a computed block whose first row is prompt `firstPrompt`.
        public func write(_ block: LensBlock, firstPrompt: Int, keep: Range<Int>, answers: [Int64?]) throws {
            guard !keep.isEmpty else { return }
            let rows = keep.map { j in block.readouts.map { $0[j] } }
            let logits = block.numberLogits.map { Array($0[keep.lowerBound * header.numberValues.count ..< keep.upperBound * header.numberValues.count]) }
            try write(firstPrompt: firstPrompt + keep.lowerBound, rows: rows, numberLogits: logits, answers: Array(answers[keep]))
        }

        /// `rows[j][i]`: prompt firstPrompt + j, readout i; `numberLogits[i]`: readout i's [rows × p].
        public func write(firstPrompt: Int, rows: [[LensPromptReadout]], numberLogits: [[Float]], answers: [Int64?]) throws {
            let local = firstPrompt - header.promptStart, count = rows.count, k = header.topK, p = header.numberValues.count
            try file.write((0..<count).map { Int64(firstPrompt + $0) }, to: "/prompts/index", at: local)
            try file.write(answers.map { $0 ?? 0 }, to: "/prompts/answer", at: local)
            try file.write(answers.map { Int64($0 == nil ? 0 : 1) }, to: "/prompts/answer_is_number", at: local)
            for i in 0..<readouts {
                let column = rows.map { $0[i] }
                let at = i * n + local
                try file.write(column.map { Int64($0.rank ?? 0) }, to: "/lens/rank", at: at)
                try file.write(column.map { $0.logprob ?? .nan }, to: "/lens/logprob", at: at)
                try file.write(column.map(\.entropy), to: "/lens/entropy", at: at)
                try file.write(column.map(\.logSumExp), to: "/lens/lse", at: at)
                try file.write(column.map { $0.kl ?? .nan }, to: "/lens/kl", at: at)
                try file.write(column.map { Int64($0.predictedIndex ?? -1) }, to: "/lens/predicted", at: at)
                try file.write(column.flatMap { row in (0..<k).map { $0 < row.top.count ? row.top[$0].token : -1 } }, to: "/lens/top_token", at: at * k)
                try file.write(column.flatMap { row in (0..<k).map { $0 < row.top.count ? row.top[$0].logit : .nan } }, to: "/lens/top_logit", at: at * k)
                try file.write(numberLogits[i], to: "/lens/number_logits", at: at * p)
            }
        }

        public func finish() throws { try file.finish() }
    }

    /// A shard's lens_prompts.h5, read back a block of prompts at a time.
    public struct Reader {
        public let file: HDF5File
        public let header: Header

        public init(path: String) throws {
            file = try HDF5File(readingFrom: path)
            let attributes = try file.attributes(of: "/")
            guard attributes["schema"]?.string == LensPromptFile.schema, let text = attributes["header"]?.string,
                  let header = try? JSONDecoder().decode(Header.self, from: Data(text.utf8)) else {
                throw FourierLensError.badInput(file: path, dataset: "-", expected: "a \(LensPromptFile.name) written by fourierlens lens (schema \(LensPromptFile.schema))")
            }
            self.header = header
            try Self.check(header, file: file, path: path)
        }

        /// The header's counts, then every dataset's shape and the readouts' and numbers' lists, before any value is read.
        static func check(_ header: Header, file: HDF5File, path: String) throws {
            let check = ShardCheck(path: path)
            try check.prompts(start: header.promptStart, end: header.promptEnd, total: header.promptsTotal)
            try check.readouts(sites: header.sites, layers: header.layers)
            try check.numbers(header.numberValues)
            let vocabulary = header.vocabulary ?? Int(Int32.max)
            try check.require(vocabulary >= 1 && vocabulary <= 1 << 32 && header.topK >= 0 && header.topK <= min(vocabulary, 1 << 16), "header",
                              "a vocabulary of at least one token and 0 ≤ top-k ≤ it (found \(vocabulary), top-k \(header.topK))")
            try check.require(header.options.promptBlock >= 1 && header.options.heatmapPrompt >= 0 && header.options.heatmapPrompt < header.promptsTotal
                              && header.options.windowRadius >= 0, "header", "lens options as a run writes them (a block ≥ 1, a heatmap prompt among the prompts)")
            try check.require(header.referenceOnly.map { header.sites.indices.contains($0) } ?? true, "header", "a reference readout among the readouts")
            let r = header.sites.count, n = header.promptEnd - header.promptStart, k = header.topK, p = header.numberValues.count
            let (rn, overflow) = r.multipliedReportingOverflow(by: n)
            try check.require(!overflow && rn <= ShardCheck.maximumCount && rn * max(k, p, 1) <= ShardCheck.maximumCount, "header", "readouts × prompts × numbers below 2^40")
            for dataset in ["/prompts/index", "/prompts/answer", "/prompts/answer_is_number"] { try check.shape(file, dataset, [n]) }
            for dataset in ["/lens/rank", "/lens/logprob", "/lens/entropy", "/lens/lse", "/lens/kl", "/lens/predicted"] { try check.shape(file, dataset, [r, n]) }
            for dataset in ["/lens/top_token", "/lens/top_logit"] { try check.shape(file, dataset, [r, n, k]) }
            try check.shape(file, "/lens/number_logits", [r, n, p])
            try check.require(file.kind(of: "/readouts/name") == .dataset && (try? file.readStrings("/readouts/name")) == header.readouts,
                              "/readouts/name", "the readouts the header names (\(header.readouts.prefix(3).joined(separator: ", "))…)")
            try check.shape(file, "/numbers/values", [p])
            try check.require(try file.readIntegers("/numbers/values") == header.numberValues, "/numbers/values", "the number values the header lists")
        }

        /// Prompts `range` (global indices inside this shard): per prompt its answer and readouts, per readout its number logits.
        public func read(_ range: Range<Int>) throws -> (answers: [Int64?], rows: [[LensPromptReadout]], numberLogits: [[Float]]) {
            let local = range.lowerBound - header.promptStart, count = range.count
            let r = header.readouts.count, k = header.topK, p = header.numberValues.count
            let answer = try file.readExactIntegers("/prompts/answer", start: [local], count: [count])
            let isNumber = try file.readExactIntegers("/prompts/answer_is_number", start: [local], count: [count])
            func matrix(_ path: String) throws -> [Int64] { try file.readExactIntegers(path, start: [0, local], count: [r, count]) }
            func doubles(_ path: String) throws -> [Double] { try file.readExactDoubles(path, start: [0, local], count: [r, count]) }
            let rank = try matrix("/lens/rank"), predicted = try matrix("/lens/predicted")
            let logprob = try doubles("/lens/logprob"), entropy = try doubles("/lens/entropy"), kl = try doubles("/lens/kl")
            let lse = try doubles("/lens/lse")
            let topToken = try file.readExactIntegers("/lens/top_token", start: [0, local, 0], count: [r, count, k])
            let topLogit = try file.readFloats("/lens/top_logit", start: [0, local, 0], count: [r, count, k])
            let logits = try file.readFloats("/lens/number_logits", start: [0, local, 0], count: [r, count, p])
            let check = ShardCheck(path: file.path), vocabulary = Int64(header.vocabulary ?? Int(Int32.max))
            try check.promptIndex(try file.readExactIntegers("/prompts/index", start: [local], count: [count]), first: range.lowerBound)
            try check.integers(isNumber, "/prompts/answer_is_number", 0...1, "0 or 1")
            try check.integers(rank, "/lens/rank", 0...vocabulary, "the answer's rank in the vocabulary, 0 for none")
            try check.integers(predicted, "/lens/predicted", -1...Int64(p - 1), "an index into the numbers, −1 for none")
            try check.integers(topToken, "/lens/top_token", -1...Int64.max, "a token id, −1 for none")
            try check.reals(logprob, "/lens/logprob", allowNaN: true, bounds: -.greatestFiniteMagnitude...1e-6)
            try check.reals(kl, "/lens/kl", allowNaN: true)
            try check.reals(entropy, "/lens/entropy")
            try check.reals(lse, "/lens/lse")
            try check.reals(zip(topToken, topLogit).filter { $0.0 >= 0 }.map(\.1), "/lens/top_logit")
            try check.reals(logits, "/lens/number_logits")
            let rows = (0..<count).map { j in
                (0..<r).map { i -> LensPromptReadout in
                    let at = i * count + j
                    let top = (0..<k).compactMap { t -> (column: Int, token: Int64, logit: Float)? in
                        topToken[at * k + t] >= 0 ? (-1, topToken[at * k + t], topLogit[at * k + t]) : nil
                    }
                    let index = predicted[at] >= 0 ? Int(predicted[at]) : nil
                    return LensPromptReadout(rank: rank[at] > 0 ? Int(rank[at]) : nil, logprob: logprob[at].isNaN ? nil : logprob[at],
                                             entropy: entropy[at], logSumExp: lse[at], kl: kl[at].isNaN ? nil : kl[at], predictedIndex: index,
                                             predictedValue: index.map { header.numberValues[$0] }, top: top)
                }
            }
            let numberLogits = (0..<r).map { i in Array(logits[i * count * p ..< (i + 1) * count * p]) }
            return ((0..<count).map { isNumber[$0] != 0 ? answer[$0] : nil }, rows, numberLogits)
        }
    }
}

/// An extension, so that the header keeps its memberwise initialiser.
extension LensPromptFile.Header {
    /// Reads either keys: files written by older binaries have the properties' own names
    /// (promptStart, numberValues, topK, …), so shards they made still merge.
    public init(from decoder: Decoder) throws {
        struct Key: CodingKey {
            let stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }
        let container = try decoder.container(keyedBy: Key.self)
        let older = !container.contains(Key(stringValue: CodingKeys.promptStart.rawValue))
        func key(_ key: CodingKeys) -> Key { Key(stringValue: older ? key.olderName : key.rawValue) }
        source = try container.decode(String.self, forKey: key(.source))
        promptStart = try container.decode(Int.self, forKey: key(.promptStart))
        promptEnd = try container.decode(Int.self, forKey: key(.promptEnd))
        promptsTotal = try container.decode(Int.self, forKey: key(.promptsTotal))
        topK = try container.decode(Int.self, forKey: key(.topK))
        options = try container.decode(LensOptions.self, forKey: key(.options))
        sites = try container.decode([String].self, forKey: key(.sites))
        layers = try container.decode([Int].self, forKey: key(.layers))
        referenceOnly = try container.decodeIfPresent(Int.self, forKey: key(.referenceOnly))
        numberValues = try container.decode([Int64].self, forKey: key(.numberValues))
        sourceSHA256 = try container.decodeIfPresent(String.self, forKey: key(.sourceSHA256))
        vocabulary = try container.decodeIfPresent(Int.self, forKey: key(.vocabulary))
    }
}
