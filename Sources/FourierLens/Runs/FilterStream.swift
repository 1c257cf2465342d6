import Foundation

/// The Fourier filter over a dump, streamed a block of prompts at a time: each readout's rows are
/// filtered, written to filtered.h5 in place, and their statistics to filter_prompts.h5 and the
/// summary. Memory does not grow with the number of prompts (docs/METHODS.md, "Memory").
public enum FilterStream {
    public static let promptsName = "filter_prompts.h5"
    public static let filteredName = "filtered.h5"
    public static let schema = "fourierlens/filter-prompts/1"

    /// What identifies a filter run, so that only shards of the same run merge.
    public struct Header: Codable, Equatable, Sendable {
        public var source: String
        public var promptStart: Int
        public var promptEnd: Int
        public var promptsTotal: Int
        public var selection: FrequencySelection
        public var rank: Int
        public var dModel: Int
        public var sites: [String]
        public var layers: [Int]
        public var numberValues: [Int64]
        /// W_num folded into the final norm (nil in files that predate the option: false).
        public var foldFinalNorm: Bool?
        /// The readouts are to be patched back together (`--joint`; nil in older files: false).
        public var joint: Bool?
        /// The dump's SHA-256 (nil in files that predate it): shards of different dumps at one path never merge.
        public var sourceSHA256: String? = nil
        public var readoutPairs: [(site: Site, layer: Int)] { zip(sites, layers).compactMap { s, l in Site(rawValue: s).map { ($0, l) } } }
        public var hookNames: [String] { zip(sites, layers).map { "blocks.\($1).hook_\($0)" } }

        /// `band` with this run's folding.
        public func band(_ band: FilterBand) -> FilterBand {
            var band = band
            band.foldFinalNorm = foldFinalNorm ?? false
            band.joint = joint ?? false
            return band
        }
    }

    /// A small dataset copied into filtered.h5: integers or strings, one per prompt or not.
    public struct Copied {
        public let path: String
        public let integers: [Int64]?
        public let strings: [String]?
        public let attributes: [(String, String)]
    }

    public static func run(_ plan: LensPlan, dump: Dump, filter: FourierFilter, weights: Matrix, foldFinalNorm: Bool = false, joint: Bool = false, prompts range: Range<Int>,
                           to output: StagedOutput, block: Int = 256) throws -> FilterResult {
        let asked = FilterRun.asked(plan)
        let header = Header(source: plan.file.path, promptStart: range.lowerBound, promptEnd: range.upperBound, promptsTotal: plan.prompts,
                            selection: filter.selection, rank: filter.rank, dModel: filter.dModel,
                            sites: asked.map { plan.sources[$0].site.rawValue }, layers: asked.map { plan.sources[$0].layer },
                            numberValues: plan.numberValues, foldFinalNorm: foldFinalNorm, joint: joint,
                            sourceSHA256: try FileDigest.sha256(plan.file.path))
        let copied = try copiedDatasets(plan.file, dump, range: range)
        let (filtered, statistics) = try open(header, copied: copied, output: output)
        var accumulator = FilterAccumulator(readouts: header.readoutPairs, numberValues: header.numberValues)
        for index in range { accumulator.addPrompt(answer: plan.answerValues[index]) }
        let n = range.count, d = filter.dModel, width = FilterRun.statistics.count
        for (slot, i) in asked.enumerated() {
            // Blocks aligned over all prompts, as the lens's: a shard computes the same rows to the bit.
            for rows in LogitLens.blockRanges(range, total: plan.prompts, block: block) {
                let (after, stats) = FilterRun.block(try plan.rows(i, rows), filter: filter, weights: weights)
                let kept = max(range.lowerBound, rows.lowerBound)..<min(range.upperBound, rows.upperBound)
                let first = kept.lowerBound - rows.lowerBound, local = kept.lowerBound - range.lowerBound
                try filtered.write(Array(after.values[first * d ..< (first + kept.count) * d]), to: "/acts/\(header.hookNames[slot])", at: local * d)
                try statistics.write(stats[first ..< first + kept.count].flatMap { $0 }, to: "/filter/stats", at: (slot * n + local) * width)
                for prompt in kept { accumulator.add(readout: slot, stats[prompt - rows.lowerBound], answer: plan.answerValues[prompt]) }
            }
        }
        try writePrompts(statistics, range: range, answers: Array(plan.answerValues[range]))
        try filtered.finish()
        try statistics.finish()
        return accumulator.result(filter: header.band(filter.band))
    }

