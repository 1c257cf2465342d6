import ArgumentParser
import FourierLens
import Foundation

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the reports of lens or filter shards (--prompts START:END) into the report of one run over all their prompts.",
        discussion: "The shards must come from the same dump (by content) and options, follow each other without gap or overlap, and cover every prompt (or --partial). Every summary is recomputed from the merged per-prompt files (lens_prompts.h5 or filter_prompts.h5), so the result equals an unsharded run's. Without --out the report goes to reports/<first shard's folder name>-merged."
    )

    @Argument(help: "The shards' report directories, in any order.")
    var shards: [String]

    @Flag(help: "Merge shards that leave prompts out; the page and summary.json say which prompts the merge holds.")
    var partial = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("merge needs at least one shard directory") }
    }

    func run() throws {
        let kinds = try shards.map { try ShardMerge.kind(of: $0) }
        if let other = zip(shards, kinds).first(where: { $0.1 != kinds[0] }) {
            throw FourierLensError.badInput(file: other.0, dataset: "-", expected: "a \(kinds[0].rawValue) shard like \(shards[0]), found a \(other.1.rawValue) report")
        }
        let directory = try output.directory(default: "\(stem(shards[0]))-merged", inputs: shards)
        let findings: [String]
        switch kinds[0] {
        case .lens: findings = Findings.lens(try MergeReport.lens(shards, to: directory, partial: partial))
        case .filter: findings = Findings.filter(try MergeReport.filter(shards, to: directory, partial: partial))
        }
        try directory.commit()
        output.announce(directory, findings: findings)
    }
}
