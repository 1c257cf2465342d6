import Foundation

/// `fourierlens merge`: the shards merged into the staged output (ShardMerge), then the report
/// one run over all their prompts writes.
public enum MergeReport {
    public static func lens(_ directories: [String], to output: OutputDirectory, partial: Bool = false) throws -> LensSummary {
        let merge = try ShardMerge.mergeLens(directories, to: output.staged, partial: partial)
        try LensReport.write(merge.summary, tokenStrings: [:], to: output, readToken: merge.readToken, partial: merge.partial)
        if let shard = merge.topKShard {
            try output.write(try Data(contentsOf: URL(fileURLWithPath: shard + "/lens_topk.csv")), to: "lens_topk.csv")
        }
        return merge.summary
    }

    public static func filter(_ directories: [String], to output: OutputDirectory, partial: Bool = false) throws -> FilterResult {
        let merge = try ShardMerge.mergeFilter(directories, to: output.staged, partial: partial)
        try FilterReport.write(merge.result, to: output, partial: merge.partial)
        return merge.result
    }
}
