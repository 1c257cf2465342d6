import FourierLens
import Foundation

/// One input as a shard's per-prompt file, merged as `fourierlens merge` merges it: as
/// lens_prompts.h5 (beside the summary.json and lens_topk.csv a lens shard has) and as
/// filter_prompts.h5 (beside a fixed filtered.h5). The merged report is staged, then dropped
/// uncommitted. Any outcome is fine except a crash, a trap or a hang.
enum MergeFuzzer {
    static let folder = FuzzFixtures.scratch("merge")

    static func check(data: Data) {
        let lens = folder + "/lens", filter = folder + "/filter"
        let manager = FileManager.default
        for shard in [lens, filter] { try? manager.createDirectory(atPath: shard, withIntermediateDirectories: true) }
        defer { for shard in [lens, filter] { try? manager.removeItem(atPath: shard) } }
        guard manager.createFile(atPath: lens + "/" + LensPromptFile.name, contents: data),
              manager.createFile(atPath: filter + "/" + FilterStream.promptsName, contents: data) else { return }
        for name in ["summary.json", "lens_topk.csv"] { try? manager.copyItem(atPath: FuzzFixtures.folder + "/lens-shard/" + name, toPath: lens + "/" + name) }
        try? manager.copyItem(atPath: FuzzFixtures.folder + "/filter-shard/" + FilterStream.filteredName, toPath: filter + "/" + FilterStream.filteredName)
        if let output = try? OutputDirectory(folder + "/merged-lens", force: true) {
            output.exportsFigures = false
            _ = try? MergeReport.lens([lens], to: output, partial: true)
        }
        if let output = try? OutputDirectory(folder + "/merged-filter", force: true) {
            output.exportsFigures = false
            _ = try? MergeReport.filter([filter], to: output, partial: true)
        }
    }
}