    /// The datasets of `dump` filtered.h5 carries beside the activations, the prompts' cut to `range`.
    static func copiedDatasets(_ file: HDF5File, _ dump: Dump, range: Range<Int>) throws -> [Copied] {
        func attributes(_ info: DatasetInfo) -> [(String, String)] {
            info.attributes.compactMap { name, value in value.string.map { (name, $0) } }.sorted { $0.0 < $1.0 }
        }
        var copied: [Copied] = []
        for (info, perPrompt) in [(dump.tokenIDs, false), (dump.tokenValues, false), (dump.promptAnswers, true),
                                  (dump.promptValues, true), (dump.promptPositions, true)] {
            guard let info else { continue }
            let values = try file.readIntegers(info.path)
            copied.append(Copied(path: info.path, integers: perPrompt ? Array(values[clamped(range, values.count)]) : values, strings: nil,
                                 attributes: attributes(info)))
        }
        for (info, perPrompt) in [(dump.tokenStrings, false), (dump.promptText, true)] {
            guard let info else { continue }
            let values = try file.readStrings(info.path)
            copied.append(Copied(path: info.path, integers: nil, strings: perPrompt ? Array(values[clamped(range, values.count)]) : values,
                                 attributes: attributes(info)))
        }
        return copied
    }

    static func clamped(_ range: Range<Int>, _ count: Int) -> Range<Int> { min(range.lowerBound, count)..<min(range.upperBound, count) }

    /// Lays out filtered.h5 and filter_prompts.h5 in the staged output.
    static func open(_ header: Header, copied: [Copied], output: StagedOutput) throws -> (StreamedHDF5File, StreamedHDF5File) {
        let n = header.promptEnd - header.promptStart
        let filtered = try output.writing(filteredName) { path in
            try StreamedHDF5File(path: path, shownAs: output.given,
                                 streamed: header.hookNames.map { .init("/acts/\($0)", shape: [n, header.dModel], .float32) }) { writer in
                try writer.setAttribute("schema", string: Dump.schemaName)
                try writer.setAttribute("source", string: header.source)
                try writer.setAttribute("filter_removed", string: "\(header.selection.name) (\(header.selection.describe(p: header.numberValues.count)))")
                if let tau = header.selection.tau { try writer.setAttribute("filter_tau", integer: Int64(tau)) }
                try writer.setAttribute("filter_fold_final_norm", integer: header.foldFinalNorm == true ? 1 : 0)
                try writer.setAttribute("filter_joint", integer: header.joint == true ? 1 : 0)
                try writer.setAttribute("filter_rank", integer: Int64(header.rank))
                try writer.setAttribute("d_model", integer: Int64(header.dModel))
                try writer.setAttribute("prompt_start", integer: Int64(header.promptStart))
                try writer.setAttribute("prompt_end", integer: Int64(header.promptEnd))
                for dataset in copied {
                    if let integers = dataset.integers { try writer.write(integers: integers, at: dataset.path) }
                    if let strings = dataset.strings { try writer.write(strings: strings, at: dataset.path) }
                    for (name, value) in dataset.attributes { try writer.setAttribute(name, string: value, on: dataset.path) }
                }
            }
        }
        let statistics = try output.writing(promptsName) { path in
            try StreamedHDF5File(path: path, shownAs: output.given, streamed: [
                .init("/prompts/index", shape: [n], .int64), .init("/prompts/answer", shape: [n], .int64),
                .init("/prompts/answer_is_number", shape: [n], .int64),
                .init("/filter/stats", shape: [header.sites.count, n, FilterRun.statistics.count], .float64),
            ]) { writer in
                try writer.setAttribute("schema", string: schema)
                try writer.setAttribute("header", string: String(decoding: try JSONEncoder.sorted.encode(header), as: UTF8.self))
                try writer.write(strings: FilterRun.statistics, at: "/filter/statistics")
            }
        }
        return (filtered, statistics)
    }

    static func writePrompts(_ file: StreamedHDF5File, range: Range<Int>, answers: [Int64?]) throws {
        try file.write(range.map { Int64($0) }, to: "/prompts/index", at: 0)
        try file.write(answers.map { $0 ?? 0 }, to: "/prompts/answer", at: 0)
        try file.write(answers.map { Int64($0 == nil ? 0 : 1) }, to: "/prompts/answer_is_number", at: 0)
    }
}
