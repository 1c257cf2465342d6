import FourierLens
import Foundation

/// A kind whose command reads the whole dump, the sites and layers it names passed as its
/// options (--sites, --layers), its prompts split into shards if asked: lens and filter.
protocol SitesAndLayersAnalysis: StudyAnalysis {}

extension SitesAndLayersAnalysis {
    static var keys: Set<String> { ["dumps", "sites", "layers", "shards"] }
    static var refusalReasons: [String: String] { ["datasets": "it reads activations by sites and layers"] }
    static var layersWithoutSites: Bool { true }

    static func inputs(of analysis: StudySpec.Analysis, dump: StudySpec.DumpEntry, path: String, at: String,
                       planner: StudyPlanner, metadata: (String) throws -> Dump) throws -> [StudyPlanner.Input] {
        var arguments: [String] = []
        if let sites = analysis.sites { arguments += ["--sites", sites.joined(separator: ",")] }
        if let layers = analysis.layers { arguments += ["--layers", layers.map(String.init).joined(separator: ",")] }
        return [StudyPlanner.Input(arguments: arguments, labels: [], idParts: [])]
    }
}
