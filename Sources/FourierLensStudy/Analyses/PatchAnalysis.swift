import FourierLens
import Foundation

/// `kind: patch`: the filtered activations of a filter analysis patched back into the model (the
/// Python package's `patch`), one task per result of that filter analysis.
enum PatchAnalysis: StudyAnalysis {
    static let name = "patch"
    static let keys: Set<String> = ["filters", "model"]
    static let refusalReasons = ["dumps": why, "sites": why, "layers": why, "datasets": why]
    static let why = "it patches what its filter analysis filtered"
    static let runsOutsideBinary = true

    static func check(_ analysis: StudySpec.Analysis, at node: SpecNode) throws {
        if analysis.filters == nil { throw node.error("\"filters\": the filter analysis whose filtered activations patch puts back into the model") }
    }

    /// `filters` names a filter analysis listed before it; the model is named, or the only one.
    static func checkReferences(_ analysis: StudySpec.Analysis, index: Int, in spec: StudySpec) throws {
        let path = "analyses[\(index)]", filters = analysis.filters!
        guard let source = spec.analyses[..<index].first(where: { $0.name == filters }), source.kind.rawValue == FilterAnalysis.name else {
            throw spec.error(at: analysis.line, "\(path).filters", "the name of a filter analysis listed before it (found \"\(filters)\")")
        }
        if let model = analysis.model {
            guard spec.models.contains(where: { $0.name == model }) else {
                throw spec.error(at: analysis.line, "\(path).model", "a model named in models (found \"\(model)\")")
            }
        } else if spec.models.count != 1 {
            throw spec.error(at: analysis.line, "\(path).model", spec.models.isEmpty
                ? "a model to patch: a top-level models: entry (NAME: PATH to a Hugging Face model folder)"
                : "the name of one of the models (\(spec.models.map(\.name).joined(separator: ", ")))")
        }
    }

    /// One task per result of the filter analysis it names (a merge stands for its shards):
    /// `fourierlens patch DUMP FILTER_REPORT --model DIR`, run after that filter task.
    static func tasks(_ analysis: StudySpec.Analysis, at: String, planner: StudyPlanner, earlier: [StudyTask],
                      metadata: (String) throws -> Dump) throws -> [StudyTask] {
        let spec = planner.spec
        let model = spec.model(of: analysis)!
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: model.path, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isReadableFile(atPath: model.path + "/config.json") else {
            throw FourierLensError.badInput(file: "\(spec.file):\(model.line)", dataset: "models.\(model.name)",
                                            expected: "a Hugging Face model folder with config.json (\(model.path) is not one)")
        }
        var tasks: [StudyTask] = []
        for filter in earlier where filter.analysis == analysis.filters && !filter.isShard {
            guard let dump = spec.dumps.first(where: { $0.name == filter.dump }), let path = dump.path else { continue }
            for combination in planner.combinations(analysis.grid) {
                var arguments = [path, "{task:\(filter.id)}", "--model", model.path]
                let options = analysis.options + combination
                try planner.check(base: ["patch", path, path, "--model", model.path], analysis: analysis, at: at, options: options)
                for option in options { arguments += StudyPlanner.flag(option.flag, option.value) }
                var labels = filter.labelOrder.compactMap { key in filter.labels[key].map { (key, $0) } }
                var idParts = [analysis.name] + filter.id.split(separator: ".").dropFirst().map(String.init)
                for (flag, value, _) in combination {
                    labels.append((flag, value ?? "true"))
                    idParts.append(value.map { "\(flag)-\($0)" } ?? flag)
                }
                let memory = 256 << 20 + 3 * (try StudyPlanner.bytes(path)) + 2 * (try StudyPlanner.bytes(model.path))
                let task = StudyTask(id: StudyPlanner.sanitise(idParts.joined(separator: ".")), analysis: analysis.name, command: "patch", dump: dump.name,
                                     labels: Dictionary(labels, uniquingKeysWith: { $1 }), labelOrder: labels.map(\.0), arguments: arguments,
                                     inputs: [path, model.path], dependencies: [filter.id], hash: "", memoryEstimate: memory, isShard: false)
                tasks.append(try planner.hashed(task, dependencyHashes: [filter.hash]))
            }
        }
        return tasks
    }

    /// A task per result of its filter analysis and combination of its grid; none is a result others multiply.
    static func count(_ analysis: StudySpec.Analysis, at: String, planner: StudyPlanner, results: [String: Int],
                      metadata: (String) throws -> Dump) throws -> (results: Int, tasks: Int) {
        (0, StudyPlanner.times(results[analysis.filters ?? ""] ?? 0, planner.gridSize(analysis)))
    }

    /// The configurations a patch task ran, each with the task's unpatched row.
    static func rows(_ task: StudyTask, page: AnalysisSummary) -> [(unpatched: [String: String], row: [String: String])] {
        let rows = page.outputs(task).csv("patch.csv")
        guard let unpatched = rows.first(where: { $0["configuration"] == "unpatched" }) else { return [] }
        return rows.filter { $0["configuration"] != "unpatched" }.map { (unpatched, $0) }
    }

