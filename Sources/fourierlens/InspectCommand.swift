import ArgumentParser
import FourierLens
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what is in a dump: tree, schema roles, which analyses it can feed, NaN/Inf.",
        discussion: """
        Exits 2 when the dump breaks schema fourierlens/1 (docs/SCHEMA.md) or holds NaN/Inf \
        (unless --allow-nonfinite); the report is printed first either way.
        """
    )

    @Argument(help: "The dump (an HDF5 file).")
    var dump: String

    @Flag(help: "Print the report as JSON instead of text.")
    var json = false

    @Option(help: "Show only this group or dataset (e.g. /acts).")
    var path: String?

    @Flag(help: "Skip the NaN/Inf scan (reads no values: fast on huge dumps).")
    var noScan = false

    @Flag(help: "Accept NaN/Inf values (reported, but exit 0).")
    var allowNonfinite = false

    @Option(help: "Also write inspect.txt and inspect.json to this new directory.")
    var out: String?

    @Flag(help: "Replace --out if it exists.")
    var force = false

    func run() throws {
        let output = try out.map { try OutputDirectory($0, force: force, inputs: [dump]) }
        let file = try HDF5File(readingFrom: dump)
        if let path, file.kind(of: path) == nil {
            throw FourierLensError.badInput(file: dump, dataset: path, expected: "a group or dataset to inspect, but nothing is there")
        }
        let dumpRoles = try Dump(file: file)
        var report = try InspectReport(file: file, dump: dumpRoles, scanValues: !noScan)
        if let path {
            let prefix = path.hasSuffix("/") ? path : path + "/"
            report.entries = report.entries.filter { $0.path == path || $0.path.hasPrefix(prefix) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let jsonText = String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
        print(json ? jsonText : report.text, terminator: "")
        if let output {
            try output.write(report.text, to: "inspect.txt")
            try output.write(jsonText, to: "inspect.json")
            try output.commit()
        }
        if let first = dumpRoles.problems.first {
            let more = dumpRoles.problems.count > 1 ? " (and \(dumpRoles.problems.count - 1) more problems, listed in the report)" : ""
            throw FourierLensError.badInput(file: dump, dataset: first.datasetName, expected: first.expectation + more)
        }
        if !allowNonfinite, let bad = report.entries.first(where: { ($0.nonFinite?.nan ?? 0) + ($0.nonFinite?.inf ?? 0) > 0 }),
           let scan = bad.nonFinite {
            let at = scan.first.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" } ?? "?"
            throw FourierLensError.badInput(file: dump, dataset: bad.path,
                expected: "finite values, found \(scan.nan) NaN and \(scan.inf) Inf (first at \(at)); pass --allow-nonfinite to accept")
        }
    }
}
