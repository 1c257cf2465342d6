import ArgumentParser
import FourierLens
import Foundation

extension NormMode: ExpressibleByArgument {}

/// Which activations the lens and the filter read.
struct ReadoutOptions: ParsableArguments {
    @Option(name: [.customLong("sites"), .customLong("site")],
            help: "Comma-separated sites (resid_pre, resid_mid, attn_out, mlp_out, resid_post; default: all in the dump).")
    var sites: SiteList?

    @Option(help: "Layers, e.g. 0-11 or 0,3,7 (default: all).")
    var layers: LayerList?

    @Option(help: "The position to read in [N, pos, d] activations (negative counts from the end).")
    var position: Int?

    @Flag(help: "Accept NaN/Inf values (set to 0).")
    var allowNonfinite = false

    @Option(help: "A shard of the prompts, START:END (END excluded; either may be left out), for runs that `fourierlens merge` combines.")
    var prompts: String?

    /// The prompts to run over: all, or the --prompts shard of the dump's `count`.
    func promptRange(_ count: Int) throws -> Range<Int> {
        guard let prompts else { return 0..<count }
        let parts = prompts.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let start = parts.first.flatMap { $0.isEmpty ? 0 : Int($0) }, end = parts.count == 2 ? (parts[1].isEmpty ? count : Int(parts[1])) : nil
        guard parts.count == 2, let start, let end, start >= 0, start < end, end <= count else {
            throw ValidationError("--prompts takes START:END with 0 ≤ START < END ≤ \(count), the dump's prompts (found \(prompts))")
        }
        return start..<end
    }

    func plan(_ dump: String, norm: NormMode, readout: ReadoutDump? = nil) throws -> (HDF5File, Dump, LensPlan) {
        let file = try HDF5File(readingFrom: dump)
        let roles = try Dump(file: file)
        let plan = try LensInput.plan(file: file, dump: roles, sites: try sites?.values(), layers: try layers?.values(),
                                      norm: norm, position: position, allowNonFinite: allowNonfinite, readout: readout)
        return (file, roles, plan)
    }
}

struct LensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lens",
        abstract: "Logit lens: every layer and site read through the unembedding, over the vocabulary and the numbers.",
        discussion: "Writes lens_layers.csv, lens_topk.csv, lens_spectrum.csv, charts, summary.json and index.html. See docs/METHODS.md."
    )

    @Argument(help: "The dump (an HDF5 file).")
    var dump: String

    @OptionGroup var readouts: ReadoutOptions

    @Option(help: "none (W_U x, per-module logits), cached (TransformerLens apply_ln_to_stack) or recompute (tuned-lens logit lens).")
    var norm: NormMode = .none

    @Option(help: "Top tokens kept per prompt, layer and site.")
    var topK = 10

    @Option(help: "The prompt read on its own: the number logits around its answer, its top tokens layer by layer and, with --every-position, its prediction trajectory (default: the middle one).")
    var heatmapPrompt: Int?

    @Option(help: "Read W_U, b_U, the final norm (and its cached scale) and the vocabulary from this dump: for activations that come without them, such as filter's filtered.h5 read through its source dump.")
    var weightsFrom: String?

    @Option(help: "Memory the lens's blocks may take, in GiB: the block of prompts is chosen within it (default: an eighth of the machine's memory).")
    var memory: Double?

    @Flag(help: "With [N, pos, d] activations, also run the lens at every position: lens_positions.csv and a layer × position heatmap per site, and the --heatmap-prompt prompt's top token per layer and position (lens_trajectory.csv and a grid per site); the main report reads --position, default the last.")
    var everyPosition = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (1...1000).contains(topK) else { throw ValidationError("--top-k takes 1 to 1000 tokens (found \(topK))") }
        try MemoryOption.check(memory)
        if everyPosition && weightsFrom != nil {
            throw ValidationError("--every-position reads the dump's own unembedding; it does not take --weights-from")
        }
    }

    func run() throws {
        let directory = try output.directory(default: "\(stem(dump))-lens", inputs: [dump] + (weightsFrom.map { [$0] } ?? []))
        var readouts = self.readouts
        if everyPosition && readouts.position == nil { readouts.position = -1 }
        let readout = try weightsFrom.map { path in try HDF5File(readingFrom: path) }.map { ReadoutDump(file: $0, dump: try Dump(file: $0)) }
        let (file, roles, plan) = try readouts.plan(dump, norm: norm, readout: readout)
        let range = try readouts.promptRange(plan.prompts)
        if everyPosition && range.count != plan.prompts {
            throw ValidationError("--every-position reads every prompt; it does not take --prompts")
        }
        output.noteSkippedAnswers(plan.answerValues[range].reduce(0) { $0 + ($1 == nil ? 1 : 0) }, of: range.count)
        let heatmapPrompt = self.heatmapPrompt ?? plan.prompts / 2
        guard heatmapPrompt >= 0 && heatmapPrompt < plan.prompts else {
            throw ValidationError("--heatmap-prompt must name a prompt (\(indexRange(plan.prompts)))")
        }
        var options = LensOptions()
        options.norm = norm
        options.topK = topK
        options.heatmapPrompt = heatmapPrompt
        options.promptBlock = options.promptBlock(readouts: plan.readouts.count, unembedding: plan.unembedding,
                                                  numbers: plan.numberValues.count,
                                                  memory: memory.map(MemoryOption.bytes) ?? MemoryBudget.bytes / 4)
        let header = try LensStream.header(plan, options: options, prompts: range)
        let store = try directory.writing(LensPromptFile.name) { try LensPromptFile.Writer(path: $0, shownAs: directory.given, header: header) }
        let bar = ProgressBar(label: "lens", enabled: !output.quiet)
        let summary = try directory.writing(LensPromptFile.name) {
            _ in try LensStream.run(plan, options: options, prompts: range, store: store, progress: bar.update)
        }
        bar.finish()
        var tokenStrings = try readout.map { try TokenText.load(file: $0.file, dump: $0.dump) } ?? [:]
        tokenStrings.merge(try TokenText.load(file: file, dump: roles)) { _, own in own }
        var positionSections: [ReportPage.Section] = []
        if everyPosition {
            let positions = try LensPositions.run(file: file, dump: roles, sites: try readouts.sites?.values(),
                                                  layers: try readouts.layers?.values(), options: options,
                                                  allowNonFinite: readouts.allowNonfinite)
            positionSections = try LensPositionReport.write(positions, tokenStrings: tokenStrings, norm: norm, to: directory)
        }
        let readToken = try ReadTokenCheck.run(file: file, dump: roles, range: range)
        let notes = [readToken?.sentence].compactMap { $0 }
        try LensReport.write(summary, tokenStrings: tokenStrings, to: directory,
                             extraSections: positionSections, readToken: readToken)
        try directory.commit()
        output.announce(directory, findings: notes + Findings.lens(summary))
        if !output.quiet {
            FileHandle.standardError.write(Data(String(format: "sgemm: %.1f GFLOP in %.3f s (%.1f GFLOP/s)\n", summary.sgemmFlops / 1e9,
                                                       summary.sgemmSeconds, summary.sgemmFlops / max(summary.sgemmSeconds, 1e-9) / 1e9).utf8))
        }
    }
}
