/// What merge checks of a filter shard's filter_prompts.h5 before and while it reads it.
extension FilterStream {
    /// A filter shard's header and its datasets' shapes and prompt rows, before any statistic is read.
    static func check(_ header: Header, file: HDF5File, path: String) throws {
        let check = ShardCheck(path: path)
        try check.prompts(start: header.promptStart, end: header.promptEnd, total: header.promptsTotal)
        try check.readouts(sites: header.sites, layers: header.layers)
        try check.numbers(header.numberValues)
        try check.require(header.dModel >= 1 && header.dModel <= 1 << 20 && header.rank >= 0 && header.rank <= header.dModel, "header",
                          "1 ≤ d_model ≤ 2^20 and a removed rank within it (found d_model \(header.dModel), rank \(header.rank))")
        let n = header.promptEnd - header.promptStart, r = header.sites.count
        try check.require(r.multipliedReportingOverflow(by: n).partialValue <= ShardCheck.maximumCount / max(header.dModel, FilterRun.statistics.count), "header",
                          "readouts × prompts × d_model below 2^40")
        for dataset in ["/prompts/index", "/prompts/answer", "/prompts/answer_is_number"] { try check.shape(file, dataset, [n]) }
        try check.shape(file, "/filter/stats", [r, n, FilterRun.statistics.count])
        try check.promptIndex(try file.readIntegers("/prompts/index"), first: header.promptStart)
    }

    /// Rows of /filter/stats: energies, norms and changes finite and ≥ 0, predicted numbers an index or −1.
    static func check(stats: [Double], p: Int, path: String) throws {
        let check = ShardCheck(path: path), width = FilterRun.statistics.count
        for row in stride(from: 0, to: stats.count, by: width) {
            for s in 0..<width {
                let value = stats[row + s]
                if s == 6 || s == 7 {
                    try check.require(value.rounded() == value && value >= -1 && value < Double(p), "/filter/stats",
                                      "\(FilterRun.statistics[s]) an index into the \(p) numbers or −1 (found \(value)); the shard is damaged or edited")
                } else {
                    try check.reals([value], "/filter/stats", bounds: 0 ... .greatestFiniteMagnitude)
                }
            }
        }
    }
}
