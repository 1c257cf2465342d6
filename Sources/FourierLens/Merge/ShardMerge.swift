import Foundation

/// `fourierlens merge`: shard reports of one lens or filter run (`--prompts START:END`) made into
/// exactly the report one run over all their prompts writes. The per-prompt files are
/// concatenated and every summary is recomputed from them, in prompt order, by the same code
/// that a run uses (docs/METHODS.md, "Shards"). The merge streams into the staged output; the
/// report beside it is MergeReport's.
public enum ShardMerge {
    public enum Kind: String { case lens, filter }

    /// Which kind of run `directory` holds.
    public static func kind(of directory: String) throws -> Kind {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory + "/" + LensPromptFile.name) { return .lens }
        if manager.fileExists(atPath: directory + "/" + FilterStream.promptsName) { return .filter }
        throw FourierLensError.badInput(file: directory, dataset: "-",
                                        expected: "a lens or filter report directory (with \(LensPromptFile.name) or \(FilterStream.promptsName))")
    }

    /// Shards in prompt order, checked to be of one run and to follow each other without gap or overlap.
    static func ordered<H>(_ shards: [(directory: String, header: H)], start: (H) -> Int, end: (H) -> Int,
                           same: (H, H) -> Bool, file: String) throws -> [(directory: String, header: H)] {
        let sorted = shards.sorted { start($0.header) < start($1.header) }
        for (previous, next) in zip(sorted, sorted.dropFirst()) {
            guard same(previous.header, next.header) else {
                throw FourierLensError.badInput(file: next.directory, dataset: file,
                                                expected: "a shard of the same run as \(previous.directory) (the same dump, readouts and options)")
            }
            guard start(next.header) == end(previous.header) else {
                throw FourierLensError.badInput(file: next.directory, dataset: file,
                                                expected: "prompts from \(end(previous.header)), where \(previous.directory) ends (shards must follow each other without gap or overlap), found \(start(next.header))")
            }
        }
        return sorted
    }

    /// Shards that leave prompts out are refused unless `partial`; then the page and summary.json
    /// say which prompts the merge holds (returned as "START:END of TOTAL").
    static func coverage(first: (directory: String, start: Int), last: (directory: String, end: Int), total: Int, partial: Bool) throws -> String? {
        guard first.start != 0 || last.end != total else { return nil }
        guard partial else {
            throw FourierLensError.badInput(file: first.start != 0 ? first.directory : last.directory, dataset: "-",
                expected: "shards covering all \(total) prompts of the run; these cover \(first.start):\(last.end) (pass --partial to merge them anyway, marked partial)")
        }
        return "\(first.start):\(last.end) of \(total)"
    }

    /// The page's line for a partial merge.
    static func partialNote(_ coverage: String) -> String {
        "Partial merge: these shards hold prompts \(coverage) only (merge --partial); every figure is over those prompts alone."
    }

    /// A merged lens run: its summary and what its report says beside it.
    public struct LensMerge {
        public let summary: LensSummary
        public let readToken: ReadTokenCheck?
        /// "START:END of TOTAL" when the shards leave prompts out (merge --partial).
        public let partial: String?
        /// The shard that ran the chosen prompt: its lens_topk.csv carries the dump's token strings.
        public let topKShard: String?
    }

    /// A merged filter run and, when the shards leave prompts out, which prompts it holds.
    public struct FilterMerge {
        public let result: FilterResult
        public let partial: String?
    }

    public static func mergeLens(_ directories: [String], to output: StagedOutput, partial: Bool = false) throws -> LensMerge {
        let readers = try directories.map { ($0, try LensPromptFile.Reader(path: $0 + "/" + LensPromptFile.name)) }
        let shards = try ordered(readers.map { ($0.0, $0.1.header) }, start: \.promptStart, end: \.promptEnd, same: { a, b in
            var b = b
            (b.promptStart, b.promptEnd) = (a.promptStart, a.promptEnd)
            return a == b
        }, file: LensPromptFile.name)
        var header = shards[0].header
        header.promptEnd = shards.last!.header.promptEnd
        let covered = try coverage(first: (shards[0].directory, header.promptStart), last: (shards.last!.directory, header.promptEnd),
                                   total: header.promptsTotal, partial: partial)
        let writer = try output.writing(LensPromptFile.name) { try LensPromptFile.Writer(path: $0, shownAs: output.given, header: header) }
        var accumulator = LensAccumulator(readouts: header.readoutPairs, numberValues: header.numberValues, options: header.options,
                                          referenceOnly: header.referenceOnly)
        // Read a block at a time (capped: the block does not change the sums, a damaged one must not size a read).
        let p = header.numberValues.count, block = max(1, min(header.options.promptBlock, 1024))
        for shard in shards {
            let reader = readers.first { $0.0 == shard.directory }!.1
            for start in stride(from: shard.header.promptStart, to: shard.header.promptEnd, by: block) {
                let range = start..<min(start + block, shard.header.promptEnd)
                let (answers, rows, logits) = try reader.read(range)
                for (j, prompt) in range.enumerated() {
                    accumulator.addPrompt(prompt, answer: answers[j])
                    for i in header.readouts.indices {
                        logits[i].withUnsafeBufferPointer { all in
                            accumulator.add(readout: i, prompt: prompt, rows[j][i], numberLogits: UnsafeBufferPointer(rebasing: all[j * p ..< (j + 1) * p]),
                                            answer: answers[j])
                        }
                    }
                }
                try output.writing(LensPromptFile.name) { _ in
                    try writer.write(firstPrompt: start, rows: rows, numberLogits: logits, answers: answers)
                }
            }
            let timing = try shardTiming(shard.directory)
            accumulator.addSgemm(seconds: timing.seconds, flops: timing.flops)
        }
        try output.writing(LensPromptFile.name) { _ in try writer.finish() }
        let summary = accumulator.summary()
        let readToken = try ReadTokenCheck.combined(shards.map { try shardReadToken($0.directory) }.compactMap { $0 })
        let holder = shards.first { ($0.header.promptStart..<$0.header.promptEnd).contains(header.options.heatmapPrompt) }
        return LensMerge(summary: summary, readToken: readToken, partial: covered, topKShard: holder?.directory)
    }

    /// The shard's check of whether its prompts read their own answer (nil when its dump had no tokens to check).
    static func shardReadToken(_ directory: String) throws -> ReadTokenCheck? {
        let path = directory + "/summary.json"
        do {
            return try decodeJSON(ShardSummary.self, from: FileManager.default.contents(atPath: path) ?? Data()).readToken
        } catch is ShardSummary.BadRecord {
            throw FourierLensError.badInput(file: path, dataset: "read_token_is_answer", expected: "prompts_matching ≤ prompts, both counts")
        } catch {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "the lens's summary.json")
        }
    }

    /// The one key of a lens shard's summary.json a merge reads: absent when the shard's dump had
    /// no tokens to check; present, it must be a record (a null is refused like a bad count).
    struct ShardSummary: Decodable {
        let readToken: ReadTokenCheck?

        struct BadRecord: Error {}
        enum CodingKeys: String, CodingKey { case read_token_is_answer }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            guard container.contains(.read_token_is_answer) else { readToken = nil; return }
            do {
                readToken = try container.decode(ReadTokenCheck.self, forKey: .read_token_is_answer)
            } catch {
                throw BadRecord()
            }
        }
    }

    /// The sgemm work a shard's timings.json reports.
    static func shardTiming(_ directory: String) throws -> (seconds: Double, flops: Double) {
        let path = directory + "/" + LensTimings.name
        guard let data = FileManager.default.contents(atPath: path),
              let timings = try? JSONDecoder().decode(LensTimings.self, from: data) else {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "the lens's \(LensTimings.name) with sgemm_gflop and sgemm_seconds")
        }
        return (timings.sgemm_seconds, timings.sgemm_gflop * 1e9)
    }

    public static func mergeFilter(_ directories: [String], to output: StagedOutput, partial: Bool = false) throws -> FilterMerge {
        let files = try directories.map { directory -> (String, HDF5File, FilterStream.Header) in
            let path = directory + "/" + FilterStream.promptsName
            let file = try HDF5File(readingFrom: path)
            let attributes = try file.attributes(of: "/")
            guard attributes["schema"]?.string == FilterStream.schema, let text = attributes["header"]?.string,
                  let header = try? JSONDecoder().decode(FilterStream.Header.self, from: Data(text.utf8)) else {
                throw FourierLensError.badInput(file: path, dataset: "-", expected: "a \(FilterStream.promptsName) written by fourierlens filter (schema \(FilterStream.schema))")
            }
            try FilterStream.check(header, file: file, path: path)
            return (directory, file, header)
        }
        let shards = try ordered(files.map { ($0.0, $0.2) }, start: \.promptStart, end: \.promptEnd, same: { a, b in
            var b = b
            (b.promptStart, b.promptEnd) = (a.promptStart, a.promptEnd)
            return a == b
        }, file: FilterStream.promptsName)
        let statisticsFiles = shards.map { shard in files.first { $0.0 == shard.directory }!.1 }
        let filteredFiles = try shards.map { shard in
            let file = try HDF5File(readingFrom: shard.directory + "/" + FilterStream.filteredName)
            let check = ShardCheck(path: file.path), rows = shard.header.promptEnd - shard.header.promptStart
            for hook in shard.header.hookNames { try check.shape(file, "/acts/\(hook)", [rows, shard.header.dModel]) }
            return file
        }
        var header = shards[0].header
        header.promptEnd = shards.last!.header.promptEnd
        let covered = try coverage(first: (shards[0].directory, header.promptStart), last: (shards.last!.directory, header.promptEnd),
                                   total: header.promptsTotal, partial: partial)
        let n = header.promptEnd - header.promptStart, width = FilterRun.statistics.count, d = header.dModel

        let copied = try concatenatedDatasets(filteredFiles)
        let (filtered, statistics) = try FilterStream.open(header, copied: copied, output: output)
        var accumulator = FilterAccumulator(readouts: header.readoutPairs, numberValues: header.numberValues)
        var answers: [Int64?] = []
        for file in statisticsFiles {
            let count = try file.datasetInfo("/prompts/answer").shape[0]
            let values = try file.readExactIntegers("/prompts/answer", start: [0], count: [count])
            let isNumber = try file.readExactIntegers("/prompts/answer_is_number", start: [0], count: [count])
            try ShardCheck(path: file.path).integers(isNumber, "/prompts/answer_is_number", 0...1, "0 or 1")
            answers += (0..<count).map { isNumber[$0] != 0 ? values[$0] : nil }
        }
        for answer in answers { accumulator.addPrompt(answer: answer) }
        let block = 256
        for (slot, hook) in header.hookNames.enumerated() {
            var local = 0
            for (shard, (statisticsFile, filteredFile)) in zip(shards, zip(statisticsFiles, filteredFiles)) {
                let count = shard.header.promptEnd - shard.header.promptStart
                for start in stride(from: 0, to: count, by: block) {
                    let rows = min(block, count - start)
                    let stats = try statisticsFile.readExactDoubles("/filter/stats", start: [slot, start, 0], count: [1, rows, width])
                    let activations = try filteredFile.readFloats("/acts/\(hook)", start: [start, 0], count: [rows, d])
                    try FilterStream.check(stats: stats, p: header.numberValues.count, path: statisticsFile.path)
                    try ShardCheck(path: filteredFile.path).reals(activations, "/acts/\(hook)")
                    try filtered.write(activations, to: "/acts/\(hook)", at: (local + start) * d)
                    try statistics.write(stats, to: "/filter/stats", at: (slot * n + local + start) * width)
                    for j in 0..<rows {
                        accumulator.add(readout: slot, Array(stats[j * width ..< (j + 1) * width]), answer: answers[local + start + j])
                    }
                }
                local += count
            }
        }
        try FilterStream.writePrompts(statistics, range: header.promptStart..<header.promptEnd, answers: answers)
        try filtered.finish()
        try statistics.finish()
        let p = header.numberValues.count
        let result = accumulator.result(filter: header.band(FilterBand(selection: header.selection, p: p, removedFrequencies: header.selection.frequencies(p: p),
                                                                       rank: header.rank, dModel: header.dModel)))
        return FilterMerge(result: result, partial: covered)
    }

    /// filtered.h5's small datasets over all shards: the prompts' concatenated, the tokens' from the first.
    static func concatenatedDatasets(_ files: [HDF5File]) throws -> [FilterStream.Copied] {
        let perPrompt: Set<String> = ["/prompts/answer", "/prompts/values", "/prompts/position", "/prompts/text"]
        var copied: [FilterStream.Copied] = []
        for path in ["/tokens/ids", "/tokens/values", "/prompts/answer", "/prompts/values", "/prompts/position", "/tokens/strings", "/prompts/text"] {
            guard files[0].kind(of: path) == .dataset else { continue }
            let info = try files[0].datasetInfo(path)
            let attributes = info.attributes.compactMap { name, value in value.string.map { (name, $0) } }.sorted { $0.0 < $1.0 }
            let sources = perPrompt.contains(path) ? files : [files[0]]
            if info.elementType.isString {
                copied.append(.init(path: path, integers: nil, strings: try sources.flatMap { try $0.readStrings(path) }, attributes: attributes))
            } else {
                copied.append(.init(path: path, integers: try sources.flatMap { try $0.readIntegers(path) }, strings: nil, attributes: attributes))
            }
        }
        return copied
    }
}