    /// "the high band (6 ≤ k ≤ 29)", "k ∈ {1, 3}": what a patched configuration removed.
    static func removal(_ row: [String: String]) -> String {
        let band = row["band"] ?? "", removed = row["removed"] ?? ""
        return ["low", "high"].contains(band) ? "the \(band) band (\(removed))" : removed
    }

    static func table(_ page: AnalysisSummary) -> (header: [String], rows: [[String]]) {
        (["task", "patched sites", "layers", "removed", "accuracy unpatched", "patched", "loss unpatched", "patched",
          "KL to unpatched", "direct readout after"],
         page.tasks.flatMap { task in
             rows(task, page: page).map { unpatched, row in
                 [AnalysisSummary.label(task), row["sites"] ?? "", row["layers"] ?? "", removal(row), formatted(unpatched["acc_exact"]),
                  formatted(row["acc_exact"]), formatted(unpatched["mean_loss"]), formatted(row["mean_loss"]),
                  formatted(row["mean_kl"]), formatted(row["direct_acc_after"])]
             }
         })
    }

    /// The unpatched accuracy, then per band removed each site set's patched accuracy (loss),
    /// then where the answer fell furthest.
    static func headline(_ page: AnalysisSummary) -> String? {
        var bands: [String] = [], bySite: [String: [String]] = [:], clean: [String: String]?, worst: (Double, String)?
        var chance: Double?
        for task in page.tasks {
            if chance == nil { chance = jsonNumber(page.outputs(task).summary(PatchSummary.self)?.chance) }
            for (unpatched, row) in rows(task, page: page) {
                clean = clean ?? unpatched
                let band = removal(row)
                if bySite[band] == nil { bands.append(band) }
                let layers = row["layers"].map { $0.contains("-") || $0.contains(",") ? " (layers \($0))" : "" } ?? ""
                bySite[band, default: []].append("\(row["sites"] ?? "")\(layers) \(formatted(row["acc_exact"], digits: 3)) (loss \(formatted(row["mean_loss"], digits: 3)))")
                if let accuracy = row["acc_exact"].flatMap(Double.init), accuracy < worst?.0 ?? .infinity {
                    worst = (accuracy, "removing \(band) from \(row["sites"] ?? "")")
                }
            }
        }
        guard let clean, !bands.isEmpty else { return nil }
        let chanceText = chance.map { "; chance \(formatted($0, digits: 3))" } ?? ""
        var text = "\(page.analysis.name): the unpatched model's number accuracy is \(formatted(clean["acc_exact"], digits: 3)) (loss \(formatted(clean["mean_loss"], digits: 3))\(chanceText)). "
        text += "With the filtered activations patched back, " + bands.map { "removing \($0): \(bySite[$0]!.joined(separator: ", "))" }.joined(separator: "; ") + "."
        if let worst { text += " The accuracy falls furthest, to \(formatted(worst.0, digits: 3)), when \(worst.1)." }
        return text
    }

    /// The patched model's accuracy beside the unpatched one, per configuration.
    static func ownCharts(_ page: AnalysisSummary) -> [ReportPage.Section] {
        var categories: [String] = [], unpatched: [Double] = [], patched: [Double] = []
        let dumps = Set(page.tasks.compactMap(\.dump)).count
        for task in page.tasks {
            for (clean, row) in rows(task, page: page) {
                guard let u = clean["acc_exact"].flatMap(Double.init), let p = row["acc_exact"].flatMap(Double.init) else { continue }
                categories.append(barLabel(row, dump: task.dump, dumps: dumps))
                unpatched.append(u); patched.append(p)
            }
        }
        guard !categories.isEmpty, categories.count <= 48 else { return [] }
        var chart = BarChart(title: "\(page.analysis.name): the model's accuracy with the filtered activations patched back", yLabel: "number accuracy",
                             categories: categories, series: [.init(name: "unpatched", values: unpatched), .init(name: "patched", values: patched)])
        chart.height = 460
        return [.figure(id: "patch-\(page.analysis.name)", svg: chart.svg(),
                        caption: "Exact-answer accuracy of the model itself over the number tokens, unpatched and with each filtered site set patched back at its readout position (−low / −high: that band removed).")]
    }

    /// "attn_out + mlp_out −high": a bar's short label (the band's name, not its range).
    static func barLabel(_ row: [String: String], dump: String?, dumps: Int) -> String {
        let band = ["low": " −low", "high": " −high", "remove": " −set", "keep": " set only"][row["band"] ?? ""] ?? ""
        let sites = (row["sites"] ?? "").replacingOccurrences(of: "+", with: " + ")
        return [dumps > 1 ? dump : nil, sites + band].compactMap { $0 }.joined(separator: " · ")
    }
}
