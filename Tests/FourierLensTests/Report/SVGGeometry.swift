import Foundation
@testable import FourierLens

/// Reads back what a chart drew: texts with their boxes (from the text extents), markers, stems
/// and line paths, so tests can check the picture rather than the code that made it.
struct SVGGeometry {
    struct Text {
        let text: String
        let box: Box
        let classes: String
    }

    let svg: String

    /// Every <text> with x, y (not rotated) and its box; `ofClass` keeps those with that class.
    func texts(ofClass wanted: String? = nil) -> [Text] {
        let regex = try! Regex(#"<text([^>]*)>([^<]*)</text>"#)
        return svg.matches(of: regex).compactMap { match -> Text? in
            let attributes = String(match.output[1].substring ?? "")
            let body = SVGGeometry.unescape(String(match.output[2].substring ?? ""))
            let classes = SVGGeometry.attribute("class", in: attributes) ?? ""
            if let wanted, !classes.split(separator: " ").contains(Substring(wanted)) { return nil }
            guard attributes.contains("transform") == false,
                  let x = SVGGeometry.attribute("x", in: attributes).flatMap(Double.init),
                  let y = SVGGeometry.attribute("y", in: attributes).flatMap(Double.init) else { return nil }
            let size = SVGGeometry.attribute("font-size", in: attributes).flatMap(Double.init) ?? 13
            let anchor = TextExtent.Anchor(rawValue: SVGGeometry.attribute("text-anchor", in: attributes) ?? "start") ?? .start
            return Text(text: body, box: TextExtent.box(body, x: x, y: y, fontSize: size, anchor: anchor), classes: classes)
        }
    }

    /// Vertical texts (rotate(-90) about translate(x y), anchored at their end): their boxes.
    func verticalTexts(ofClass wanted: String) -> [Text] {
        let regex = try! Regex(#"<text class="([^"]*)" transform="translate\(([-0-9.]+) ([-0-9.]+)\) rotate\(-90\)" text-anchor="end">([^<]*)</text>"#)
        return svg.matches(of: regex).compactMap { match -> Text? in
            guard String(match.output[1].substring ?? "") == wanted,
                  let x = Double(String(match.output[2].substring ?? "")), let y = Double(String(match.output[3].substring ?? "")) else { return nil }
            let body = SVGGeometry.unescape(String(match.output[4].substring ?? ""))
            let w = TextExtent.width(body, fontSize: 13)
            return Text(text: body, box: Box(x0: x - 0.8 * 13, y0: y, x1: x + 0.25 * 13, y1: y + w), classes: wanted)
        }
    }

    /// Centres of the point markers.
    var markers: [(x: Double, y: Double)] {
        let regex = try! Regex(#"<circle class="point-marker" cx="([-0-9.]+)" cy="([-0-9.]+)""#)
        return svg.matches(of: regex).map { (Double(String($0.output[1].substring!))!, Double(String($0.output[2].substring!))!) }
    }

    /// The stems as vertical segments.
    var stems: [((x: Double, y: Double), (x: Double, y: Double))] {
        let path = try! Regex(#"<path class="stems" d="([^"]*)""#)
        let stem = try! Regex(#"M([-0-9.]+) ([-0-9.]+)V([-0-9.]+)"#)
        return svg.matches(of: path).flatMap { match in
            String(match.output[1].substring!).matches(of: stem).map {
                let x = Double(String($0.output[1].substring!))!
                return ((x, Double(String($0.output[2].substring!))!), (x, Double(String($0.output[3].substring!))!))
            }
        }
    }

    /// The image's size from its viewBox.
    var size: (width: Double, height: Double) {
        let regex = try! Regex(#"viewBox="0 0 ([0-9.]+) ([0-9.]+)""#)
        let match = svg.firstMatch(of: regex)!
        return (Double(String(match.output[1].substring!))!, Double(String(match.output[2].substring!))!)
    }

    static func attribute(_ name: String, in attributes: String) -> String? {
        let regex = try! Regex(#"(?:^|\s)"# + name + #"="([^"]*)""#)
        return attributes.firstMatch(of: regex).map { String($0.output[1].substring!) }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Pairs of boxes that overlap.
    static func overlaps(_ texts: [Text]) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for i in texts.indices {
            for j in texts.indices where j > i && texts[i].box.intersects(texts[j].box) {
                pairs.append((texts[i].text, texts[j].text))
            }
        }
        return pairs
    }
}
