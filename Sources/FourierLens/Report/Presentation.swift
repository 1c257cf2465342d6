import Foundation

/// What a report calls things when the user says so: the page's title (`--title`), display
/// names for inputs and series (`--label NAME=TEXT`, e.g. "planted.h5:/weights/W_E" as "W_E"),
/// and the model the dump names (its `model` attribute), which the default title then carries.
/// Applied to the text the charts and the page show, never to CSV or JSON files.
public struct Presentation: Sendable, Equatable {
    public var title: String?
    public var labels: [Label] = []
    public var model: String?

    public struct Label: Sendable, Equatable {
        public let name: String, text: String
        public init(name: String, text: String) { self.name = name; self.text = text }
    }

    public init(title: String? = nil, labels: [Label] = [], model: String? = nil) {
        self.title = title; self.labels = labels; self.model = model
    }

    /// Nothing asked: every file stays as the report wrote it.
    public var isEmpty: Bool { title == nil && labels.isEmpty && model == nil }

    /// "NAME=TEXT" pairs, several separated by commas (as a study's list option joins them); a
    /// comma inside TEXT stays when what follows it has no "=". Nil for a pair without a name.
    public static func labels(_ arguments: [String]) -> [Label]? {
        var pairs: [String] = []
        for argument in arguments {
            for piece in argument.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                if piece.contains("=") || pairs.isEmpty { pairs.append(piece) } else { pairs[pairs.count - 1] += "," + piece }
            }
        }
        var result: [Label] = []
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else { return nil }
            result.append(Label(name: String(pair[..<equals]), text: String(pair[pair.index(after: equals)...])))
        }
        return result
    }

    /// An SVG chart's or the page's text with the labels applied to its text nodes (element
    /// content, never attributes) and, on a page, its title set.
    public func apply(to document: String, isPage: Bool) -> String {
        var text = document
        if !labels.isEmpty { text = relabel(text) }
        if isPage { text = retitle(text) }
        return text
    }

    func relabel(_ document: String) -> String {
        var out = "", rest = Substring(document)
        // Text nodes are what lies between '>' and the next '<'.
        while let open = rest.firstIndex(of: ">") {
            out += rest[...open]
            rest = rest[rest.index(after: open)...]
            let end = rest.firstIndex(of: "<") ?? rest.endIndex
            var node = String(rest[..<end])
            for label in labels { node = node.replacingOccurrences(of: SVGText.escape(label.name), with: SVGText.escape(label.text)) }
            out += node
            rest = rest[end...]
        }
        return out + rest
    }

    /// The page's <title> and <h1>: --title, else the report's own with the model's name.
    func retitle(_ page: String) -> String {
        guard let start = page.range(of: "<h1>"), let end = page.range(of: "</h1>", range: start.upperBound..<page.endIndex) else { return page }
        let current = String(page[start.upperBound..<end.lowerBound])
        let wanted: String
        if let title { wanted = SVGText.escape(title) } else if let model { wanted = current + SVGText.escape(": \(model)") } else { return page }
        var text = page
        text.replaceSubrange(start.upperBound..<end.lowerBound, with: wanted)
        if let t0 = text.range(of: "<title>"), let t1 = text.range(of: "</title>", range: t0.upperBound..<text.endIndex),
           text[t0.upperBound..<t1.lowerBound] == current {
            text.replaceSubrange(t0.upperBound..<t1.lowerBound, with: wanted)
        }
        return text
    }
}
